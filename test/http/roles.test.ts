// Roles and permissions over HTTP (issue 28): the hierarchy and its closure, cycles refused, the built-in
// roles kept, token claims at the next refresh, a lost permission ending the sessions at once, the audit trail,
// the last-admin rule, and every admin route refused to a non-admin and to a holder of a custom role only.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, describe, it } from 'node:test';
import pg from 'pg';
import { bearer, claimsOf, registerAndLogin, useTestApp, type TestApp } from '../helpers/app';
import { documentedOperations } from '../helpers/openapi-routes';

const ADMIN = { email: 'roles-admin@example.test', password: 'admin-Cobalt-58-harbour' };

/** Role names unique per test, so the tests of one file never see each other's roles. */
const unique = (base: string) => `${base}-${randomBytes(3).toString('hex')}`;

async function auditRows(app: TestApp, types: string[]): Promise<{ userId: string | null; type: string; metadata: Record<string, unknown> }[]> {
  const client = new pg.Client({ connectionString: app.database.url });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT "userId", type, metadata FROM "AuditEvent" WHERE type = ANY($1) ORDER BY "createdAt", id`, [types]);
    return rows;
  } finally {
    await client.end();
  }
}

describe('roles and permissions', () => {
  const app = useTestApp({ env: { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password } });
  let admin: { accessToken: string; userId: string };
  const as = (token: string) => bearer(token);
  const createRole = (body: Record<string, unknown>) => app.http.post('/api/admin/roles').set(as(admin.accessToken)).send(body);

  before(async () => {
    const login = await app.http.post('/api/auth/login').send(ADMIN).expect(200);
    admin = { accessToken: login.body.accessToken, userId: login.body.user.id };
  });

  it('when a role includes another, then its effective permissions and a holder\'s are the closure over the hierarchy', async () => {
    const reader = unique('reader');
    const clerk = unique('clerk');
    const manager = unique('manager');
    await createRole({ name: reader, permissions: ['orders:read'] }).expect(201);
    await createRole({ name: clerk, permissions: ['orders:write', 'orders:write'], includes: [reader] }).expect(201);
    const created = await createRole({ name: manager, description: 'Shop managers', permissions: ['refunds:create'], includes: [clerk] }).expect(201);
    assert.deepEqual(created.body.role.permissions, ['refunds:create']);
    assert.deepEqual(created.body.role.includes, [clerk]);
    assert.deepEqual(created.body.role.effectivePermissions, ['orders:read', 'orders:write', 'refunds:create']);
    assert.equal(created.body.role.builtIn, false);

    const user = await registerAndLogin(app);
    const granted = await app.http.post(`/api/admin/users/${user.userId}/roles`).set(as(admin.accessToken)).send({ role: manager }).expect(200);
    assert.deepEqual(granted.body, {
      userId: user.userId, builtIn: 'user', assigned: [manager],
      roles: [clerk, manager, reader, 'user'].sort(), permissions: ['orders:read', 'orders:write', 'refunds:create'],
    });
    const read = await app.http.get(`/api/admin/users/${user.userId}/roles`).set(as(admin.accessToken)).expect(200);
    assert.deepEqual(read.body, granted.body);
    // An inclusion added higher up reaches the holder too.
    const auditor = unique('auditor');
    await createRole({ name: auditor, permissions: ['audit:read'] }).expect(201);
    await app.http.patch(`/api/admin/roles/${reader}`).set(as(admin.accessToken)).send({ includes: [auditor] }).expect(200);
    const after = await app.http.get(`/api/admin/users/${user.userId}/roles`).set(as(admin.accessToken)).expect(200);
    assert.deepEqual(after.body.permissions, ['audit:read', 'orders:read', 'orders:write', 'refunds:create']);
  });

  it('when a change would make a cycle, then 409 ROLE_CYCLE names it and nothing changes', async () => {
    const a = unique('a');
    const b = unique('b');
    const c = unique('c');
    await createRole({ name: a, permissions: ['x:read'] }).expect(201);
    await createRole({ name: b, includes: [a] }).expect(201);
    await createRole({ name: c, includes: [b] }).expect(201);
    const refused = await app.http.patch(`/api/admin/roles/${a}`).set(as(admin.accessToken)).send({ includes: [c] });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, 'ROLE_CYCLE');
    assert.ok(refused.body.error.message.includes(`${a} → ${c} → ${b} → ${a}`), refused.body.error.message);
    const self = await app.http.patch(`/api/admin/roles/${a}`).set(as(admin.accessToken)).send({ includes: [a] });
    assert.equal(self.status, 409);
    assert.equal(self.body.error.code, 'ROLE_CYCLE');
    const stored = await app.http.get(`/api/admin/roles/${a}`).set(as(admin.accessToken)).expect(200);
    assert.deepEqual(stored.body.role.includes, []);
  });

  it('when input is bad, then a clear 400 names the field, and unknown roles are 404', async () => {
    const badPermission = await createRole({ name: unique('bad'), permissions: ['Orders read'] });
    assert.equal(badPermission.status, 400);
    assert.equal(badPermission.body.error.details[0].field, 'permissions');
    const badName = await createRole({ name: 'Has Spaces' });
    assert.equal(badName.status, 400);
    assert.equal(badName.body.error.details[0].field, 'name');
    const unknownInclude = await createRole({ name: unique('orphan'), includes: ['no-such-role'] });
    assert.equal(unknownInclude.status, 400);
    assert.equal(unknownInclude.body.error.details[0].field, 'includes');
    const duplicate = unique('dup');
    await createRole({ name: duplicate }).expect(201);
    const again = await createRole({ name: duplicate });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'ROLE_CONFLICT');
    assert.equal((await app.http.get('/api/admin/roles/no-such-role').set(as(admin.accessToken))).status, 404);
    const user = await registerAndLogin(app);
    const grantUnknown = await app.http.post(`/api/admin/users/${user.userId}/roles`).set(as(admin.accessToken)).send({ role: 'no-such-role' });
    assert.equal(grantUnknown.status, 404);
    const grantUser = await app.http.post(`/api/admin/users/${user.userId}/roles`).set(as(admin.accessToken)).send({ role: 'user' });
    assert.equal(grantUser.status, 400);
  });

  it('when the built-in roles or an included role are deleted, then 409 ROLE_CONFLICT; a custom role is deleted with its grants', async () => {
    for (const name of ['user', 'admin']) {
      const res = await app.http.delete(`/api/admin/roles/${name}`).set(as(admin.accessToken));
      assert.equal(res.status, 409, name);
      assert.equal(res.body.error.code, 'ROLE_CONFLICT');
    }
    const list = await app.http.get('/api/admin/roles').set(as(admin.accessToken)).expect(200);
    const builtIns = list.body.roles.filter((r: { builtIn: boolean }) => r.builtIn).map((r: { name: string }) => r.name);
    assert.deepEqual(builtIns.sort(), ['admin', 'user']);
    assert.deepEqual(list.body.roles.find((r: { name: string }) => r.name === 'admin').includes, ['user']);

    const base = unique('base');
    const top = unique('top');
    await createRole({ name: base, permissions: ['files:read'] }).expect(201);
    await createRole({ name: top, includes: [base] }).expect(201);
    const included = await app.http.delete(`/api/admin/roles/${base}`).set(as(admin.accessToken));
    assert.equal(included.status, 409);
    assert.match(included.body.error.message, new RegExp(top));

    const user = await registerAndLogin(app);
    await app.http.post(`/api/admin/users/${user.userId}/roles`).set(as(admin.accessToken)).send({ role: top }).expect(200);
    await app.http.delete(`/api/admin/roles/${top}`).set(as(admin.accessToken)).expect(204);
    const roles = await app.http.get(`/api/admin/users/${user.userId}/roles`).set(as(admin.accessToken)).expect(200);
    assert.deepEqual(roles.body.assigned, []);
    // The holder lost files:read: their session ended.
    assert.equal((await app.http.post('/api/auth/refresh').send({ refreshToken: user.refreshToken })).status, 401);
  });

  it('when a role is granted, then the next refresh carries roles and permissions, the old token does not', async () => {
    const role = unique('orders');
    await createRole({ name: role, permissions: ['orders:read', 'orders:ship'] }).expect(201);
    const user = await registerAndLogin(app);
    const first = claimsOf(user.accessToken);
    assert.deepEqual(first.roles, ['user']);
    assert.deepEqual(first.permissions, []);
    assert.equal(first.role, 'user');

    await app.http.post(`/api/admin/users/${user.userId}/roles`).set(as(admin.accessToken)).send({ role }).expect(200);
    // The access token in hand stays as it was (a grant takes effect at the next refresh) and keeps working.
    await app.http.get('/api/user/me').set(as(user.accessToken)).expect(200);
    const refreshed = await app.http.post('/api/auth/refresh').send({ refreshToken: user.refreshToken }).expect(200);
    const next = claimsOf(refreshed.body.accessToken);
    assert.deepEqual(next.roles, [role, 'user'].sort());
    assert.deepEqual(next.permissions, ['orders:read', 'orders:ship']);
    assert.equal(next.role, 'user', 'the built-in role claim is unchanged');
    // An admin's token names both built-in roles (admin includes user).
    assert.deepEqual(claimsOf(admin.accessToken).roles, ['admin', 'user']);
  });

  it('when a user loses a permission, then every session of theirs ends at once with reason permissions_changed, audited', async () => {
    const role = unique('editor');
    await createRole({ name: role, permissions: ['posts:edit', 'posts:read'] }).expect(201);
    const user = await registerAndLogin(app);
    await app.http.post(`/api/admin/users/${user.userId}/roles`).set(as(admin.accessToken)).send({ role }).expect(200);
    const refreshed = await app.http.post('/api/auth/refresh').send({ refreshToken: user.refreshToken }).expect(200);

    // Adding a permission takes nothing away: the session lives on.
    await app.http.patch(`/api/admin/roles/${role}`).set(as(admin.accessToken)).send({ permissions: ['posts:edit', 'posts:read', 'posts:publish'] }).expect(200);
    await app.http.get('/api/user/me').set(as(refreshed.body.accessToken)).expect(200);

    await app.http.patch(`/api/admin/roles/${role}`).set(as(admin.accessToken)).send({ permissions: ['posts:read'] }).expect(200);
    const refused = await app.http.get('/api/user/me').set(as(refreshed.body.accessToken));
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error.code, 'SESSION_TERMINATED');
    assert.equal((await app.http.post('/api/auth/refresh').send({ refreshToken: refreshed.body.refreshToken })).status, 401);

    const rows = await auditRows(app, ['role.created', 'role.granted', 'role.updated', 'session.revoked']);
    const mine = rows.filter((r) => r.metadata.role === role || (r.userId === user.userId && r.metadata.reason === 'permissions_changed'));
    // The removal and the sessions it ended are written in one transaction (same time stamp): compare as sets.
    assert.deepEqual(mine.map((r) => r.type).sort(), ['role.created', 'role.granted', 'role.updated', 'role.updated', 'session.revoked']);
    assert.ok(mine.every((r) => r.metadata.actorId === admin.userId), 'every row names the administrator');
    const [added, removed] = mine.filter((r) => r.type === 'role.updated');
    assert.deepEqual([added.metadata.permissionsAdded, added.metadata.usersAffected], [['posts:publish'], 0]);
    assert.deepEqual([removed.metadata.permissionsRemoved, removed.metadata.usersAffected], [['posts:edit', 'posts:publish'], 1]);
    assert.deepEqual(mine.find((r) => r.type === 'session.revoked')?.metadata.sessionIds, [user.sessionId]);

    // Signing in again gives the reduced set.
    const again = await app.http.post('/api/auth/login').send({ email: user.email, password: user.password }).expect(200);
    assert.deepEqual(claimsOf(again.body.accessToken).permissions, ['posts:read']);
  });

  it('when a user still gets a removed permission through another role, then their session lives on', async () => {
    const one = unique('one');
    const two = unique('two');
    await createRole({ name: one, permissions: ['wiki:edit', 'wiki:read'] }).expect(201);
    await createRole({ name: two, permissions: ['wiki:read'] }).expect(201);
    const both = await registerAndLogin(app);
    const onlyOne = await registerAndLogin(app);
    for (const role of [one, two]) await app.http.post(`/api/admin/users/${both.userId}/roles`).set(as(admin.accessToken)).send({ role }).expect(200);
    await app.http.post(`/api/admin/users/${onlyOne.userId}/roles`).set(as(admin.accessToken)).send({ role: one }).expect(200);

    await app.http.patch(`/api/admin/roles/${one}`).set(as(admin.accessToken)).send({ permissions: ['wiki:edit'] }).expect(200);
    await app.http.get('/api/user/me').set(as(both.accessToken)).expect(200);
    assert.equal((await app.http.get('/api/user/me').set(as(onlyOne.accessToken))).status, 401);
  });

  it('when a role is taken away, then the user\'s sessions end; taking admin from the last active admin is refused', async () => {
    const role = unique('support');
    await createRole({ name: role, permissions: ['tickets:read'] }).expect(201);
    const user = await registerAndLogin(app);
    await app.http.post(`/api/admin/users/${user.userId}/roles`).set(as(admin.accessToken)).send({ role }).expect(200);
    const revoked = await app.http.delete(`/api/admin/users/${user.userId}/roles/${role}`).set(as(admin.accessToken)).expect(200);
    assert.deepEqual(revoked.body.assigned, []);
    assert.equal((await app.http.get('/api/user/me').set(as(user.accessToken))).status, 401);
    assert.equal((await app.http.delete(`/api/admin/users/${user.userId}/roles/${role}`).set(as(admin.accessToken))).status, 404);

    const last = await app.http.delete(`/api/admin/users/${admin.userId}/roles/admin`).set(as(admin.accessToken));
    assert.equal(last.status, 409);
    assert.equal(last.body.error.code, 'LAST_ADMIN');

    // With a second admin, one of them may step down; the demoted admin's sessions end and admin routes refuse.
    const second = await registerAndLogin(app);
    const promoted = await app.http.post(`/api/admin/users/${second.userId}/roles`).set(as(admin.accessToken)).send({ role: 'admin' }).expect(200);
    assert.equal(promoted.body.builtIn, 'admin');
    const secondAdmin = await app.http.post('/api/auth/login').send({ email: second.email, password: second.password }).expect(200);
    assert.equal(secondAdmin.body.user.role, 'admin');
    await app.http.get('/api/admin/roles').set(as(secondAdmin.body.accessToken)).expect(200);
    const demoted = await app.http.delete(`/api/admin/users/${second.userId}/roles/admin`).set(as(admin.accessToken)).expect(200);
    assert.equal(demoted.body.builtIn, 'user');
    assert.equal((await app.http.get('/api/admin/roles').set(as(secondAdmin.body.accessToken))).status, 401);
    const relogin = await app.http.post('/api/auth/login').send({ email: second.email, password: second.password }).expect(200);
    assert.equal((await app.http.get('/api/admin/roles').set(as(relogin.body.accessToken))).status, 403);
  });

  it('when a non-admin or a user holding only a custom role calls any admin route (from the OpenAPI document), then 403 FORBIDDEN', async () => {
    const custom = unique('operator');
    await createRole({ name: custom, permissions: ['admin:everything', 'roles:write'] }).expect(201);
    const plain = await registerAndLogin(app);
    const holder = await registerAndLogin(app);
    await app.http.post(`/api/admin/users/${holder.userId}/roles`).set(as(admin.accessToken)).send({ role: custom }).expect(200);
    const holderToken = (await app.http.post('/api/auth/refresh').send({ refreshToken: holder.refreshToken }).expect(200)).body.accessToken as string;
    assert.ok(claimsOf(holderToken).roles.includes(custom));

    const operations = documentedOperations().filter((op) => op.template.startsWith('/api/admin/'));
    assert.ok(operations.length >= 15, `admin operations in the document: ${operations.length}`);
    const roleRoutes = operations.filter((op) => op.template.includes('/roles'));
    assert.equal(roleRoutes.length, 8, 'the eight role routes are in the document');
    for (const op of operations) {
      const path = op.template.replace('{userId}', holder.userId).replace('{name}', custom).replace('{clientId}', 'some-client');
      for (const token of [plain.accessToken, holderToken]) {
        const res = await app.http[op.method](path).set(as(token)).send(op.requestTypes.length ? {} : undefined);
        assert.equal(res.status, 403, `${op.method.toUpperCase()} ${op.template}`);
        assert.equal(res.body.error.code, 'FORBIDDEN');
      }
    }
    // Nothing changed: the custom role is still there and still held.
    const roles = await app.http.get(`/api/admin/users/${holder.userId}/roles`).set(as(admin.accessToken)).expect(200);
    assert.deepEqual(roles.body.assigned, [custom]);
  });

  it('when a user signs in, then /me shows lastLoginAt', async () => {
    const user = await registerAndLogin(app);
    const me = await app.http.get('/api/user/me').set(as(user.accessToken)).expect(200);
    assert.equal(typeof me.body.user.lastLoginAt, 'string');
    assert.ok(Math.abs(Date.parse(me.body.user.lastLoginAt) - app.clock.now().getTime()) < 60_000);
    const registeredOnly = await app.http.post('/api/auth/register').send({ email: `never.${randomBytes(3).toString('hex')}@example.test`, password: user.password }).expect(201);
    const found = await app.http.get('/api/admin/users').query({ query: registeredOnly.body.user.email }).set(as(admin.accessToken)).expect(200);
    assert.equal(found.body.users[0].lastLoginAt, null);
  });
});

describe('roles: a permission set larger than TOKEN_PERMISSIONS_MAX', () => {
  const app = useTestApp({ env: { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, TOKEN_PERMISSIONS_MAX: '2' } });

  it('when a user has more permissions than the setting, then the token carries roles but no permissions claim', async () => {
    const adminToken = (await app.http.post('/api/auth/login').send(ADMIN).expect(200)).body.accessToken as string;
    const role = unique('wide');
    await app.http.post('/api/admin/roles').set(bearer(adminToken)).send({ name: role, permissions: ['a:read', 'b:read', 'c:read'] }).expect(201);
    const user = await registerAndLogin(app);
    await app.http.post(`/api/admin/users/${user.userId}/roles`).set(bearer(adminToken)).send({ role }).expect(200);
    const refreshed = await app.http.post('/api/auth/refresh').send({ refreshToken: user.refreshToken }).expect(200);
    const claims = claimsOf(refreshed.body.accessToken);
    assert.deepEqual(claims.roles, [role, 'user'].sort());
    assert.equal(claims.permissions, undefined);
  });
});
