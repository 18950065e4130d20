// `npm run bench`: load-tests the real server (a child process on a fresh PostgreSQL database) against a bare
// Express + RS256-verify baseline, checks the results against the performance targets, prints a table and
// writes docs/benchmarks.md. Cleans up (children, database, temp dirs) on success, failure and Ctrl-C.
//
// Phases (each server is its own `node --import tsx backend/src/main.ts` process; this process only
// generates load):
//   0. bcrypt limit: how many cost-12 compares/s this machine does with one compare per core.
//   1. baseline: bench/baseline-server.ts.
//   2. server A (LOG_LEVEL=warn, BCRYPT_COST=4): seed users and sessions over HTTP, then validate, /me,
//      session list and refresh rotation. The bcrypt cost plays no part in these (no password is checked),
//      so cost 4 only makes seeding fast.
//   3. server B (LOG_LEVEL=info): /me again, to show what one JSON log line per request costs.
//   4. server C (BCRYPT_COST=12): login load, with a light /me load alongside for its p99.
// The servers share the database and DATA_DIR (so the signing key) and a fixed JWT_ISSUER, so tokens
// issued by A stay valid on B and C.
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { keepSections } from './kept-sections';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import bcrypt from 'bcrypt';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../test/helpers/database';
import { freePort, killAllSync, spawnNode, stopAll, stopChild, waitForHttp, type Child } from './children';
import { summarise } from './profile-summary';
import { consoleTable, consoleTargets, markdown, type Machine, type Report, type ScenarioResult, type Target } from './report';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

