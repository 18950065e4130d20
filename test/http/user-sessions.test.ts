// /api/user: profile, per-device sessions (listing, revocation, LRU limit), password change, client IPs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, registerAndLogin, useTestApp, uniqueEmail, type TestApp } from '../helpers/app';

const CHROME_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const SESSION_FIELDS = ['id', 'current', 'browser', 'os', 'deviceType', 'userAgent', 'ipAddress', 'createdAt', 'lastActiveAt', 'expiresAt', 'aal'];

async function login(app: TestApp, email: string, password: string, headers: Record<string, string> = {}) {
  const res = await app.http.post('/api/auth/login').set(headers).send({ email, password });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body as { accessToken: string; refreshToken: string; sessionId: string };
}

async function sessionsOf(app: TestApp, accessToken: string) {
  const res = await app.http.get('/api/user/sessions').set(bearer(accessToken));
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.sessions as Record<string, unknown>[];
}

async function meCode(app: TestApp, token: string) {
  const res = await app.http.get('/api/user/me').set(bearer(token));
  return res.status === 200 ? 200 : (res.body.error.code as string);
}

describe('user: profile, sessions, change-password', () => {
  const app = useTestApp();

  it('when /me is called, then the profile has the contract fields and no hash or secret', async () => {
    const s = await registerAndLogin(app);
    const res = await app.http.get('/api/user/me').set(bearer(s.accessToken));
    assert.equal(res.status, 200);
    const u = res.body.user;
    assert.equal(u.id, s.userId);
    assert.equal(u.email, s.email);
    assert.ok('username' in u);
    assert.equal(u.role, 'user');
    assert.equal(u.status, 'active');
    assert.equal(u.twoFactorEnabled, false);
    assert.match(u.createdAt, ISO);
    assert.doesNotMatch(res.text, /passwordHash|totpSecret|secret|\$2[aby]\$|failedLoginCount/i);
  });

  it('when sessions are listed, then only active ones, newest activity first, with parsed devices and the caller flagged', async () => {
    const s = await registerAndLogin(app);
    app.clock.advance(1);
    const win = await login(app, s.email, s.password, { 'User-Agent': CHROME_WINDOWS });
    app.clock.advance(1);
    const phone = await login(app, s.email, s.password, { 'User-Agent': SAFARI_IPHONE });
    app.clock.advance(1);
    const gone = await login(app, s.email, s.password);
    assert.equal((await app.http.post('/api/auth/logout').set(bearer(gone.accessToken))).status, 204);

    const list = await sessionsOf(app, win.accessToken);
    assert.deepEqual(list.map((x) => x.id), [phone.sessionId, win.sessionId, s.sessionId]);
    for (const x of list) {
      for (const f of SESSION_FIELDS) assert.ok(f in x, `session field ${f}`);
      for (const f of ['createdAt', 'lastActiveAt', 'expiresAt']) assert.match(x[f] as string, ISO);
      assert.equal(x.aal, 1);
      assert.ok(!('refreshTokenHash' in x) && !('previousRefreshTokenHash' in x));
    }
    const times = list.map((x) => Date.parse(x.lastActiveAt as string));
    assert.deepEqual(times, [...times].sort((a, b) => b - a));
    assert.deepEqual(list.map((x) => x.current), [false, true, false]);

    const w = list.find((x) => x.id === win.sessionId)!;
    assert.match(String(w.browser), /Chrome/);
    assert.match(String(w.os), /Windows/);
    assert.equal(w.deviceType, 'desktop');
    assert.equal(w.userAgent, CHROME_WINDOWS);
    const p = list.find((x) => x.id === phone.sessionId)!;
    assert.match(String(p.browser), /Safari/);
    assert.match(String(p.os), /iOS/);
    assert.equal(p.deviceType, 'mobile');
  });

  it('when a session is refreshed, then its lastActiveAt moves and it sorts first', async () => {
    const s = await registerAndLogin(app);
    app.clock.advance(2);
    const other = await login(app, s.email, s.password);
    const before = (await sessionsOf(app, other.accessToken)).find((x) => x.id === s.sessionId)!;
    app.clock.advance(5);
    const r = await app.http.post('/api/auth/refresh').send({ refreshToken: s.refreshToken });
    assert.equal(r.status, 200);
    const list = await sessionsOf(app, other.accessToken);
    assert.equal(list[0].id, s.sessionId);
    assert.ok(Date.parse(list[0].lastActiveAt as string) > Date.parse(before.lastActiveAt as string));
  });

  it('when a session is deleted by id, then 204 and that session is SESSION_TERMINATED', async () => {
    const s = await registerAndLogin(app);
    const other = await login(app, s.email, s.password);
    const res = await app.http.delete(`/api/user/sessions/${other.sessionId}`).set(bearer(s.accessToken));
    assert.equal(res.status, 204);
    assert.equal(await meCode(app, other.accessToken), 'SESSION_TERMINATED');
    assert.equal(await meCode(app, s.accessToken), 200);
    assert.ok(!(await sessionsOf(app, s.accessToken)).some((x) => x.id === other.sessionId));
    const events = await app.http.get('/api/user/security-events').set(bearer(s.accessToken));
    assert.equal(events.body.events[0].type, 'session.revoked');
    // Deleting it again: already gone.
    const again = await app.http.delete(`/api/user/sessions/${other.sessionId}`).set(bearer(s.accessToken));
    assert.equal(again.status, 404);
    assert.equal(again.body.error.code, 'NOT_FOUND');
  });

  it("when another user's session id or a non-UUID is deleted, then 404 NOT_FOUND and nothing is revoked", async () => {
    const me = await registerAndLogin(app);
    const victim = await registerAndLogin(app);
    const res = await app.http.delete(`/api/user/sessions/${victim.sessionId}`).set(bearer(me.accessToken));
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'NOT_FOUND');
    assert.equal(await meCode(app, victim.accessToken), 200);
    const bad = await app.http.delete('/api/user/sessions/not-a-uuid').set(bearer(me.accessToken));
    assert.equal(bad.status, 404);
    assert.equal(bad.body.error.code, 'NOT_FOUND');
  });

  it('when other sessions are deleted, then {revoked: n} and only the caller survives', async () => {
    const s = await registerAndLogin(app);
    const b = await login(app, s.email, s.password);
    const c = await login(app, s.email, s.password);
    const res = await app.http.delete('/api/user/sessions/others').set(bearer(s.accessToken));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { revoked: 2 });
    assert.equal(await meCode(app, s.accessToken), 200);
    assert.equal(await meCode(app, b.accessToken), 'SESSION_TERMINATED');
    assert.equal(await meCode(app, c.accessToken), 'SESSION_TERMINATED');
    assert.deepEqual((await sessionsOf(app, s.accessToken)).map((x) => x.id), [s.sessionId]);
  });

  it('when change-password gets a wrong current, a reused or a common new password, then 401 / 400 / 400', async () => {
    const s = await registerAndLogin(app);
    const wrong = await app.http.post('/api/user/change-password').set(bearer(s.accessToken)).send({ currentPassword: 'nope-nope-nope', newPassword: 'fresh-Maple-42-river' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error.code, 'INVALID_CREDENTIALS');
    const same = await app.http.post('/api/user/change-password').set(bearer(s.accessToken)).send({ currentPassword: s.password, newPassword: s.password });
    assert.equal(same.status, 400);
    assert.equal(same.body.error.code, 'VALIDATION_ERROR');
    assert.equal(same.body.error.details[0].field, 'newPassword');
    const common = await app.http.post('/api/user/change-password').set(bearer(s.accessToken)).send({ currentPassword: s.password, newPassword: 'password123' });
    assert.equal(common.status, 400);
    assert.equal(common.body.error.code, 'VALIDATION_ERROR');
    assert.equal(common.body.error.details[0].field, 'newPassword');
    const missing = await app.http.post('/api/user/change-password').set(bearer(s.accessToken)).send({ currentPassword: s.password });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error.code, 'VALIDATION_ERROR');
    // None of these changed anything.
    assert.equal(await meCode(app, s.accessToken), 200);
    await login(app, s.email, s.password);
  });

  it('when the password is changed, then other sessions die, the caller lives, and only the new password logs in', async () => {
    const s = await registerAndLogin(app);
    const other = await login(app, s.email, s.password);
    const newPassword = 'fresh-Maple-42-river';
    const res = await app.http.post('/api/user/change-password').set(bearer(s.accessToken)).send({ currentPassword: s.password, newPassword });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body, { revokedSessions: 1 });
    assert.equal(await meCode(app, s.accessToken), 200);
    assert.equal(await meCode(app, other.accessToken), 'SESSION_TERMINATED');
    const otherRefresh = await app.http.post('/api/auth/refresh').send({ refreshToken: other.refreshToken });
    assert.equal(otherRefresh.body.error.code, 'INVALID_REFRESH_TOKEN');
    const old = await app.http.post('/api/auth/login').send({ email: s.email, password: s.password });
    assert.equal(old.status, 401);
    assert.equal(old.body.error.code, 'INVALID_CREDENTIALS');
    await login(app, s.email, newPassword);
    const events = await app.http.get('/api/user/security-events').set(bearer(s.accessToken));
    assert.ok(events.body.events.some((e: { type: string }) => e.type === 'password.changed'));
  });

  it('when TRUST_PROXY is unset, then X-Forwarded-For is ignored for the session ipAddress', async () => {
    const s = await registerAndLogin(app);
    const spoofed = await login(app, s.email, s.password, { 'X-Forwarded-For': '203.0.113.7' });
    const row = (await sessionsOf(app, spoofed.accessToken)).find((x) => x.id === spoofed.sessionId)!;
    assert.notEqual(row.ipAddress, '203.0.113.7');
    assert.equal(row.ipAddress, '127.0.0.1');
  });

  it('when /api/user is called without a token, then 401 UNAUTHENTICATED', async () => {
    for (const res of [await app.http.get('/api/user/me'), await app.http.get('/api/user/sessions'), await app.http.delete('/api/user/sessions/others')]) {
      assert.equal(res.status, 401);
      assert.equal(res.body.error.code, 'UNAUTHENTICATED');
    }
  });
});

