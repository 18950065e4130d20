// A start that fails unwinds: whatever the composition root had opened before the failing step (Redis
// connections, bcrypt child processes, the signing thread, timers, NATS connections, the database pool) is
// closed, newest first. Redis and NATS are made unreachable by pointing them at a loopback port nothing
// listens on. `npm start` then exits 1 with one error line naming the area; a build that fails inside a
// process that does not exit must leave that process with nothing to wait for, so it ends by itself.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { freePort } from '../helpers/own-servers';
import { TEST_REDIS_URL } from '../helpers/services';

const ROOT = join(import.meta.dirname, '..', '..');
/** Generous for a loaded 2-core machine; a leaked handle (a Redis reconnect loop, a worker) never ends. */
const BOUND_MS = 45_000;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

function run(script: string, env: Record<string, string>): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', BCRYPT_COST: '4', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, BOUND_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('startup: a failed start closes what it started', () => {
  let db: TestDatabase;
  let closedPort: number;
  const dataDir = mkdtempSync(join(tmpdir(), 'auth-unwind-'));
  // Pools on, so the unwinding has child processes and a thread to close.
  const env = () => ({ DATABASE_URL: db.url, DATA_DIR: dataDir, BCRYPT_WORKERS: '2', SIGNING_THREADS: '1', JWT_ISSUER: 'http://unwind.test' });

  before(async () => {
    db = await createTestDatabase();
    closedPort = await freePort();
  });
  after(async () => {
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('when Redis and NATS are unreachable, then `npm start` exits 1 with one error line naming the area that failed', async () => {
    const res = await run('backend/src/main.ts', { ...env(), REDIS_URL: `redis://127.0.0.1:${closedPort}`, NATS_URL: `nats://127.0.0.1:${closedPort}`, LOG_LEVEL: 'info' });
    assert.equal(res.timedOut, false, `still running after ${BOUND_MS} ms:\n${res.stdout}${res.stderr}`);
    assert.equal(res.code, 1, res.stdout + res.stderr);
    const errors = jsonLines(res.stdout).filter((l) => l.level === 'error');
    assert.equal(errors.length, 1, res.stdout);
    assert.equal(errors[0].message, 'failed to start');
    assert.equal(errors[0].area, 'redis');
    assert.match(String(errors[0].error), /^redis: /);
    assert.doesNotMatch(res.stdout, /"listening"/);
    assert.equal(res.stderr.trim(), '', 'nothing outside the JSON log');
  });

  it('when Redis and NATS are unreachable, then the failed build leaves no handle open and its process ends by itself', async () => {
    const res = await run('test/integration/startup-unwind.child.ts', { ...env(), REDIS_URL: `redis://127.0.0.1:${closedPort}`, NATS_URL: `nats://127.0.0.1:${closedPort}` });
    assert.equal(res.timedOut, false, `the process did not end: something was left open:\n${res.stdout}${res.stderr}`);
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.deepEqual(jsonLines(res.stdout)[0]?.failed, 'redis', res.stdout);
  });

  it('when only NATS is unreachable (Redis, bcrypt children, signing thread and timers already started), then the build fails at the outbox relay and its process ends by itself', async () => {
    const res = await run('test/integration/startup-unwind.child.ts', { ...env(), REDIS_URL: TEST_REDIS_URL, NATS_URL: `nats://127.0.0.1:${closedPort}` });
    assert.equal(res.timedOut, false, `the process did not end: something was left open:\n${res.stdout}${res.stderr}`);
    assert.equal(res.code, 0, res.stdout + res.stderr);
    const [first] = jsonLines(res.stdout);
    assert.equal(first?.failed, 'jobs', res.stdout);
    assert.match(String(first?.error), /CONNECTION_REFUSED|ECONNREFUSED/, res.stdout);
  });

  it('when NATS is unreachable and this process runs no background jobs, then the build fails at messaging and its process ends by itself', async () => {
    const res = await run('test/integration/startup-unwind.child.ts', { ...env(), REDIS_URL: TEST_REDIS_URL, NATS_URL: `nats://127.0.0.1:${closedPort}`, AUTH_BACKGROUND_JOBS: '0' });
    assert.equal(res.timedOut, false, `the process did not end: something was left open:\n${res.stdout}${res.stderr}`);
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.equal(jsonLines(res.stdout)[0]?.failed, 'messaging', res.stdout);
  });
});