// ---------- settings ----------

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number`);
  return n;
}

const DURATION = envInt('BENCH_DURATION', 10);
const WARMUP = envInt('BENCH_WARMUP', 2);
const CONNECTIONS = envInt('BENCH_CONNECTIONS', 32);
const LOGIN_CONNECTIONS = envInt('BENCH_LOGIN_CONNECTIONS', 8);
const USERS = envInt('BENCH_USERS', 50);
const CLUSTER_WORKERS = envInt('BENCH_CLUSTER_WORKERS', 1);
const MAX_SECONDS = envInt('BENCH_MAX_SECONDS', 300);
const LIGHT_ME = { connections: 4, rate: 50 };
const LOGIN_COST = 12;
const SEED_COST = 4;
const ISSUER = 'http://sessionary.bench';
const HUGE_LIMIT = '10000000';
const PASSWORD = `Bench-${randomBytes(6).toString('hex')}-pw`;

const ALL = ['baseline', 'validate', 'me', 'me-info', 'sessions', 'refresh', 'login'] as const;
type ScenarioId = (typeof ALL)[number];
const PROFILE = (process.env.BENCH_PROFILE || null) as ScenarioId | null;
const ONLY = PROFILE ? [PROFILE] : process.env.BENCH_ONLY ? (process.env.BENCH_ONLY.split(',').map((s) => s.trim()) as ScenarioId[]) : [...ALL];
for (const s of ONLY) if (!ALL.includes(s)) throw new Error(`unknown scenario "${s}"; known: ${ALL.join(', ')}`);
if (PROFILE === 'baseline') throw new Error('BENCH_PROFILE profiles the server under test; pick an app scenario');
const FULL = ONLY.length === ALL.length;
const selected = (id: ScenarioId) => ONLY.includes(id);

const log = (msg: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);

// ---------- cleanup ----------

let db: TestDatabase | null = null;
let tmp: string | null = null;
let cleaning: Promise<void> | null = null;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await stopAll().catch((e) => console.error('stopping children failed:', e));
    if (db) {
      const d = db;
      db = null;
      await d.drop().catch((e) => console.error(`dropping database ${d.name} failed:`, e));
    }
    if (tmp) {
      rmSync(tmp, { recursive: true, force: true });
      tmp = null;
    }
  })();
  return cleaning;
}

process.on('exit', () => {
  killAllSync();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});
/** Set on Ctrl-C/SIGTERM: running load stops, and no further phase starts. */
let aborted = false;
const running = new Set<autocannon.Instance>();

/** autocannon, tracked so an abort can stop it (which also lets the servers close their connections). */
function cannon(opts: autocannon.Options): Promise<autocannon.Result> {
  if (aborted) return Promise.reject(new Error('aborted'));
  const inst = autocannon(opts);
  running.add(inst);
  return Promise.resolve(inst).finally(() => running.delete(inst));
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    log(`${sig}: stopping load, cleaning up`);
    aborted = true;
    for (const inst of running) inst.stop();
    void cleanup().finally(() => process.exit(130));
  });
}
const watchdog = setTimeout(() => {
  console.error(`bench: exceeded BENCH_MAX_SECONDS=${MAX_SECONDS}; aborting`);
  void cleanup().finally(() => process.exit(1));
}, MAX_SECONDS * 1000);

// ---------- small helpers ----------

async function api(base: string, method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

async function pool<T, R>(items: T[], concurrency: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

/** 1-minute load average sampled when the last measured run started (includes the bench's own load). */
let loadAtStart = 0;
/** CLOCK_MONOTONIC µs of the last measured run, to cut a CPU profile down to it. */
let lastWindow: [number, number] = [0, 0];
const monoUs = () => Number(process.hrtime.bigint() / 1000n);

function summarize(id: string, title: string, r: autocannon.Result, notes: string[] = []): ScenarioResult {
  const statusCodes: Record<string, number> = {};
  for (const [code, v] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = Number(v.count);
  return {
    id,
    title,
    connections: r.connections,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    total: r.requests.total,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    mismatches: r.mismatches,
    statusCodes,
    load1: loadAtStart,
    notes,
  };
}

const clean = (s: ScenarioResult | undefined) => !!s && s.errors === 0 && s.non2xx === 0 && s.mismatches === 0 && s.total > 0;

/** Warm-up run (discarded), then the measured run; `make` builds fresh options for each. */
async function measure(make: (phase: 'warmup' | 'measure') => autocannon.Options): Promise<autocannon.Result> {
  await cannon({ ...make('warmup'), duration: WARMUP });
  loadAtStart = os.loadavg()[0]!;
  const from = monoUs();
  const r = await cannon({ ...make('measure'), duration: DURATION });
  lastWindow = [from, monoUs()];
  return r;
}

/** Each connection sends `Authorization: Bearer <token>` of its own user (round robin over the seeded users). */
function bearerPerConnection(tokens: string[]) {
  let n = 0;
  return (client: autocannon.Client) => client.setHeaders({ authorization: `Bearer ${tokens[n++ % tokens.length]}` });
}

// ---------- machine ----------

async function machine(url: string): Promise<Machine> {
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
    postgres: rows[0]!.version,
    loadAvgAtStart: os.loadavg(),
  };
}

/** Cost-12 bcrypt.compare throughput with one compare in flight per core (the login ceiling). */
async function bcryptLimit(cost: number, seconds: number) {
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

// ---------- servers ----------

interface AppServerOpts {
  name: string;
  logLevel: 'warn' | 'info';
  bcryptCost: number;
  maxSessionsPerUser: number;
  profileDir?: string;
}

async function startApp(o: AppServerOpts): Promise<Child> {
  if (aborted) throw new Error('aborted');
  const port = await freePort();
  const child = spawnNode({
    name: o.name,
    script: 'backend/src/main.ts',
    cwd: ROOT,
    port,
    logFile: join(tmp!, `${o.name}.log`),
    nodeArgs: o.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${o.profileDir}`] : [],
    env: {
      DATABASE_URL: db!.url,
      PORT: String(port),
      DATA_DIR: join(tmp!, 'data'),
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
    },
  });
  await waitForHttp(child, '/health');
  log(`${o.name} listening on ${child.url} (LOG_LEVEL=${o.logLevel}, BCRYPT_COST=${o.bcryptCost}${o.profileDir ? ', --cpu-prof' : ''})`);
  return child;
}

