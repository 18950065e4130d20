// The administrator's console over HTTP (issue 28): find with filters and paging, a user's page, disable
// (sessions end at once) and re-enable, the password-reset mail, delete, the last-admin rule, the
// re-authentication rule (recent sign-in, aal 2 with 2FA), audit rows naming the actor, and every admin route
// refused to a non-admin and to a holder of a custom role only, and the re-authentication rule on every changing
// admin route (routes taken from the OpenAPI document).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, describe, it } from 'node:test';
import pg from 'pg';
import { generateTotpCode } from '../../backend/src/infrastructure/two-factor/totp';
import { bearer, claimsOf, freshTotpStep, registerAndLogin, useTestApp, type TestApp } from '../helpers/app';
import { runCliInProcess as cli } from '../helpers/cli';
import { documentedOperations } from '../helpers/openapi-routes';

const ADMIN = { email: 'console-admin@example.test', password: 'admin-Cobalt-58-harbour' };
const WINDOW = 120;
/** The operations the console added or extended (issue 28); the test below checks they are all in the document. */
const CONSOLE_OPERATIONS = [
  'get /api/admin/users', 'get /api/admin/users/{userId}', 'delete /api/admin/users/{userId}',
  'post /api/admin/users/{userId}/disable', 'post /api/admin/users/{userId}/enable', 'post /api/admin/users/{userId}/password-reset',
];

