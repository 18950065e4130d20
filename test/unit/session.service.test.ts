import test from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../backend/src/domain/types';
import { buildServices, rejectsWithCode, throwsWithCode } from '../fakes/services';

const IPHONE: RequestContext = {
  ipAddress: '198.51.100.20',
  userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
};

test('when a login goes beyond MAX_SESSIONS_PER_USER, then the least recently used session is revoked', async () => {
  const s = buildServices({ sessions: { maxPerUser: 3 } });
  const { email, user } = await s.registerUser();
  const a = await s.login(email);
  s.clock.advance(60);
  const b = await s.login(email);
  s.clock.advance(60);
  const c = await s.login(email);
  s.clock.advance(60);
  // Refreshing A makes it the most recently used: B is now the least recently used.
  const a2 = await s.auth.refresh(a.refreshToken, s.ctx);
  s.clock.advance(60);
  const d = await s.login(email);

  const active = await s.sessions.listActive(user.id);
  assert.deepEqual(active.map((x) => x.id), [d.sessionId, a.sessionId, c.sessionId]);
  const evicted = s.db.tables.sessions.get(b.sessionId)!;
  assert.equal(evicted.revokedReason, 'session_limit');
  throwsWithCode(() => s.auth.authenticate(b.accessToken), 'SESSION_TERMINATED');
  await rejectsWithCode(s.auth.refresh(b.refreshToken, s.ctx), 'INVALID_REFRESH_TOKEN');
  // The survivors keep working.
  assert.equal(s.auth.authenticate(a2.accessToken).sid, a.sessionId);
  assert.equal(s.auth.authenticate(c.accessToken).sid, c.sessionId);
  const succeeded = s.db.auditEvents().filter((e) => e.type === 'login.succeeded');
  assert.equal(succeeded.at(-1)!.metadata.evictedSessions, 1);
});

test('when several sessions are beyond the limit (limit lowered), then the oldest ones go until one slot is free', async () => {
  const s = buildServices({ sessions: { maxPerUser: 2 } });
  const { email, user } = await s.registerUser();
  const first = await s.login(email);
  s.clock.advance(1);
  const second = await s.login(email);
  s.clock.advance(1);
  const third = await s.login(email);
  const active = (await s.sessions.listActive(user.id)).map((x) => x.id);
  assert.deepEqual(active, [third.sessionId, second.sessionId]);
  assert.equal(s.db.tables.sessions.get(first.sessionId)!.revokedReason, 'session_limit');
});

test('when sessions are listed, then only live ones come, most recently active first, with device details', async () => {
  const s = buildServices();
  const { email, user } = await s.registerUser();
  const desktop = await s.login(email);
  s.clock.advance(10);
  const phone = await s.login(email, undefined, IPHONE, 'My iPhone');
  s.clock.advance(10);
  const doomed = await s.login(email);
  await s.auth.logout(s.auth.authenticate(doomed.accessToken), s.ctx);
  s.clock.advance(10);
  await s.auth.refresh(desktop.refreshToken, s.ctx);

  const active = await s.sessions.listActive(user.id);
  assert.deepEqual(active.map((x) => x.id), [desktop.sessionId, phone.sessionId]);
  assert.equal(active[0].lastActiveAt.getTime(), s.clock.now().getTime(), 'refresh moves lastActiveAt');
  assert.ok(active[0].lastActiveAt > active[1].lastActiveAt);
  const iphone = active[1];
  assert.equal(iphone.deviceType, 'mobile');
  assert.equal(iphone.os, 'iOS 17.1');
  assert.equal(iphone.deviceName, 'My iPhone');
  assert.equal(iphone.ipAddress, IPHONE.ipAddress);
  assert.equal(active[0].browser, 'Chrome 120');
  assert.equal(active[0].deviceType, 'desktop');
  // Expired sessions disappear from the list.
  s.clock.advance(s.settings.sessions.idleTtl - 15);
  assert.deepEqual((await s.sessions.listActive(user.id)).map((x) => x.id), [desktop.sessionId]);
});

test("when a user revokes another user's session, then it is NOT_FOUND and the session lives on", async () => {
  const s = buildServices();
  const alice = await s.registerUser('alice@example.test');
  const bob = await s.registerUser('bob@example.test');
  const bobs = await s.login(bob.email);
  await rejectsWithCode(s.sessions.revokeOne(alice.user.id, bobs.sessionId, s.ctx), 'NOT_FOUND');
  assert.equal(s.auth.authenticate(bobs.accessToken).sid, bobs.sessionId);
  assert.equal(s.db.tables.sessions.get(bobs.sessionId)!.revokedAt, null);
  assert.ok(await s.auth.refresh(bobs.refreshToken, s.ctx));
});

test('when the session id is not a UUID, unknown, or already revoked, then revokeOne is NOT_FOUND', async () => {
  const s = buildServices();
  const { email, user } = await s.registerUser();
  const pair = await s.login(email);
  await rejectsWithCode(s.sessions.revokeOne(user.id, 'not-a-uuid', s.ctx), 'NOT_FOUND');
  await rejectsWithCode(s.sessions.revokeOne(user.id, "' OR 1=1 --", s.ctx), 'NOT_FOUND');
  await rejectsWithCode(s.sessions.revokeOne(user.id, randomUUID(), s.ctx), 'NOT_FOUND');
  await s.sessions.revokeOne(user.id, pair.sessionId, s.ctx);
  await rejectsWithCode(s.sessions.revokeOne(user.id, pair.sessionId, s.ctx), 'NOT_FOUND');
});

test('when a user revokes one of their own sessions, then that one ends at once and the others stay', async () => {
  const s = buildServices();
  const { email, user } = await s.registerUser();
  const keep = await s.login(email);
  const drop = await s.login(email);
  await s.sessions.revokeOne(user.id, drop.sessionId, s.ctx);
  throwsWithCode(() => s.auth.authenticate(drop.accessToken), 'SESSION_TERMINATED');
  await rejectsWithCode(s.auth.refresh(drop.refreshToken, s.ctx), 'INVALID_REFRESH_TOKEN');
  assert.equal(s.auth.authenticate(keep.accessToken).sid, keep.sessionId);
  assert.equal(s.db.tables.sessions.get(drop.sessionId)!.revokedReason, 'revoked_by_user');
  const event = s.db.auditEvents().find((e) => e.type === 'session.revoked');
  assert.deepEqual(event?.metadata.sessionIds, [drop.sessionId]);
});

test('when all other sessions are revoked, then the count is returned and only the kept one survives', async () => {
  const s = buildServices();
  const { email, user } = await s.registerUser();
  const keep = await s.login(email);
  const others = [await s.login(email), await s.login(email), await s.login(email)];
  const n = await s.sessions.revokeAll(user.id, 'revoked_by_user', { type: 'session.revoked', ctx: s.ctx }, keep.sessionId);
  assert.equal(n, 3);
  for (const o of others) throwsWithCode(() => s.auth.authenticate(o.accessToken), 'SESSION_TERMINATED');
  assert.deepEqual((await s.sessions.listActive(user.id)).map((x) => x.id), [keep.sessionId]);
  assert.equal(await s.sessions.revokeAll(user.id, 'revoked_by_user', { type: 'session.revoked', ctx: s.ctx }, keep.sessionId), 0);
});