/** Error-level lines the server logged (count and the first one, shortened), e.g. unexpected 500s. */
function errorLines(child: Child): { count: number; first: string } {
  try {
    const lines = readFileSync(child.logFile, 'utf8').split('\n').filter((l) => l.includes('"level":"error"'));
    return { count: lines.length, first: (lines[0] ?? '').slice(0, 300) };
  } catch {
    return { count: 0, first: '' };
  }
}

interface Seeded {
  users: { email: string }[];
  /** One access token per user (its own session). */
  accessTokens: string[];
  /** Refresh tokens of distinct sessions, one per connection: [warmup chains, measured chains]. */
  refreshChains: [string[], string[]];
}

async function register(base: string, emails: string[]): Promise<void> {
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

async function seed(base: string, runId: string, chainsPerPhase: number): Promise<Seeded> {
  const t0 = performance.now();
  const emails = Array.from({ length: USERS }, (_, i) => `bench${i}.${runId}@example.com`);
  await register(base, emails);
  const first = await pool(emails, 8, (e) => login(base, e));
  const chainLogins = await pool(
    Array.from({ length: 2 * chainsPerPhase }, (_, i) => emails[i % emails.length]!),
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

// ---------- scenarios ----------

async function runBaseline(): Promise<ScenarioResult> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const port = await freePort();
  const child = spawnNode({
    name: 'baseline',
    script: 'bench/baseline-server.ts',
    cwd: ROOT,
    port,
    logFile: join(tmp!, 'baseline.log'),
    env: {
      PORT: String(port),
      BASELINE_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }) as string,
      BASELINE_ISSUER: ISSUER,
      BASELINE_AUDIENCE: ISSUER,
    },
  });
  try {
    await waitForHttp(child, '/health');
    // Same claim set and size as the app's access tokens.
    const tokens = Array.from({ length: USERS }, () =>
      jwt.sign({ sub: randomUUID(), sid: randomUUID(), role: 'user', aal: 1, email: 'someone@example.com', username: 'someone' }, privateKey, {
        algorithm: 'RS256',
        keyid: 'baseline',
        expiresIn: 900,
        issuer: ISSUER,
        audience: ISSUER,
        jwtid: randomUUID(),
      }),
    );
    log('scenario baseline');
    const r = await measure(() => ({
      url: `${child.url}/verify`,
      connections: CONNECTIONS,
      setupClient: bearerPerConnection(tokens),
      verifyBody: (b) => b.includes('"valid":true'),
    }));
    return summarize('baseline', 'baseline: bare Express + RS256 verify', r);
  } finally {
    await stopChild(child);
  }
}

interface ChainState {
  token: string;
  ok: number;
  failed: number;
  firstFailure: string | null;
}

/** Every connection owns one session and follows its own refresh-token chain. */
async function runRefresh(base: string, chains: [string[], string[]]): Promise<ScenarioResult> {
  const phases: Record<'warmup' | 'measure', ChainState[]> = { warmup: [], measure: [] };
  const r = await measure((phase) => {
    const supply = [...(phase === 'warmup' ? chains[0] : chains[1])];
    return {
      url: base,
      connections: CONNECTIONS,
      setupClient: (client) => {
        const state: ChainState = { token: supply.shift()!, ok: 0, failed: 0, firstFailure: null };
        phases[phase].push(state);
        client.setRequests([
          {
            method: 'POST',
            path: '/api/auth/refresh',
            headers: { 'content-type': 'application/json' },
            setupRequest: (req) => ({ ...req, body: JSON.stringify({ refreshToken: state.token }) }),
            onResponse: (status, body) => {
              let next: string | undefined;
              if (status === 200) {
                try {
                  next = JSON.parse(body).refreshToken;
                } catch {
                  // counted below
                }
              }
              if (next) {
                state.token = next;
                state.ok++;
              } else {
                state.failed++;
                state.firstFailure ??= `${status} ${body.slice(0, 120)}`;
              }
            },
          },
        ]);
      },
      verifyBody: (b) => b.includes('"refreshToken"'),
    };
  });
  const m = phases.measure;
  const broken = m.filter((s) => s.failed > 0);
  const perChain = m.map((s) => s.ok);
  const notes = [
    `${m.length} independent chains; successful rotations per chain min ${Math.min(...perChain)}, max ${Math.max(...perChain)}; ` +
      (broken.length ? `**${broken.length} chain(s) BROKE** — first failure: \`${broken[0]!.firstFailure}\`` : 'no chain broke'),
  ];
  const warmBroken = phases.warmup.filter((s) => s.failed > 0);
  if (warmBroken.length) notes.push(`warm-up: ${warmBroken.length} chain(s) broke — first failure: \`${warmBroken[0]!.firstFailure}\``);
  return summarize('refresh', 'POST /api/auth/refresh (per-connection chains)', r, notes);
}

