// The servers under test and their data: the bench database and temp dir (removed on success, failure and
// Ctrl-C), app servers as child processes, seeding users and sessions over HTTP, and the machine facts.
import { rmSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcrypt';
import pg from 'pg';
import type { TestDatabase } from '../test/helpers/database';
import { freePort, spawnNode, stopAll, waitForHttp, type Child } from './children';
import { api, pool, runState } from './load';
import type { Machine } from './report';
import { CLUSTER_WORKERS, HUGE_LIMIT, ISSUER, PASSWORD, ROOT, USERS, log } from './settings';

/** The run's database and temp dir, once created. */
export const benchEnv: { db: TestDatabase | null; floorDb: TestDatabase | null; tmp: string | null } = { db: null, floorDb: null, tmp: null };

let cleaning: Promise<void> | null = null;

export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await stopAll().catch((e) => console.error('stopping children failed:', e));
    for (const key of ['db', 'floorDb'] as const) {
      const d = benchEnv[key];
      if (!d) continue;
      benchEnv[key] = null;
      await d.drop().catch((e) => console.error(`dropping database ${d.name} failed:`, e));
    }
    if (benchEnv.tmp) {
      rmSync(benchEnv.tmp, { recursive: true, force: true });
      benchEnv.tmp = null;
    }
  })();
  return cleaning;
}

/** VACUUM ANALYZE the whole database (autovacuum is off on the development machine's PostgreSQL). */
export async function vacuum(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('VACUUM ANALYZE');
  } finally {
    await c.end();
  }
}

export async function machine(url: string): Promise<Machine> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const { rows } = await c.query<{ version: string }>('SELECT version()');
  await c.end();
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: os.totalmem() / 2 ** 30,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    postgres: rows[0].version,
    loadAvgAtStart: os.loadavg(),
  };
}

/** Cost-12 bcrypt.compare throughput with one compare in flight per core (the login ceiling). */
export async function bcryptLimit(cost: number, seconds: number) {
  const parallel = os.cpus().length;
  const hash = await bcrypt.hash('x'.repeat(44), cost);
  await bcrypt.compare('x'.repeat(44), hash); // warm
  let done = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (performance.now() < deadline) {
        await bcrypt.compare('x'.repeat(44), hash);
        done++;
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  const hashesPerSecond = done / elapsed;
  return { cost, parallel, hashesPerSecond, msPerHash: (1000 * parallel) / hashesPerSecond, samples: [hashesPerSecond] };
}

export interface AppServerOpts {
  name: string;
  logLevel: 'warn' | 'info';
  bcryptCost: number;
  maxSessionsPerUser: number;
  profileDir?: string;
  /** Extra server environment for one phase (e.g. NATS_URL for nats-validate). */
  env?: Record<string, string>;
  /** Entry point instead of backend/src/main.ts (the tracing phase's server without main.ts). */
  script?: string;
}

export async function startApp(o: AppServerOpts): Promise<Child> {
  if (runState.aborted) throw new Error('aborted');
  const port = await freePort();
  const child = spawnNode({
    name: o.name,
    script: o.script ?? 'backend/src/main.ts',
    cwd: ROOT,
    port,
    logFile: join(benchEnv.tmp!, `${o.name}.log`),
    nodeArgs: o.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${o.profileDir}`] : [],
    env: {
      DATABASE_URL: benchEnv.db!.url,
      PORT: String(port),
      DATA_DIR: join(benchEnv.tmp!, 'data'),
      BCRYPT_COST: String(o.bcryptCost),
      LOG_LEVEL: o.logLevel,
      RATE_LIMIT_AUTH_PER_MIN: HUGE_LIMIT,
      RATE_LIMIT_ACCOUNT_PER_MIN: HUGE_LIMIT,
      MAX_SESSIONS_PER_USER: String(o.maxSessionsPerUser),
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: ISSUER,
      REGISTRATION_MODE: 'open',
      // BENCH_CLUSTER_WORKERS=n runs the app with CLUSTER_WORKERS=n, which needs Redis for shared state.
      ...(CLUSTER_WORKERS > 1 ? { CLUSTER_WORKERS: String(CLUSTER_WORKERS), REDIS_URL: process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379' } : {}),
      ...o.env,
    },
  });
  await waitForHttp(child, '/health');
  log(`${o.name} listening on ${child.url} (LOG_LEVEL=${o.logLevel}, BCRYPT_COST=${o.bcryptCost}${o.profileDir ? ', --cpu-prof' : ''})`);
  return child;
}

/** Error-level lines the server logged (count and the first one, shortened), e.g. unexpected 500s. */
export function errorLines(child: Child): { count: number; first: string } {
  try {
    const lines = readFileSync(child.logFile, 'utf8').split('\n').filter((l) => l.includes('"level":"error"'));
    return { count: lines.length, first: (lines[0] ?? '').slice(0, 300) };
  } catch {
    return { count: 0, first: '' };
  }
}

export interface Seeded {
  users: { email: string }[];
  /** One access token per user (its own session). */
  accessTokens: string[];
  /** Refresh tokens of distinct sessions, one per connection: [warmup chains, measured chains]. */
  refreshChains: [string[], string[]];
}

export async function register(base: string, emails: string[]): Promise<void> {
  await pool(emails, 8, async (email, i) => {
    const r = await api(base, 'POST', '/api/auth/register', { email, password: PASSWORD, username: `bench${i}` });
    if (r.status !== 201) throw new Error(`register ${email}: ${r.status} ${JSON.stringify(r.json)}`);
  });
}

async function login(base: string, email: string): Promise<{ accessToken: string; refreshToken: string }> {
  const r = await api(base, 'POST', '/api/auth/login', { email, password: PASSWORD, deviceName: 'bench' });
  if (r.status !== 200 || !r.json?.accessToken) throw new Error(`login ${email}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

export async function seed(base: string, runId: string, chainsPerPhase: number): Promise<Seeded> {
  const t0 = performance.now();
  const emails = Array.from({ length: USERS }, (_, i) => `bench${i}.${runId}@example.com`);
  await register(base, emails);
  const first = await pool(emails, 8, (e) => login(base, e));
  const chainLogins = await pool(
    Array.from({ length: 2 * chainsPerPhase }, (_, i) => emails[i % emails.length]),
    8,
    (e) => login(base, e),
  );
  const chains = chainLogins.map((l) => l.refreshToken);
  log(`seeded ${USERS} users, ${USERS + chains.length} sessions in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return {
    users: emails.map((email) => ({ email })),
    accessTokens: first.map((l) => l.accessToken),
    refreshChains: [chains.slice(0, chainsPerPhase), chains.slice(chainsPerPhase)],
  };
}