describe('user: MAX_SESSIONS_PER_USER=2 and TRUST_PROXY=true', () => {
  const app = useTestApp({ env: { MAX_SESSIONS_PER_USER: '2', TRUST_PROXY: 'true' } });

  it('when a third login happens, then the least recently used session is evicted', async () => {
    const s = await registerAndLogin(app, { email: uniqueEmail('lru') });
    app.clock.advance(1);
    const second = await login(app, s.email, s.password);
    app.clock.advance(1);
    // Refreshing the first session makes the second one the least recently used.
    const r = await app.http.post('/api/auth/refresh').send({ refreshToken: s.refreshToken });
    assert.equal(r.status, 200);
    app.clock.advance(1);
    const third = await login(app, s.email, s.password);
    assert.equal(await meCode(app, second.accessToken), 'SESSION_TERMINATED');
    assert.equal(await meCode(app, r.body.accessToken), 200);
    assert.deepEqual((await sessionsOf(app, third.accessToken)).map((x) => x.id), [third.sessionId, s.sessionId]);
  });

  it('when TRUST_PROXY=true, then the session ipAddress comes from X-Forwarded-For', async () => {
    const s = await registerAndLogin(app);
    const proxied = await login(app, s.email, s.password, { 'X-Forwarded-For': '203.0.113.7' });
    const row = (await sessionsOf(app, proxied.accessToken)).find((x) => x.id === proxied.sessionId)!;
    assert.equal(row.ipAddress, '203.0.113.7');
  });
});
