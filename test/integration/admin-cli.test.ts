// `npm run cli -- admin create|promote` against a fresh PostgreSQL database (DATABASE_URL), run in-process
// through the CLI's main(), and against the embedded database under DATA_DIR as a real process (node + tsx,
// like `npm run cli`: the CLI's process-level smoke test, and two processes on one DATA_DIR is what it is
// about). Checks the exit code, the effect through the HTTP API, and the audit event.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import supertest from 'supertest';
import { loadConfig } from '../../backend/src/config';
import { buildContainer } from '../../backend/src/container';
import { createLogger } from '../../backend/src/infrastructure/logger';
import { MIGRATIONS_DIR, type TestDatabase } from '../helpers/database';
import { runCli, runCliInProcess } from '../helpers/cli';
import { TEST_PASSWORD, uniqueEmail, useTestApp } from '../helpers/app';

const ADMIN_PASSWORD = 'operator-Granite-42-harbour';

const cli = runCliInProcess;

async function auditOf(db: TestDatabase, email: string): Promise<{ type: string; userAgent: string | null; metadata: Record<string, unknown> }[]> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT a.type, a."userAgent", a.metadata FROM "AuditEvent" a JOIN "User" u ON u.id = a."userId" WHERE u.email = $1 ORDER BY a."createdAt"`,
      [email],
    );
    return rows;
  } finally {
    await client.end();
  }
}

describe('admin CLI on DATABASE_URL', () => {
  const app = useTestApp({ env: { REGISTRATION_MODE: 'approval' } });
  let db: TestDatabase;
  before(() => {
    db = app.database;
  });

  it('when `admin create` gets the password on stdin, then exit 0, the admin logs in with role admin, and the creation is audited with source cli', async () => {
    const email = uniqueEmail('cli-admin');
    const res = await cli(['admin', 'create', '--email', email.toUpperCase()], { DATABASE_URL: db.url }, `${ADMIN_PASSWORD}\n`);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, new RegExp(`created admin ${email.replace(/[.+]/g, '\\$&')}`));
    const login = await app.http.post('/api/auth/login').send({ email, password: ADMIN_PASSWORD });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    assert.equal(login.body.user.role, 'admin');
    assert.equal(login.body.user.status, 'active');
    const [event] = await auditOf(db, email);
    assert.equal(event?.type, 'user.registered');
    assert.equal(event?.metadata.source, 'cli');
    assert.match(event?.userAgent ?? '', /^sessionary-cli \(/);

    // Again with the same email: refused with a hint, nothing changed.
    const again = await cli(['admin', 'create', '--email', email, '--password', 'another-Basalt-17-orchard'], { DATABASE_URL: db.url });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists.*admin promote/);
    assert.equal((await app.http.post('/api/auth/login').send({ email, password: ADMIN_PASSWORD })).status, 200);
  });

  it('when `admin create` gets a common password, then exit 1 with the policy message and no account', async () => {
    const email = uniqueEmail('cli-weak');
    const res = await cli(['admin', 'create', '--email', email], { DATABASE_URL: db.url }, 'password\n');
    assert.equal(res.code, 1);
    assert.match(res.stderr, /VALIDATION_ERROR/);
    assert.deepEqual(await auditOf(db, email), []);
  });

  it('when `admin promote` names a pending registration, then it is refused without --activate, and with it the account becomes an active admin (audited)', async () => {
    const email = uniqueEmail('cli-promote');
    const reg = await app.http.post('/api/auth/register').send({ email, password: TEST_PASSWORD });
    assert.equal(reg.status, 202);

    const refused = await cli(['admin', 'promote', '--email', email], { DATABASE_URL: db.url });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /pending.*--activate/);
    assert.equal((await app.http.post('/api/auth/login').send({ email, password: TEST_PASSWORD })).body.error.code, 'ACCOUNT_PENDING');

    const res = await cli(['admin', 'promote', '--email', email, '--activate'], { DATABASE_URL: db.url });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /promoted/);
    const login = await app.http.post('/api/auth/login').send({ email, password: TEST_PASSWORD });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    assert.equal(login.body.user.role, 'admin');
    const promoted = (await auditOf(db, email)).find((e) => e.type === 'admin.promoted');
    assert.deepEqual(promoted?.metadata, { source: 'cli', previousRole: 'user', previousStatus: 'pending' });
  });

  it('when the email is unknown, then exit 1 NOT_FOUND; when flags are wrong, then exit 2 with the usage', async () => {
    const missing = await cli(['admin', 'promote', '--email', uniqueEmail('nobody')], { DATABASE_URL: db.url });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /NOT_FOUND/);
    for (const args of [['admin', 'promote'], ['admin', 'create', '--email', 'x@example.test', '--bogus'], ['admin', 'explode'], ['nosuchgroup']]) {
      const res = await cli(args, { DATABASE_URL: db.url });
      assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`);
      assert.match(res.stdout + res.stderr, /usage: npm run cli --/);
    }
  });
});

describe('admin CLI on the embedded database (DATA_DIR)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'auth-cli-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('when `admin create` runs on DATA_DIR, then the server started on that DATA_DIR has the admin; while the server runs, the CLI refuses to open the database', async () => {
    const email = uniqueEmail('embedded-admin');
    const res = await runCli(['admin', 'create', '--email', email], { DATA_DIR: dataDir }, `${ADMIN_PASSWORD}\n`);
    assert.equal(res.code, 0, res.stderr);

    const c = await buildContainer(loadConfig({ DATA_DIR: dataDir, BCRYPT_COST: '4', LOG_LEVEL: 'error' }), {
      migrationsDir: MIGRATIONS_DIR,
      logger: createLogger('error'),
    });
    try {
      const { url } = await c.start(0);
      const login = await supertest(url).post('/api/auth/login').send({ email, password: ADMIN_PASSWORD });
      assert.equal(login.status, 200, JSON.stringify(login.body));
      assert.equal(login.body.user.role, 'admin');

      // PGlite has no locking of its own: a second process on the same files would corrupt them.
      const busy = await runCli(['admin', 'promote', '--email', email], { DATA_DIR: dataDir });
      assert.equal(busy.code, 1);
      assert.match(busy.stderr, new RegExp(`in use by process ${process.pid}`));
    } finally {
      await c.stop();
    }
  });
});
