// Admin endpoints (approval queue, forced logout), /oauth/token (RFC 6749), /health and security events.
// One app in approval mode with an ADMIN_EMAIL admin: ordinary users are registered, then approved.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_PASSWORD, bearer, useTestApp, uniqueEmail } from '../helpers/app';

const ADMIN_EMAIL = 'Root.Admin@Example.test';
const ADMIN_PASSWORD = 'admin-Quartz-88-meadow';
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

describe('admin, oauth, health, security events', () => {
  const app = useTestApp({ env: { REGISTRATION_MODE: 'approval', ADMIN_EMAIL, ADMIN_PASSWORD } });
  let admin: { accessToken: string };

  /** Registers (pending in approval mode), approves as admin, and logs in. */
  async function activeUser(userAgent = 'test-agent/1.0') {
    const email = uniqueEmail('u');
    const reg = await app.http.post('/api/auth/register').send({ email, password: TEST_PASSWORD });
    assert.equal(reg.status, 202, JSON.stringify(reg.body));
    const ok = await app.http.post(`/api/admin/registrations/${reg.body.user.id}/approve`).set(bearer(admin.accessToken));
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const login = await app.http.post('/api/auth/login').set('User-Agent', userAgent).send({ email, password: TEST_PASSWORD });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    return { email, userId: reg.body.user.id as string, ...(login.body as { accessToken: string; refreshToken: string; sessionId: string }) };
  }

  const form = (fields: Record<string, string>) => app.http.post('/oauth/token').type('form').send(fields);

  before(async () => {
    const res = await app.http.post('/api/auth/login').send({ email: ADMIN_EMAIL.toLowerCase(), password: ADMIN_PASSWORD });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    admin = res.body;
  });

  it('when ADMIN_EMAIL/ADMIN_PASSWORD are set, then that admin logs in with role admin', async () => {
    const me = await app.http.get('/api/user/me').set(bearer(admin.accessToken));
    assert.equal(me.status, 200);
    assert.equal(me.body.user.email, ADMIN_EMAIL.toLowerCase());
    assert.equal(me.body.user.role, 'admin');
    assert.equal(me.body.user.status, 'active');
    const v = await app.http.get('/api/auth/validate').set(bearer(admin.accessToken));
    assert.equal(v.body.claims.role, 'admin');
  });

  it('when a non-admin calls /api/admin/*, then 403 FORBIDDEN; without a token, then 401 UNAUTHENTICATED', async () => {
    const u = await activeUser();
    const calls = [
      app.http.get('/api/admin/registrations?status=pending').set(bearer(u.accessToken)),
      app.http.post(`/api/admin/registrations/${u.userId}/approve`).set(bearer(u.accessToken)),
      app.http.post(`/api/admin/registrations/${u.userId}/reject`).set(bearer(u.accessToken)),
      app.http.post(`/api/admin/users/${u.userId}/revoke-sessions`).set(bearer(u.accessToken)),
    ];
    for (const res of await Promise.all(calls)) {
      assert.equal(res.status, 403);
      assert.equal(res.body.error.code, 'FORBIDDEN');
    }
    const anon = await app.http.get('/api/admin/registrations');
    assert.equal(anon.status, 401);
    assert.equal(anon.body.error.code, 'UNAUTHENTICATED');
    // The user was not rejected by their own forbidden call.
    assert.equal((await app.http.get('/api/user/me').set(bearer(u.accessToken))).status, 200);
  });

  it('when registrations are pending, then the admin lists them; approve lets the user in, reject makes it rejected (ACCOUNT_DISABLED)', async () => {
    const emails = [uniqueEmail('approve'), uniqueEmail('reject')];
    const ids: string[] = [];
    for (const email of emails) {
      const reg = await app.http.post('/api/auth/register').send({ email, password: TEST_PASSWORD, username: 'pend' });
      assert.equal(reg.status, 202);
      ids.push(reg.body.user.id);
    }
    const list = await app.http.get('/api/admin/registrations?status=pending').set(bearer(admin.accessToken));
    assert.equal(list.status, 200);
    for (const [i, id] of ids.entries()) {
      const row = list.body.registrations.find((r: { userId: string }) => r.userId === id);
      assert.ok(row, `pending registration ${id} listed`);
      assert.equal(row.email, emails[i]);
      assert.equal(row.username, 'pend');
      assert.match(row.createdAt, ISO);
    }
    assert.equal((await app.http.post(`/api/admin/registrations/${ids[0]}/approve`).set(bearer(admin.accessToken))).status, 200);
    const reject = await app.http.post(`/api/admin/registrations/${ids[1]}/reject`).set(bearer(admin.accessToken));
    assert.equal(reject.status, 200);
    assert.equal(reject.body.user.status, 'rejected');
    const approved = await app.http.post('/api/auth/login').send({ email: emails[0], password: TEST_PASSWORD });
    assert.equal(approved.status, 200);
    const rejected = await app.http.post('/api/auth/login').send({ email: emails[1], password: TEST_PASSWORD });
    assert.equal(rejected.status, 403);
    assert.equal(rejected.body.error.code, 'ACCOUNT_DISABLED');
    const after = await app.http.get('/api/admin/registrations?status=pending').set(bearer(admin.accessToken));
    assert.ok(!after.body.registrations.some((r: { userId: string }) => ids.includes(r.userId)));
    // Rejected is its own status: listed as such, not among accounts an admin disabled.
    const listed = async (status: string) =>
      ((await app.http.get(`/api/admin/registrations?status=${status}`).set(bearer(admin.accessToken)).expect(200)).body.registrations as { userId: string; status: string }[]).filter((r) => r.userId === ids[1]);
    assert.deepEqual((await listed('rejected')).map((r) => r.status), ['rejected']);
    assert.deepEqual(await listed('disabled'), []);
    // Rejecting again is not possible (no longer pending); enabling accepts the registration after all.
    assert.equal((await app.http.post(`/api/admin/registrations/${ids[1]}/reject`).set(bearer(admin.accessToken))).status, 404);
    const accepted = await app.http.post(`/api/admin/users/${ids[1]}/enable`).set(bearer(admin.accessToken)).expect(200);
    assert.equal(accepted.body.user.status, 'active');
    await app.http.post('/api/auth/login').send({ email: emails[1], password: TEST_PASSWORD }).expect(200);
    const unknown = await app.http.post('/api/admin/registrations/00000000-0000-4000-8000-000000000000/approve').set(bearer(admin.accessToken));
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'NOT_FOUND');
  });

  it("when an admin revokes a user's sessions, then {revoked: n} and the user's access tokens are SESSION_TERMINATED at once", async () => {
    const u = await activeUser();
    const second = await app.http.post('/api/auth/login').send({ email: u.email, password: TEST_PASSWORD });
    const res = await app.http.post(`/api/admin/users/${u.userId}/revoke-sessions`).set(bearer(admin.accessToken));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { revoked: 2 });
    for (const token of [u.accessToken, second.body.accessToken]) {
      const me = await app.http.get('/api/user/me').set(bearer(token));
      assert.equal(me.status, 401);
      assert.equal(me.body.error.code, 'SESSION_TERMINATED');
    }
    assert.equal((await app.http.get('/api/user/me').set(bearer(admin.accessToken))).status, 200);
    const unknown = await app.http.post('/api/admin/users/00000000-0000-4000-8000-000000000000/revoke-sessions').set(bearer(admin.accessToken));
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'NOT_FOUND');
  });

  it('when /oauth/token gets a password grant, then RFC 6749 tokens with no-store; the refresh grant rotates them', async () => {
    const u = await activeUser();
    const res = await form({ grant_type: 'password', username: u.email, password: TEST_PASSWORD, client_id: 'web' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.match(res.headers['cache-control'] ?? '', /no-store/);
    assert.equal(typeof res.body.access_token, 'string');
    assert.equal(res.body.token_type, 'Bearer');
    assert.equal(res.body.expires_in, 900);
    assert.equal(typeof res.body.refresh_token, 'string');
    // The bootstrap client `web` has no scopes: the granted scope is empty.
    assert.equal(res.body.scope, '');
    assert.equal((await app.http.get('/api/user/me').set(bearer(res.body.access_token))).status, 200);

    const rotated = await form({ grant_type: 'refresh_token', refresh_token: res.body.refresh_token, client_id: 'web' });
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    assert.notEqual(rotated.body.refresh_token, res.body.refresh_token);
    assert.equal(rotated.body.token_type, 'Bearer');
    // Past the refresh grace window, a replay of the rotated token is reuse.
    app.clock.advance(11);
    const replay = await form({ grant_type: 'refresh_token', refresh_token: res.body.refresh_token, client_id: 'web' });
    assert.equal(replay.status, 400);
    assert.equal(replay.body.error, 'invalid_grant');
  });

  it('when /oauth/token is misused, then the RFC 6749 error codes with error_description', async () => {
    const u = await activeUser();
    const cases: [string, Promise<{ status: number; body: { error?: string; error_description?: unknown } }>, number][] = [
      ['invalid_request', form({ grant_type: 'password', username: u.email, client_id: 'web' }), 400],
      ['invalid_request', form({ client_id: 'web' }), 400],
      ['invalid_request', app.http.post('/oauth/token').send({ grant_type: 'password', username: u.email, password: TEST_PASSWORD, client_id: 'web' }), 400],
      ['invalid_request', app.http.post('/oauth/token').set('Content-Type', 'application/json').send('{"grant_type": "password",'), 400],
      ['invalid_client', form({ grant_type: 'password', username: u.email, password: TEST_PASSWORD }), 401],
      ['invalid_client', form({ grant_type: 'password', username: u.email, password: TEST_PASSWORD, client_id: 'no-such-client' }), 401],
      ['invalid_grant', form({ grant_type: 'password', username: u.email, password: 'wrong-Password-000', client_id: 'web' }), 400],
      ['invalid_grant', form({ grant_type: 'refresh_token', refresh_token: 'never-issued-refresh-token-value', client_id: 'web' }), 400],
      ['unsupported_grant_type', form({ grant_type: 'implicit', client_id: 'web' }), 400],
      ['unauthorized_client', form({ grant_type: 'authorization_code', client_id: 'web', code: 'x' }), 400],
      ['unauthorized_client', form({ grant_type: 'client_credentials', client_id: 'web' }), 400],
      ['invalid_scope', form({ grant_type: 'password', username: u.email, password: TEST_PASSWORD, client_id: 'web', scope: 'a"b' }), 400],
      ['invalid_scope', form({ grant_type: 'password', username: u.email, password: TEST_PASSWORD, client_id: 'web', scope: 'admin' }), 400],
    ];
    for (const [error, pending, status] of cases) {
      const res = await pending;
      assert.equal(res.body.error, error, JSON.stringify(res.body));
      if (error === 'invalid_client') assert.ok([400, 401].includes(res.status), `invalid_client status ${res.status}`);
      else assert.equal(res.status, status, error);
      assert.equal(typeof res.body.error_description, 'string');
    }
  });

  it('when /health is called, then 200 {status: ok, database: up}', async () => {
    const res = await app.http.get('/health');
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'ok');
    assert.equal(res.body.database, 'up');
  });

  it('when a user logs in, fails and logs out, then security events list them newest first with the contract fields', async () => {
    const u = await activeUser('events-agent/2.0');
    const failed = await app.http.post('/api/auth/login').set('User-Agent', 'events-agent/2.0').send({ email: u.email, password: 'wrong-Password-000' });
    assert.equal(failed.status, 401);
    const second = await app.http.post('/api/auth/login').set('User-Agent', 'events-agent/2.0').send({ email: u.email, password: TEST_PASSWORD });
    assert.equal((await app.http.post('/api/auth/logout').set('User-Agent', 'events-agent/2.0').set(bearer(second.body.accessToken))).status, 204);

    const res = await app.http.get('/api/user/security-events').set(bearer(u.accessToken));
    assert.equal(res.status, 200);
    const events = res.body.events as { id: string; type: string; ipAddress: string; userAgent: string; createdAt: string; metadata: unknown }[];
    for (const e of events) {
      for (const f of ['id', 'type', 'ipAddress', 'userAgent', 'createdAt', 'metadata']) assert.ok(f in e, `event field ${f}`);
      assert.match(e.createdAt, ISO);
      assert.equal(typeof e.metadata, 'object');
    }
    const types = events.map((e) => e.type);
    assert.deepEqual(types.slice(0, 4), ['logout', 'login.succeeded', 'login.failed', 'login.succeeded'], types.join(','));
    const times = events.map((e) => Date.parse(e.createdAt));
    assert.deepEqual(times, [...times].sort((a, b) => b - a));
    assert.equal(events[0].userAgent, 'events-agent/2.0');
    assert.equal(events[0].ipAddress, '127.0.0.1');
    assert.equal((events[0].metadata as { sessionId?: string }).sessionId, second.body.sessionId);
    assert.ok(types.includes('user.registered'));
    assert.doesNotMatch(res.text, /\$2[aby]\$|passwordHash/);
  });

  // Last: it drops this app's database (app.close() tolerates an already dropped one).
  it('when the database is gone, then /health answers 503 with database down', async () => {
    await app.database.drop();
    const res = await app.http.get('/health');
    assert.equal(res.status, 503);
    assert.equal(res.body.database, 'down');
    assert.notEqual(res.body.status, 'ok');
  });
});