async function sql<T = Record<string, unknown>>(app: TestApp, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: app.database.url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

const auditOf = (app: TestApp, userId: string, type: string) =>
  sql<{ metadata: Record<string, unknown> }>(app, `SELECT metadata FROM "AuditEvent" WHERE "userId" = $1 AND type = $2 ORDER BY "createdAt", id`, [userId, type]);

describe('admin console', () => {
  const app = useTestApp({ env: { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, REAUTH_WINDOW_SECONDS: String(WINDOW) } });
  let admin: { accessToken: string; userId: string };
  const as = () => bearer(admin.accessToken);
  /** A fresh admin sign-in: the actions need one within the window. */
  const signInAdmin = async () => {
    const login = await app.http.post('/api/auth/login').send(ADMIN).expect(200);
    admin = { accessToken: login.body.accessToken, userId: login.body.user.id };
  };

  before(signInAdmin);

  it('when an admin filters by text, status and role and pages, then only matching users come, in email order, with hasMore', async () => {
    const tag = randomBytes(3).toString('hex');
    const users = [];
    for (const n of [1, 2, 3]) users.push(await registerAndLogin(app, { email: `find-${tag}-${n}@example.test` }));
    const role = `finder-${tag}`;
    await app.http.post('/api/admin/roles').set(as()).send({ name: role, permissions: ['x:read'] }).expect(201);
    await app.http.post(`/api/admin/users/${users[1].userId}/roles`).set(as()).send({ role }).expect(200);
    await app.http.post(`/api/admin/users/${users[2].userId}/disable`).set(as()).expect(200);

    const all = await app.http.get('/api/admin/users').query({ query: `find-${tag}` }).set(as()).expect(200);
    assert.deepEqual(all.body.users.map((u: { email: string }) => u.email), users.map((u) => u.email));
    assert.equal(all.body.hasMore, false);
    const page1 = await app.http.get('/api/admin/users').query({ query: `find-${tag}`, limit: 2 }).set(as()).expect(200);
    const page2 = await app.http.get('/api/admin/users').query({ query: `find-${tag}`, limit: 2, offset: 2 }).set(as()).expect(200);
    assert.deepEqual([...page1.body.users, ...page2.body.users].map((u: { email: string }) => u.email), users.map((u) => u.email));
    assert.equal(page1.body.hasMore, true);
    assert.equal(page2.body.hasMore, false);
    const disabled = await app.http.get('/api/admin/users').query({ query: `find-${tag}`, status: 'disabled' }).set(as()).expect(200);
    assert.deepEqual(disabled.body.users.map((u: { id: string }) => u.id), [users[2].userId]);
    const byRole = await app.http.get('/api/admin/users').query({ role }).set(as()).expect(200);
    assert.deepEqual(byRole.body.users.map((u: { id: string }) => u.id), [users[1].userId]);
    const admins = await app.http.get('/api/admin/users').query({ role: 'admin', status: 'active' }).set(as()).expect(200);
    assert.ok(admins.body.users.some((u: { email: string }) => u.email === ADMIN.email));

    const none = await app.http.get('/api/admin/users').set(as());
    assert.equal(none.status, 400);
    assert.equal(none.body.error.details[0].field, 'query');
    const badStatus = await app.http.get('/api/admin/users').query({ status: 'gone' }).set(as());
    assert.equal(badStatus.status, 400);
    assert.equal((await app.http.get('/api/admin/users').query({ query: 'x', limit: 0 }).set(as())).status, 400);
  });

  it("when an admin opens a user's page, then it shows status, roles, 2FA, passkeys, providers and the last 20 events, and nothing secret", async () => {
    const user = await registerAndLogin(app);
    for (let i = 0; i < 21; i++) await app.http.post('/api/auth/login').send({ email: user.email, password: user.password }).expect(200);
    const page = await app.http.get(`/api/admin/users/${user.userId}`).set(as()).expect(200);
    assert.deepEqual(Object.keys(page.body).sort(), ['events', 'passkeys', 'providers', 'roles', 'twoFactor', 'user']);
    assert.equal(page.body.user.email, user.email);
    assert.equal(page.body.user.status, 'active');
    assert.equal(typeof page.body.user.lastLoginAt, 'string');
    assert.deepEqual(page.body.roles.roles, ['user']);
    assert.deepEqual(page.body.twoFactor, { enabled: false, backupCodesRemaining: null });
    assert.equal(page.body.passkeys, 0);
    assert.deepEqual(page.body.providers, []);
    assert.equal(page.body.events.length, 20);
    const times = page.body.events.map((e: { createdAt: string }) => Date.parse(e.createdAt));
    assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first');
    assert.ok(page.body.events.some((e: { type: string }) => e.type === 'login.succeeded'));
    assert.ok(!JSON.stringify(page.body).includes('passwordHash'));
    assert.equal((await app.http.get(`/api/admin/users/00000000-0000-4000-8000-000000000000`).set(as())).status, 404);
    assert.equal((await app.http.get(`/api/admin/users/not-a-uuid`).set(as())).status, 404);
  });

  it('when an admin disables an account, then its sessions end at once, it cannot sign in, and re-enabling lets it sign in again; both audited with the actor', async () => {
    await signInAdmin();
    const user = await registerAndLogin(app);
    await app.http.get('/api/user/me').set(bearer(user.accessToken)).expect(200);
    const disabled = await app.http.post(`/api/admin/users/${user.userId}/disable`).set(as()).expect(200);
    assert.equal(disabled.body.user.status, 'disabled');
    const me = await app.http.get('/api/user/me').set(bearer(user.accessToken));
    assert.equal(me.status, 401);
    assert.equal(me.body.error.code, 'SESSION_TERMINATED');
    assert.equal((await app.http.post('/api/auth/refresh').send({ refreshToken: user.refreshToken })).status, 401);
    const login = await app.http.post('/api/auth/login').send({ email: user.email, password: user.password });
    assert.equal(login.status, 403);
    assert.equal(login.body.error.code, 'ACCOUNT_DISABLED');
    const [row] = await auditOf(app, user.userId, 'account.disabled');
    assert.equal(row.metadata.actorId, admin.userId);
    assert.equal(row.metadata.reason, 'account_disabled');
    assert.deepEqual(row.metadata.sessionIds, [user.sessionId]);
    const [session] = await sql<{ revokedReason: string }>(app, `SELECT "revokedReason" FROM "Session" WHERE id = $1`, [user.sessionId]);
    assert.equal(session.revokedReason, 'account_disabled');

    const enabled = await app.http.post(`/api/admin/users/${user.userId}/enable`).set(as()).expect(200);
    assert.equal(enabled.body.user.status, 'active');
    await app.http.post('/api/auth/login').send({ email: user.email, password: user.password }).expect(200);
    const [on] = await auditOf(app, user.userId, 'account.enabled');
    assert.equal(on.metadata.actorId, admin.userId);
  });

  it('when an admin sends a password-reset mail, then the reset mail is queued for the user and audited with the actor', async () => {
    await signInAdmin();
    const user = await registerAndLogin(app);
    const sent = await app.http.post(`/api/admin/users/${user.userId}/password-reset`).set(as());
    assert.equal(sent.status, 202);
    const mail = await sql<{ template: string; recipient: string }>(app, `SELECT template, recipient FROM "OutgoingMail" WHERE "userId" = $1 AND template = 'password_reset'`, [user.userId]);
    assert.equal(mail.length, 1);
    assert.equal(mail[0].recipient, user.email);
    const [row] = await auditOf(app, user.userId, 'password.reset_requested');
    assert.equal(row.metadata.actorId, admin.userId);
  });

  it('when an admin deletes an account, then it is erased like the owner\'s own deletion, its granted roles go, and the row names the actor', async () => {
    await signInAdmin();
    const user = await registerAndLogin(app);
    const role = `doomed-${randomBytes(3).toString('hex')}`;
    await app.http.post('/api/admin/roles').set(as()).send({ name: role, permissions: ['x:read'] }).expect(201);
    await app.http.post(`/api/admin/users/${user.userId}/roles`).set(as()).send({ role }).expect(200);
    const deleted = await app.http.delete(`/api/admin/users/${user.userId}`).set(as()).expect(200);
    assert.deepEqual(deleted.body, { deleted: true, sessionsEnded: 1 });
    assert.equal((await app.http.get('/api/user/me').set(bearer(user.accessToken))).status, 401);
    assert.equal((await app.http.post('/api/auth/login').send({ email: user.email, password: user.password })).status, 401);
    const [row] = await auditOf(app, user.userId, 'user.deleted');
    assert.equal(row.metadata.method, 'admin');
    assert.equal(row.metadata.actorId, admin.userId);
    assert.equal((await app.http.get(`/api/admin/users/${user.userId}`).set(as())).status, 404);
    assert.deepEqual(await sql(app, `SELECT "roleName" FROM "UserRole" WHERE "userId" = $1`, [user.userId]), []);
  });

  it('when the last active admin would be disabled or deleted, then 409 LAST_ADMIN; with a second admin it is allowed', async () => {
    await signInAdmin();
    for (const call of [app.http.post(`/api/admin/users/${admin.userId}/disable`), app.http.delete(`/api/admin/users/${admin.userId}`)]) {
      const res = await call.set(as());
      assert.equal(res.status, 409);
      assert.equal(res.body.error.code, 'LAST_ADMIN');
    }
    await app.http.get('/api/user/me').set(as()).expect(200);
    const second = await registerAndLogin(app);
    await app.http.post(`/api/admin/users/${second.userId}/roles`).set(as()).send({ role: 'admin' }).expect(200);
    const secondLogin = await app.http.post('/api/auth/login').send({ email: second.email, password: second.password }).expect(200);
    // The second admin disables the first: allowed now, and the first admin's session ends.
    await app.http.post(`/api/admin/users/${admin.userId}/disable`).set(bearer(secondLogin.body.accessToken)).expect(200);
    assert.equal((await app.http.get('/api/user/me').set(as())).status, 401);
    // Now the second is the last: it cannot disable itself; it re-enables the first.
    const self = await app.http.post(`/api/admin/users/${second.userId}/disable`).set(bearer(secondLogin.body.accessToken));
    assert.equal(self.body.error.code, 'LAST_ADMIN');
    await app.http.post(`/api/admin/users/${admin.userId}/enable`).set(bearer(secondLogin.body.accessToken)).expect(200);
    await signInAdmin();
    await app.http.delete(`/api/admin/users/${second.userId}/roles/admin`).set(as()).expect(200);
  });

  it('when the admin signed in longer ago than REAUTH_WINDOW_SECONDS, or without the second factor while having 2FA, then 403 REAUTH_REQUIRED and nothing changes', async () => {
    await signInAdmin();
    const user = await registerAndLogin(app);
    app.clock.advance(WINDOW + 30);
    const paths = [
      ['post', `/api/admin/users/${user.userId}/disable`],
      ['post', `/api/admin/users/${user.userId}/enable`],
      ['post', `/api/admin/users/${user.userId}/password-reset`],
      ['delete', `/api/admin/users/${user.userId}`],
    ] as const;
    for (const [method, path] of paths) {
      const res = await app.http[method](path).set(as());
      assert.equal(res.status, 403, path);
      assert.equal(res.body.error.code, 'REAUTH_REQUIRED', path);
    }
    // Reading still works with the older session.
    await app.http.get(`/api/admin/users/${user.userId}`).set(as()).expect(200);
    assert.equal((await app.http.get(`/api/admin/users/${user.userId}`).set(as())).body.user.status, 'active');
    // A fresh sign-in may act.
    await signInAdmin();
    await app.http.post(`/api/admin/users/${user.userId}/disable`).set(as()).expect(200);

    // An admin with 2FA on, in a recent session opened without the second factor (as a federated sign-in
    // opens one: aal 1), is refused too.
    const enable = await app.http.post('/api/user/2fa/enable').set(as()).expect(200);
    freshTotpStep(app);
    const verify = await app.http.post('/api/user/2fa/verify').set(as()).send({ code: generateTotpCode(enable.body.secret, app.clock.now()) });
    assert.equal(verify.status, 200, JSON.stringify(verify.body));
    assert.equal(claimsOf(admin.accessToken).aal, 1);
    await app.http.post(`/api/admin/users/${user.userId}/enable`).set(as()).expect(200); // the enrolling session is aal 2 now
    await sql(app, `UPDATE "Session" SET aal = 1 WHERE id = $1`, [claimsOf(admin.accessToken).sid]);
    const refused = await app.http.post(`/api/admin/users/${user.userId}/disable`).set(as());
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'REAUTH_REQUIRED');
    assert.match(refused.body.error.message, /second factor/);
    // The older 2FA reset route follows the same rule; with the second factor it goes through.
    assert.equal((await app.http.post(`/api/admin/users/${admin.userId}/reset-2fa`).set(as())).body.error?.code, 'REAUTH_REQUIRED');
    await sql(app, `UPDATE "Session" SET aal = 2 WHERE id = $1`, [claimsOf(admin.accessToken).sid]);
    await app.http.post(`/api/admin/users/${admin.userId}/reset-2fa`).set(as()).expect(200);
  });

  it('when the admin signed in longer ago than REAUTH_WINDOW_SECONDS, then every changing /api/admin operation of the OpenAPI document is 403 REAUTH_REQUIRED and nothing changes', async () => {
    await signInAdmin();
    const user = await registerAndLogin(app);
    const role = `kept-${randomBytes(3).toString('hex')}`;
    await app.http.post('/api/admin/roles').set(as()).send({ name: role, permissions: ['x:read'] }).expect(201);
    app.clock.advance(WINDOW + 30);
    const operations = documentedOperations().filter((op) => op.template.startsWith('/api/admin/') && op.method !== 'get');
    // Approve, reject, 2FA reset and sign-out-everywhere came before the console; roles and OAuth clients too.
    for (const old of ['post /api/admin/registrations/{userId}/approve', 'post /api/admin/users/{userId}/reset-2fa', 'post /api/admin/users/{userId}/revoke-sessions', 'post /api/admin/oauth-clients', 'delete /api/admin/roles/{name}']) {
      assert.ok(operations.some((op) => `${op.method} ${op.template}` === old), old);
    }
    for (const op of operations) {
      const path = op.template.replace('{userId}', user.userId).replace('{name}', role).replace('{clientId}', 'any-client');
      const res = await app.http[op.method](path).set(as()).send({ role, name: `${role}-x`, permissions: [] });
      assert.equal(res.status, 403, `${op.method} ${op.template}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, 'REAUTH_REQUIRED', `${op.method} ${op.template}`);
    }
    await app.http.get('/api/user/me').set(bearer(user.accessToken)).expect(200);
    const details = await app.http.get(`/api/admin/users/${user.userId}`).set(as()).expect(200);
    assert.equal(details.body.user.status, 'active');
    assert.deepEqual(await sql(app, `SELECT "roleName" FROM "UserRole" WHERE "userId" = $1`, [user.userId]), []);
    assert.equal((await sql(app, `SELECT name FROM "AccessRole" WHERE name = $1`, [role])).length, 1);
  });

  it('when a non-admin or a holder of a custom role only calls any /api/admin route (from the OpenAPI document), then 403 FORBIDDEN and nothing changes', async () => {
    await signInAdmin();
    const custom = `console-${randomBytes(3).toString('hex')}`;
    await app.http.post('/api/admin/roles').set(as()).send({ name: custom, permissions: ['users:write', 'admin:all'] }).expect(201);
    const plain = await registerAndLogin(app);
    const holder = await registerAndLogin(app);
    await app.http.post(`/api/admin/users/${holder.userId}/roles`).set(as()).send({ role: custom }).expect(200);
    const holderToken = (await app.http.post('/api/auth/refresh').send({ refreshToken: holder.refreshToken }).expect(200)).body.accessToken as string;
    const victim = await registerAndLogin(app);

    const operations = documentedOperations().filter((op) => op.template.startsWith('/api/admin/'));
    const listed = operations.map((op) => `${op.method} ${op.template}`);
    for (const op of CONSOLE_OPERATIONS) assert.ok(listed.includes(op), `${op} documented`);
    for (const op of operations) {
      const path = op.template.replace('{userId}', victim.userId).replace('{name}', custom).replace('{clientId}', 'any-client');
      for (const token of [plain.accessToken, holderToken]) {
        const res = await app.http[op.method](path).query({ status: 'active' }).set(bearer(token)).send({ role: 'admin', name: `${custom}-x`, permissions: [] });
        assert.equal(res.status, 403, `${op.method.toUpperCase()} ${op.template}`);
        assert.equal(res.body.error.code, 'FORBIDDEN');
      }
    }
    await app.http.get('/api/user/me').set(bearer(victim.accessToken)).expect(200);
    assert.deepEqual(await sql(app, `SELECT "roleName" FROM "UserRole" WHERE "userId" = $1`, [victim.userId]), []);
  });

  it('when the operator runs admin disable|enable|reject|delete on the CLI, then they act like the API and are audited with source cli', async () => {
    const env = { DATABASE_URL: app.database.url };
    const user = await registerAndLogin(app);
    const off = await cli(['admin', 'disable', '--email', user.email], env);
    assert.equal(off.code, 0, off.stderr);
    // Without shared Redis this server learns of the CLI's revocation at its database catch-up; refresh is
    // refused at once either way (docs/roles.md says the same of the roles CLI).
    assert.equal((await app.http.post('/api/auth/refresh').send({ refreshToken: user.refreshToken })).status, 401);
    assert.equal((await app.http.post('/api/auth/login').send({ email: user.email, password: user.password })).body.error.code, 'ACCOUNT_DISABLED');
    assert.equal((await cli(['admin', 'enable', '--email', user.email], env)).code, 0);
    await app.http.post('/api/auth/login').send({ email: user.email, password: user.password }).expect(200);
    const [row] = await auditOf(app, user.userId, 'account.disabled');
    assert.equal(row.metadata.source, 'cli');

    const notPending = await cli(['admin', 'reject', '--email', user.email], env);
    assert.equal(notPending.code, 1);
    const gone = await cli(['admin', 'delete', '--email', user.email], env);
    assert.equal(gone.code, 0, gone.stderr);
    assert.equal((await cli(['admin', 'delete', '--email', user.email], env)).code, 1);
    const last = await cli(['admin', 'disable', '--email', ADMIN.email], env);
    assert.equal(last.code, 1);
    assert.match(last.stderr, /last active administrator/);
  });
});
