// CLUSTER_WORKERS=2 (`npm start` as deployed on a multi-core host): workers share the port; a logout
// handled by one worker must be refused by every worker at once (revocations fan out over Redis).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { TEST_PASSWORD, uniqueEmail } from '../helpers/app';

const REDIS_URL = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('cluster mode', () => {
  let db: TestDatabase;
  let child: ChildProcess;
  let base: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'auth-cluster-'));

  before(async () => {
    db = await createTestDatabase();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['--import', 'tsx', 'backend/src/main.ts'], {
      env: {
        ...process.env, PORT: String(port), DATABASE_URL: db.url, REDIS_URL, DATA_DIR: dataDir, CLUSTER_WORKERS: '2',
        BCRYPT_COST: '4', LOG_LEVEL: 'warn', RATE_LIMIT_AUTH_PER_MIN: '100000', JWT_ISSUER: `cluster-${randomBytes(4).toString('hex')}`,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    // A hang guard, not a speed target: a primary and two workers each load the app through tsx, which took
    // 42 s on the shared 2-core CI machine under load (measured on Node 24); an idle machine needs a few seconds.
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        if ((await fetch(`${base}/health`)).ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error('cluster did not start');
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  after(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      // Bounded: a primary that ignores SIGTERM is killed rather than waited on for ever.
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('when a session is logged out through one worker, then no worker accepts its access token any more', async () => {
    const json = { 'content-type': 'application/json', connection: 'close' };
    const email = uniqueEmail('cluster');
    await fetch(`${base}/api/auth/register`, { method: 'POST', headers: json, body: JSON.stringify({ email, password: TEST_PASSWORD }) });
    const login = (await (await fetch(`${base}/api/auth/login`, { method: "POST", headers: json, body: JSON.stringify({ email, password: TEST_PASSWORD }) })).json()) as { accessToken: string };
    const auth = { authorization: `Bearer ${login.accessToken}`, connection: 'close' };
    // New connections are spread over the workers; every one must accept the token first...
    for (let i = 0; i < 6; i++) assert.equal((await fetch(`${base}/api/user/me`, { headers: auth })).status, 200);
    assert.equal((await fetch(`${base}/api/auth/logout`, { method: 'POST', headers: auth })).status, 204);
    // ...and, once Redis pub/sub has delivered (bounded wait), every one must refuse it.
    const deadline = Date.now() + 3000;
    let refusedInARow = 0;
    while (refusedInARow < 6 && Date.now() < deadline) {
      refusedInARow = (await fetch(`${base}/api/user/me`, { headers: auth })).status === 401 ? refusedInARow + 1 : 0;
    }
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${base}/api/user/me`, { headers: auth });
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, "SESSION_TERMINATED");
    }
  });
});
