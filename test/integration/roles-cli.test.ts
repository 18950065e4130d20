// `npm run cli -- roles …` on DATABASE_URL, run in-process through the CLI's main(): the same RoleService as
// the admin API, so the effect shows over HTTP and in the audit log (source "cli").
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { runCliInProcess as cli } from '../helpers/cli';
import { claimsOf, registerAndLogin, useTestApp } from '../helpers/app';

describe('roles CLI on DATABASE_URL', () => {
  const app = useTestApp();

  it('when roles are created, granted, listed and revoked at the CLI, then tokens and sessions follow and each change is audited as cli', async () => {
    const env = { DATABASE_URL: app.database.url };
    const user = await registerAndLogin(app);

    const created = await cli(['roles', 'create', '--name', 'warehouse', '--permission', 'stock:read', '--permission', 'stock:move', '--include', 'user'], env);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /created warehouse/);
    const cycle = await cli(['roles', 'create', '--name', 'loop', '--include', 'loop'], env);
    assert.equal(cycle.code, 1);
    assert.match(cycle.stderr, /ROLE_CYCLE/);

    const granted = await cli(['roles', 'grant', '--email', user.email, '--role', 'warehouse'], env);
    assert.equal(granted.code, 0, granted.stderr);
    assert.match(granted.stdout, /permissions: stock:move stock:read/);
    const list = await cli(['roles', 'list'], env);
    assert.match(list.stdout, /^admin \(built in\) .*includes: user$/m);
    assert.match(list.stdout, /^warehouse {2}permissions: stock:move stock:read {2}includes: user$/m);

    const refreshed = await app.http.post('/api/auth/refresh').send({ refreshToken: user.refreshToken }).expect(200);
    assert.deepEqual(claimsOf(refreshed.body.accessToken).permissions, ['stock:move', 'stock:read']);

    const revoked = await cli(['roles', 'revoke', '--email', user.email, '--role', 'warehouse'], env);
    assert.equal(revoked.code, 0, revoked.stderr);
    // The session ended in the database (the server's in-memory view hears of it through Redis or its catch-up).
    assert.equal((await app.http.post('/api/auth/refresh').send({ refreshToken: refreshed.body.refreshToken })).status, 401);
    const unknown = await cli(['roles', 'grant', '--email', 'nobody@example.test', '--role', 'warehouse'], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /NOT_FOUND/);

    const client = new pg.Client({ connectionString: app.database.url });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT type, metadata FROM "AuditEvent" WHERE type LIKE 'role.%' ORDER BY "createdAt", id`);
      assert.deepEqual(rows.map((r) => r.type), ['role.created', 'role.granted', 'role.revoked']);
      assert.ok(rows.every((r) => r.metadata.source === 'cli' && r.metadata.actorId === undefined));
    } finally {
      await client.end();
    }
  });
});