// ---------- main ----------

async function main(): Promise<void> {
  const started = Date.now();
  const runId = Date.now().toString(36);
  tmp = mkdtempSync(join(os.tmpdir(), 'sessionary-bench-'));
  mkdirSync(join(tmp, 'data'));
  const profileDir = PROFILE ? mkdtempSync(join(os.tmpdir(), 'sessionary-bench-profile-')) : undefined;
  const results = new Map<string, ScenarioResult>();
  const needApp = ONLY.some((s) => s !== 'baseline');

  db = await createTestDatabase();
  log(`database ${db.name} created and migrated; temp dir ${tmp}`);
  const mach = await machine(db.url);
  log(`${mach.cpuModel} × ${mach.cores}, load avg ${mach.loadAvgAtStart.map((x) => x.toFixed(2)).join(' ')}, Node ${mach.node}`);

  let bcryptRes: Report['bcrypt'] = null;

  if (selected('baseline')) results.set('baseline', await runBaseline());

  const chainsNeeded = selected('refresh') ? CONNECTIONS : 0;
  const sessionsPerUser = 1 + Math.ceil((2 * chainsNeeded) / USERS);
  const maxSessions = Math.max(10, sessionsPerUser + 2);
  let seeded: Seeded | null = null;
  const profiles: string[] = [];

  if (needApp) {
    const profA = PROFILE && ['validate', 'me', 'sessions', 'refresh'].includes(PROFILE) ? profileDir : undefined;
    const a = await startApp({ name: 'server-A', logLevel: 'warn', bcryptCost: SEED_COST, maxSessionsPerUser: maxSessions, profileDir: profA });
    try {
      seeded = await seed(a.url, runId, chainsNeeded);
      const s = seeded;
      if (selected('validate')) {
        log('scenario validate');
        const r = await measure(() => ({ url: `${a.url}/api/auth/validate`, connections: CONNECTIONS, setupClient: bearerPerConnection(s.accessTokens), verifyBody: (b) => b.includes('"valid":true') }));
        results.set('validate', summarize('validate', 'GET /api/auth/validate', r));
      }
      if (selected('me')) {
        log('scenario me');
        const r = await measure(() => ({ url: `${a.url}/api/user/me`, connections: CONNECTIONS, setupClient: bearerPerConnection(s.accessTokens), verifyBody: (b) => b.includes('"user"') }));
        results.set('me', summarize('me', 'GET /api/user/me', r));
      }
      if (selected('sessions')) {
        log('scenario sessions');
        const r = await measure(() => ({ url: `${a.url}/api/user/sessions`, connections: CONNECTIONS, setupClient: bearerPerConnection(s.accessTokens), verifyBody: (b) => b.includes('"sessions"') }));
        results.set('sessions', summarize('sessions', `GET /api/user/sessions (${sessionsPerUser} sessions/user)`, r));
      }
      if (selected('refresh')) {
        log('scenario refresh');
        results.set('refresh', await runRefresh(a.url, s.refreshChains));
      }
    } finally {
      await stopChild(a);
      const errs = errorLines(a);
      if (errs.count) {
        log(`server-A logged ${errs.count} error line(s), first: ${errs.first}`);
        for (const r of results.values()) if (r.id !== 'baseline') r.notes.push(`server logged ${errs.count} error-level line(s) during its phase; first: \`${errs.first}\``);
      }
    }
  }

  if (selected('me-info') && seeded) {
    const s = seeded;
    const b = await startApp({ name: 'server-B', logLevel: 'info', bcryptCost: SEED_COST, maxSessionsPerUser: maxSessions, profileDir: PROFILE === 'me-info' ? profileDir : undefined });
    try {
      log('scenario me-info');
      const r = await measure(() => ({ url: `${b.url}/api/user/me`, connections: CONNECTIONS, setupClient: bearerPerConnection(s.accessTokens), verifyBody: (x) => x.includes('"user"') }));
      results.set('me-info', summarize('me-info', 'GET /api/user/me with LOG_LEVEL=info', r));
    } finally {
      await stopChild(b);
      const errs = errorLines(b);
      if (errs.count) results.get('me-info')?.notes.push(`server logged ${errs.count} error-level line(s); first: \`${errs.first}\``);
    }
  }

  if (selected('login') && seeded) {
    const s = seeded;
    const c = await startApp({ name: 'server-C', logLevel: 'warn', bcryptCost: LOGIN_COST, maxSessionsPerUser: 10, profileDir: PROFILE === 'login' ? profileDir : undefined });
    try {
      const emails = Array.from({ length: LOGIN_CONNECTIONS }, (_, i) => `login${i}.${runId}@example.com`);
      const t0 = performance.now();
      await register(c.url, emails);
      log(`registered ${emails.length} login users at cost ${LOGIN_COST} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      // The bcrypt ceiling is measured right before and right after the login run (server idle), and the
      // mean used: on a shared machine it drifts with whatever else runs, so measure it close to the run.
      const bcryptBefore = await bcryptLimit(LOGIN_COST, 4);
      log(`bcrypt cost ${LOGIN_COST}: ${bcryptBefore.hashesPerSecond.toFixed(1)} compares/s with ${bcryptBefore.parallel} in parallel (${bcryptBefore.msPerHash.toFixed(0)} ms each)`);
      log('scenario login control: light /me load alone');
      const meOpts = (): autocannon.Options => ({
        url: `${c.url}/api/user/me`,
        connections: LIGHT_ME.connections,
        overallRate: LIGHT_ME.rate,
        setupClient: bearerPerConnection(s.accessTokens),
        verifyBody: (b) => b.includes('"user"'),
      });
      loadAtStart = os.loadavg()[0]!;
      const control = await cannon({ ...meOpts(), duration: Math.max(3, Math.round(DURATION / 2)) });
      results.set('me-control', summarize('me-control', `GET /api/user/me at ${LIGHT_ME.rate} req/s, no other load (control)`, control));
      log('scenario login (+ light /me load)');
      const loginOpts = (): autocannon.Options => {
        let n = 0;
        return {
          url: `${c.url}/api/auth/login`,
          method: 'POST',
          connections: LOGIN_CONNECTIONS,
          timeout: 30,
          setupClient: (client) => client.setHeadersAndBody({ 'content-type': 'application/json' }, JSON.stringify({ email: emails[n++ % emails.length], password: PASSWORD })),
          verifyBody: (b) => b.includes('"accessToken"'),
        };
      };
      await Promise.all([cannon({ ...loginOpts(), duration: WARMUP }), cannon({ ...meOpts(), duration: WARMUP })]);
      loadAtStart = os.loadavg()[0]!;
      const from = monoUs();
      const [lr, mr] = await Promise.all([cannon({ ...loginOpts(), duration: DURATION }), cannon({ ...meOpts(), duration: DURATION })]);
      lastWindow = [from, monoUs()];
      const bcryptAfter = await bcryptLimit(LOGIN_COST, 4);
      log(`bcrypt cost ${LOGIN_COST} again: ${bcryptAfter.hashesPerSecond.toFixed(1)} compares/s`);
      const mean = (bcryptBefore.hashesPerSecond + bcryptAfter.hashesPerSecond) / 2;
      bcryptRes = {
        cost: LOGIN_COST,
        parallel: bcryptBefore.parallel,
        hashesPerSecond: mean,
        msPerHash: (1000 * bcryptBefore.parallel) / mean,
        samples: [bcryptBefore.hashesPerSecond, bcryptAfter.hashesPerSecond],
      };
      const limitNote = bcryptRes ? [`bcrypt-bound limit ${bcryptRes.hashesPerSecond.toFixed(1)}/s → ratio ${(lr.requests.average / bcryptRes.hashesPerSecond).toFixed(2)}`] : [];
      results.set('login', summarize('login', `POST /api/auth/login (BCRYPT_COST=${LOGIN_COST})`, lr, limitNote));
      results.set('me-during-login', summarize('me-during-login', `GET /api/user/me at ${LIGHT_ME.rate} req/s during login load`, mr));
    } finally {
      await stopChild(c);
      const errs = errorLines(c);
      if (errs.count) results.get('login')?.notes.push(`server logged ${errs.count} error-level line(s) during the login phase; first: \`${errs.first}\``);
    }
  }

  if (aborted) throw new Error('aborted');

  // ---------- targets ----------
  const get = (id: string) => results.get(id);
  const base = get('baseline');
  const targets: Target[] = [];
  const ratioTarget = (name: string, id: string, factor: number) => {
    const s = get(id);
    if (!s || !base) return targets.push({ name, requirement: `≥ ${factor} × baseline req/s`, measured: 'not run', met: null });
    const ratio = s.rps / base.rps;
    const ok = clean(s) && clean(base);
    targets.push({
      name,
      requirement: `≥ ${factor} × baseline req/s (≥ ${Math.round(factor * base.rps).toLocaleString('en-US')})`,
      measured: `${Math.round(s.rps).toLocaleString('en-US')} req/s = ${ratio.toFixed(2)} × baseline`,
      met: ratio >= factor && ok,
      why: ok ? undefined : 'errors or non-2xx responses',
    });
  };
  ratioTarget('validate', 'validate', 0.8);
  ratioTarget('/me', 'me', 0.5);
  {
    const s = get('refresh');
    const broken = s?.notes.some((n) => n.includes('BROKE'));
    targets.push(
      s
        ? {
            name: 'refresh rotation',
            requirement: '≥ 1,500 req/s with p99 < 60 ms',
            measured: `${Math.round(s.rps).toLocaleString('en-US')} req/s, p99 ${s.p99} ms`,
            met: s.rps >= 1500 && s.p99 < 60 && clean(s) && !broken,
            why: broken
              ? 'a refresh chain broke'
              : !clean(s)
                ? 'errors or non-2xx responses'
                : [s.rps < 1500 ? 'req/s below 1,500' : '', s.p99 >= 60 ? 'p99 ≥ 60 ms' : ''].filter(Boolean).join(', ') || undefined,
          }
        : { name: 'refresh rotation', requirement: '≥ 1,500 req/s with p99 < 60 ms', measured: 'not run', met: null },
    );
  }
  {
    const s = get('sessions');
    targets.push(
      s
        ? { name: 'session list', requirement: '≥ 3,000 req/s', measured: `${Math.round(s.rps).toLocaleString('en-US')} req/s`, met: s.rps >= 3000 && clean(s), why: clean(s) ? undefined : 'errors or non-2xx responses' }
        : { name: 'session list', requirement: '≥ 3,000 req/s', measured: 'not run', met: null },
    );
  }
  {
    const l = get('login');
    const m = get('me-during-login');
    const ctl = get('me-control');
    if (l && m && bcryptRes) {
      const ratio = l.rps / bcryptRes.hashesPerSecond;
      const ok = clean(l) && clean(m);
      targets.push({
        name: 'login',
        requirement: `≥ 0.9 × bcrypt-bound limit (≥ ${(0.9 * bcryptRes.hashesPerSecond).toFixed(1)}/s) while /me p99 < 50 ms`,
        measured: `${l.rps.toFixed(1)} logins/s = ${ratio.toFixed(2)} × ${bcryptRes.hashesPerSecond.toFixed(1)}/s; /me p99 ${m.p99} ms${ctl ? ` (${ctl.p99} ms without login load)` : ''}`,
        met: ratio >= 0.9 && m.p99 < 50 && ok,
        why: !ok
          ? 'errors or non-2xx responses'
          : [ratio < 0.9 ? 'login rate below 0.9 × limit' : '', m.p99 >= 50 ? '/me p99 ≥ 50 ms during login load' : ''].filter(Boolean).join(', ') || undefined,
      });
    } else {
      targets.push({ name: 'login', requirement: '≥ 0.9 × bcrypt-bound limit while /me p99 < 50 ms', measured: 'not run', met: null });
    }
  }

  let logging: string | null = null;
  const me = get('me');
  const meInfo = get('me-info');
  if (me && meInfo) {
    const change = 100 * (meInfo.rps / me.rps - 1);
    logging =
      `GET /api/user/me: ${Math.round(me.rps).toLocaleString('en-US')} req/s (p99 ${me.p99} ms) at LOG_LEVEL=warn vs ` +
      `${Math.round(meInfo.rps).toLocaleString('en-US')} req/s (p99 ${meInfo.p99} ms) at LOG_LEVEL=info, i.e. ` +
      `${Math.abs(change).toFixed(0)}% ${change <= 0 ? 'fewer' : 'MORE (noise: the machine was busier during the warn run)'} requests/s with one JSON log line per request ` +
      '(winston Console transport; the child\'s stdout is a file, so each write is synchronous as for any file or pipe on Linux).';
  }

  let profile: string | null = null;
  if (profileDir) {
    // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread; the others are tsx's loader worker.
    const files = readdirSync(profileDir).filter((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f));
    for (const f of files) profiles.push(join(profileDir, f));
    profile = profiles.length ? profiles.map((p) => summarise(p, 30, lastWindow)).join('\n\n') : '(no .cpuprofile written)';
  }

  const scenarios = [...ALL.flatMap((id) => (id === 'login' ? ['me-control', 'login', 'me-during-login'] : [id]))].map(get).filter((s): s is ScenarioResult => !!s);
  const benchEnv = Object.entries(process.env)
    .filter(([k]) => k.startsWith('BENCH_') || k === 'TEST_DATABASE_URL')
    .map(([k, v]) => `${k}=${v} `)
    .join('');
  const report: Report = {
    date: new Date().toISOString(),
    command: process.env.npm_lifecycle_event === 'bench' ? `${benchEnv}npm run bench` : `${benchEnv}node --import tsx bench/run.ts`,
    durationSeconds: DURATION,
    warmupSeconds: WARMUP,
    machine: mach,
    bcrypt: bcryptRes,
    scenarios,
    targets,
    logging,
    profile,
    settings: [
      'Every server runs as its own child process (`node --import tsx backend/src/main.ts`), started on a fresh, migrated database ' +
        'on the local PostgreSQL and polled on /health before any load; this process only generates load (autocannon, programmatic API).',
      `Server env: \`RATE_LIMIT_AUTH_PER_MIN\` and \`RATE_LIMIT_ACCOUNT_PER_MIN\` = ${HUGE_LIMIT} (the limits would otherwise answer 429 within a second; ` +
        'the limiter middleware still runs), a fixed `JWT_ISSUER`, `DATA_DIR` in a temp dir, no Redis, no NATS, Prisma pool of 10 connections (container default).',
      '`LOG_LEVEL=warn` for every scenario except "with LOG_LEVEL=info": at info the server writes one JSON line per request, which ' +
        'would make the numbers mostly a measure of the log sink. Production keeps info logging, so the info scenario shows its cost. ' +
        'At warn the request logger returns before building its line (`logger.isInfoEnabled()`).',
      'Server defaults that matter here (all configurable, all on in production): RS256 signing on one worker thread (`SIGNING_THREADS=1`), ' +
        'bcrypt in niced child processes (`BCRYPT_WORKERS` = cores), the /me profile served from a 2 s in-process cache with invalidation on ' +
        'every profile write (`PROFILE_CACHE_MS=2000`; every other read in these scenarios goes to PostgreSQL), helmet headers computed once. ' +
        (CLUSTER_WORKERS > 1 ? `This run used \`CLUSTER_WORKERS=${CLUSTER_WORKERS}\` with Redis. ` : 'One server process (`CLUSTER_WORKERS=1`). '),
      `Validate, /me, session list and refresh run on a server with \`BCRYPT_COST=${SEED_COST}\` (it only makes seeding fast; none of ` +
        `those endpoints checks a password). Login runs on a restarted server with \`BCRYPT_COST=${LOGIN_COST}\` against users registered at that cost.`,
      `Seeding goes through the HTTP API: ${USERS} users registered and logged in once each (one access token per user); ` +
        `each load connection sends the token of a different user. Access tokens are checked the way the app does (signature, iss, aud, exp, ` +
        'in-process revocation set).',
      `Refresh: each of the ${CONNECTIONS} connections owns one session and sends, after every response, the refresh token that response returned ` +
        '(autocannon `setupClient` + `requests[].setupRequest/onResponse` with per-connection state); warm-up and measured run use different ' +
        'sessions, since a request cut off when a run ends leaves its chain unusable. Any non-200 in a chain is reported as a broken chain.',
      `Login: ${LOGIN_CONNECTIONS} connections, each logging one of ${LOGIN_CONNECTIONS} users in over and over (MAX_SESSIONS_PER_USER=10, so old sessions are evicted as in production); ` +
        `alongside it ${LIGHT_ME.connections} connections send GET /api/user/me at ${LIGHT_ME.rate} req/s in total. The bcrypt-bound limit is ` +
        'measured in this process right before and right after the login run (server idle): one cost-12 `bcrypt.compare` in flight ' +
        'per logical core for 4 s each; the mean is the limit. A control run of the light /me load alone comes before the login run.',
    ],
  };

  console.log('');
  console.log(consoleTable(scenarios));
  console.log('');
  console.log(consoleTargets(targets));
  if (logging) console.log(`\n${logging}`);
  for (const s of scenarios) for (const n of s.notes) console.log(`note — ${s.title}: ${n}`);
  if (profile) {
    console.log(`\n${profile}`);
    console.log(`\nprofile file(s) kept for DevTools / speedscope: ${profiles.join(', ')}`);
  }
  if (FULL || process.env.BENCH_WRITE_DOCS === '1') {
    mkdirSync(join(ROOT, 'docs'), { recursive: true });
    // A clustered run is a different deployment: it gets its own page instead of replacing the default one.
    const page = CLUSTER_WORKERS > 1 ? 'benchmarks-cluster.md' : 'benchmarks.md';
    const previous = existsSync(join(ROOT, 'docs', page)) ? readFileSync(join(ROOT, 'docs', page), 'utf8') : null;
    writeFileSync(join(ROOT, 'docs', page), keepSections(previous, markdown(report)));
    log(`wrote docs/${page}`);
  } else {
    log('partial run: docs/benchmarks.md left unchanged (BENCH_WRITE_DOCS=1 to write it anyway)');
  }
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

let exitCode = 0;
try {
  await main();
} catch (err) {
  if (aborted) {
    exitCode = 130;
  } else {
    console.error('bench failed:', err instanceof Error ? (err.stack ?? err.message) : err);
    exitCode = 1;
  }
} finally {
  await cleanup();
  clearTimeout(watchdog);
}
process.exit(exitCode);
