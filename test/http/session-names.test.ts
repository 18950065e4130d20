// Telling sessions apart: a user names a session (PATCH /api/user/sessions/:id), the list shows name, last
// seen and last IP, and "last seen" is written at most once a minute per session, off the request path.
// Also: the security-events API returns the browser and OS parsed on the server.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPrismaClient, type PrismaClient } from '../../backend/src/infrastructure/prisma/client';
import { PrismaSessionRepository } from '../../backend/src/infrastructure/prisma/session.repository';
import { assertValidation, bearer, registerAndLogin, useTestApp, type TestApp } from '../helpers/app';
import { waitFor } from '../helpers/wait';

const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

async function sessionsOf(app: TestApp, token: string, ip?: string) {
  const req = app.http.get('/api/user/sessions').set(bearer(token));
  if (ip) req.set('X-Forwarded-For', ip);
  const res = await req;
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.sessions as Record<string, unknown>[];
}

describe('session names, last seen and last IP', () => {
  // TRUST_PROXY so the test can present different client IPs with X-Forwarded-For.
  let prisma: PrismaClient;
  // Registered before useTestApp: after hooks run in registration order, and the client must disconnect
  // before the fixture drops the database.
  after(async () => {
    await prisma?.$disconnect();
  });
  const app = useTestApp({ env: { TRUST_PROXY: 'true' } });
  before(() => {
    prisma = createPrismaClient(app.database.url, { poolMax: 2 });
  });

  it('when a user names a session, then the list shows the name and it can be cleared again', async () => {
    const s = await registerAndLogin(app);
    const other = await app.http.post('/api/auth/login').send({ email: s.email, password: s.password, deviceName: 'phone' });
    const res = await app.http.patch(`/api/user/sessions/${other.body.sessionId}`).set(bearer(s.accessToken)).send({ name: '  Work laptop  ' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.session.id, other.body.sessionId);
    assert.equal(res.body.session.name, 'Work laptop');
    assert.equal(res.body.session.deviceName, 'phone', 'the name the device sent stays as it was');
    assert.equal(res.body.session.current, false);
    const listed = (await sessionsOf(app, s.accessToken)).find((x) => x.id === other.body.sessionId)!;
    assert.equal(listed.name, 'Work laptop');

    const cleared = await app.http.patch(`/api/user/sessions/${other.body.sessionId}`).set(bearer(s.accessToken)).send({ name: '' });
    assert.equal(cleared.status, 200);
    assert.equal(cleared.body.session.name, null);
    const own = await app.http.patch(`/api/user/sessions/${s.sessionId}`).set(bearer(s.accessToken)).send({ name: 'Это я 💻' });
    assert.equal(own.body.session.name, 'Это я 💻');
    assert.equal(own.body.session.current, true);
  });

  it('when the name is too long, not a string, has control characters or is missing, then 400 names the field', async () => {
    const s = await registerAndLogin(app);
    const patch = (body: unknown) => app.http.patch(`/api/user/sessions/${s.sessionId}`).set(bearer(s.accessToken)).send(body as object);
    assertValidation(await patch({ name: 'x'.repeat(65) }), 'name');
    assert.equal((await patch({ name: '😀'.repeat(64) })).status, 200, '64 characters (not UTF-16 units) are fine');
    assertValidation(await patch({ name: 42 }), 'name');
    assertValidation(await patch({ name: 'tab\there' }), 'name');
    assertValidation(await patch({}), 'name');
    assertValidation(await patch({ name: 'y'.repeat(10_000) }), 'name');
  });

  it("when another user's, an ended or a malformed session is renamed, then 404 and nothing changes", async () => {
    const a = await registerAndLogin(app);
    const b = await registerAndLogin(app);
    const res = await app.http.patch(`/api/user/sessions/${b.sessionId}`).set(bearer(a.accessToken)).send({ name: 'mine now' });
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'NOT_FOUND');
    assert.equal((await sessionsOf(app, b.accessToken))[0].name, null);
    const gone = await app.http.post('/api/auth/login').send({ email: a.email, password: a.password });
    await app.http.post('/api/auth/logout').set(bearer(gone.body.accessToken));
    assert.equal((await app.http.patch(`/api/user/sessions/${gone.body.sessionId}`).set(bearer(a.accessToken)).send({ name: 'x' })).status, 404);
    assert.equal((await app.http.patch('/api/user/sessions/not-a-uuid').set(bearer(a.accessToken)).send({ name: 'x' })).status, 404);
  });

  it('when the access token is used from a new IP, then last seen and last IP follow, written at most once a minute', async () => {
    const s = await registerAndLogin(app);
    const row = () => prisma.session.findUniqueOrThrow({ where: { id: s.sessionId }, select: { lastSeenAt: true, lastSeenIp: true, lastActiveAt: true } });
    // The first authenticated request stamps the session (after its response: wait for the write).
    await sessionsOf(app, s.accessToken, '198.51.100.1');
    await waitFor('the first stamp', row, (r) => r.lastSeenIp === '198.51.100.1');
    const first = await row();

    // Within the minute: neither time nor IP is written again, whatever the requests.
    app.clock.advance(30);
    for (let i = 0; i < 5; i++) await sessionsOf(app, s.accessToken, '198.51.100.2');
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(await row(), first);

    // A minute later: the next request moves both, and the list shows them.
    app.clock.advance(31);
    await sessionsOf(app, s.accessToken, '198.51.100.3');
    await waitFor('the second stamp', row, (r) => r.lastSeenIp === '198.51.100.3');
    const second = await row();
    assert.ok(second.lastSeenAt!.getTime() - first.lastSeenAt!.getTime() >= 60_000);
    const listed = (await sessionsOf(app, s.accessToken, '198.51.100.3')).find((x) => x.id === s.sessionId)!;
    assert.equal(listed.lastIpAddress, '198.51.100.3');
    assert.notEqual(listed.ipAddress, '198.51.100.3', 'ipAddress stays the sign-in address');
    assert.equal(listed.lastSeenAt, second.lastSeenAt!.toISOString());
  });

  it('when another instance wrote last seen less than a minute ago, then the conditional UPDATE changes nothing', async () => {
    const s = await registerAndLogin(app);
    // The adapter as a second instance would use it: only the database's condition stands between writers.
    const repo = new PrismaSessionRepository(prisma);
    const now = app.clock.now();
    assert.equal(await repo.touch(s.sessionId, '192.0.2.1', now, new Date(now.getTime() - 60_000)), true);
    assert.equal(await repo.touch(s.sessionId, '192.0.2.2', new Date(now.getTime() + 59_000), new Date(now.getTime() - 1_000)), false);
    assert.equal(await repo.touch(s.sessionId, '192.0.2.3', new Date(now.getTime() + 60_000), now), true);
    const stored = await repo.findById(s.sessionId);
    assert.equal(stored?.lastSeenIp, '192.0.2.3');
  });

  it('when a session is refreshed after its last request, then last seen is the refresh time', async () => {
    const s = await registerAndLogin(app);
    await sessionsOf(app, s.accessToken);
    app.clock.advance(120);
    const refreshed = await app.http.post('/api/auth/refresh').send({ refreshToken: s.refreshToken });
    assert.equal(refreshed.status, 200);
    const listed = (await sessionsOf(app, refreshed.body.accessToken)).find((x) => x.id === s.sessionId)!;
    assert.equal(listed.lastSeenAt, listed.lastActiveAt);
  });

  it('when security events are listed, then each carries the browser and OS parsed on the server', async () => {
    const s = await registerAndLogin(app);
    await app.http.post('/api/auth/login').set('User-Agent', FIREFOX_LINUX).send({ email: s.email, password: s.password });
    const res = await app.http.get('/api/user/security-events').set(bearer(s.accessToken));
    assert.equal(res.status, 200);
    const firefox = res.body.events.find((e: { userAgent: string | null }) => e.userAgent === FIREFOX_LINUX);
    assert.ok(firefox, JSON.stringify(res.body.events));
    assert.equal(firefox.browser, 'Firefox 128');
    assert.equal(firefox.os, 'Linux');
    assert.equal(firefox.deviceType, 'desktop');
    const registered = res.body.events.find((e: { type: string }) => e.type === 'user.registered');
    assert.ok('browser' in registered && 'os' in registered && 'deviceType' in registered);
  });
});
