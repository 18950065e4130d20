// `npm run bench`: load-tests the real server (a child process on a fresh PostgreSQL database) against a bare
// Express + RS256-verify baseline, checks the results against the performance targets, prints a table and
// writes docs/benchmarks.md. Cleans up (children, database, temp dirs) on success, failure and Ctrl-C.
//
// Phases (each server is its own `node --import tsx backend/src/main.ts` process; this process only
// generates load):
//   0. bcrypt limit: how many cost-12 compares/s this machine does with one compare per core; the IP location
//      lookup in this process (bench/ip-lookup.ts).
//   1. baseline: bench/baseline-server.ts.
//   2. server A (LOG_LEVEL=warn, BCRYPT_COST=4): seed users and sessions over HTTP, then the scenarios of
//      scenarios/index.ts (validate, introspect, /me, session list, refresh rotation, the OAuth grants). The bcrypt cost plays no part in
//      these (no password is checked), so cost 4 only makes seeding fast.
//   3. server B (LOG_LEVEL=info): /me again, to show what one JSON log line per request costs.
//   3b. server N (NATS_URL, own subject prefix): auth.validate over NATS request/reply.
//   4. server C (BCRYPT_COST=12): login load, with a light /me load alongside for its p99.
//   5. tracing (scenarios/tracing.ts): login at BCRYPT_COST=4 on three servers in alternating rounds, the
//      server as started before tracing, tracing off and tracing on (OTLP to a sink in this process).
// The servers share the database and DATA_DIR (so the signing key) and a fixed JWT_ISSUER, so tokens
// issued by A stay valid on B and C.
//
// Files: settings.ts (BENCH_* variables, scenario ids), load.ts (autocannon runs), servers.ts (children,
// seeding, cleanup), scenarios/ (one file per scenario), targets.ts (the targets), report.ts (table, markdown).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../test/helpers/database';
import { killAllSync, stopChild } from './children';
import { startFloor } from './floor';
import { measureIpLookup } from './ip-lookup';
import { keepSections } from './kept-sections';
import { abortLoad, runState } from './load';
import { summarise } from './profile-summary';
import { consoleTable, consoleTargets, describeSettings, markdown, type Report, type ScenarioResult } from './report';
import { runBaseline, runLogin, runMeInfo, runNatsValidate, runTracing, SERVER_A_SCENARIOS } from './scenarios';
import { OAUTH_SETTINGS } from './scenarios/oauth';
import { benchEnv, cleanup, errorLines, machine, seed, startApp, vacuum, type Seeded } from './servers';
import {
  ALL,
  CLUSTER_WORKERS,
  CONNECTIONS,
  DURATION,
  FULL,
  HUGE_LIMIT,
  LIGHT_ME,
  LOGIN_CONNECTIONS,
  LOGIN_COST,
  MAX_SECONDS,
  ONLY,
  PROFILE,
  ROOT,
  SEED_COST,
  USERS,
  WARMUP,
  log,
  selected,
} from './settings';
import { checkTargets, loggingCost } from './targets';

process.on('exit', () => {
  killAllSync();
  if (benchEnv.tmp) rmSync(benchEnv.tmp, { recursive: true, force: true });
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    log(`${sig}: stopping load, cleaning up`);
    abortLoad();
    void cleanup().finally(() => process.exit(130));
  });
}
const watchdog = setTimeout(() => {
  console.error(`bench: exceeded BENCH_MAX_SECONDS=${MAX_SECONDS}; aborting`);
  void cleanup().finally(() => process.exit(1));
}, MAX_SECONDS * 1000);

async function main(): Promise<void> {
  const started = Date.now();
  const runId = Date.now().toString(36);
  const tmp = mkdtempSync(join(os.tmpdir(), 'sessionary-bench-'));
  benchEnv.tmp = tmp;
  mkdirSync(join(tmp, 'data'));
  const profileDir = PROFILE ? mkdtempSync(join(os.tmpdir(), 'sessionary-bench-profile-')) : undefined;
  const results = new Map<string, ScenarioResult>();
  // The tracing phase starts its own servers on the bench database; every other phase needs server A's seeding.
  const needApp = ONLY.some((s) => s !== 'baseline' && s !== 'tracing');

  const db = await createTestDatabase();
  benchEnv.db = db;
  log(`database ${db.name} created and migrated; temp dir ${tmp}`);
  const mach = await machine(db.url);
  log(`${mach.cpuModel} × ${mach.cores}, load avg ${mach.loadAvgAtStart.map((x) => x.toFixed(2)).join(' ')}, Node ${mach.node}`);

  let bcryptRes: Report['bcrypt'] = null;
  // In process and before any server: a few seconds of MMDB lookups (bench/ip-lookup.ts).
  const ipLookup = measureIpLookup();
  log(`ip lookup: ${ipLookup.results.map((x) => `${x.label} ${Math.round(x.nsPerLookup)} ns`).join(', ')}`);

  if (selected('baseline')) results.set('baseline', await runBaseline());

  const chainsNeeded = selected('refresh') || selected('floor-refresh') ? CONNECTIONS : 0;
  const sessionsPerUser = 1 + Math.ceil((2 * chainsNeeded) / USERS);
  const maxSessions = Math.max(10, sessionsPerUser + 2);
  let seeded: Seeded | null = null;
  const profiles: string[] = [];

  if (needApp) {
    const onA = SERVER_A_SCENARIOS.filter((s) => selected(s.id));
    // BENCH_PROFILE=floor-sessions (or floor-refresh) profiles the floor's process instead of server A's.
    const profFloor = PROFILE?.startsWith('floor-') ? profileDir : undefined;
    const profA = PROFILE && !profFloor && onA.some((s) => s.id === PROFILE) ? profileDir : undefined;
    // The floor (a bare node:http server, own database) runs beside server A, so the pairs of scenarios
    // (floor-sessions/sessions, floor-refresh/refresh) are measured minutes apart on the same machine.
    const floor = onA.some((s) => s.id.startsWith('floor-')) ? await startFloor(tmp, chainsNeeded, runId, profFloor) : null;
    if (floor) benchEnv.floorDb = floor.db;
    const a = await startApp({ name: 'server-A', logLevel: 'warn', bcryptCost: SEED_COST, maxSessionsPerUser: maxSessions, profileDir: profA });
    try {
      seeded = await seed(a.url, runId, chainsNeeded);
      // autovacuum is off on the development machine's PostgreSQL: start every run from vacuumed tables.
      await vacuum(benchEnv.db.url);
      for (const scenario of onA) {
        runState.cpuTarget = scenario.id.startsWith('floor-')
          ? { serverPid: floor!.child.proc.pid!, databaseUrl: floor!.db.url }
          : { serverPid: a.proc.pid!, databaseUrl: benchEnv.db.url };
        results.set(scenario.id, await scenario.run({ base: a.url, seeded, sessionsPerUser, floor }));
      }
      runState.cpuTarget = null;
    } finally {
      await stopChild(a);
      if (floor) await stopChild(floor.child);
      const errs = errorLines(a);
      if (errs.count) {
        log(`server-A logged ${errs.count} error line(s), first: ${errs.first}`);
        for (const r of results.values()) if (r.id !== 'baseline' && !r.id.startsWith('floor-')) r.notes.push(`server logged ${errs.count} error-level line(s) during its phase; first: \`${errs.first}\``);
      }
    }
  }

  if (selected('me-info') && seeded) {
    const r = await runMeInfo(seeded, maxSessions, PROFILE === 'me-info' ? profileDir : undefined);
    if (r) results.set('me-info', r);
  }

  if (selected('nats-validate') && seeded) {
    const r = await runNatsValidate(seeded, maxSessions);
    if (r) results.set('nats-validate', r);
  }

  if (selected('login') && seeded) {
    const phase = await runLogin(seeded, runId, PROFILE === 'login' ? profileDir : undefined);
    for (const r of phase.results) results.set(r.id, r);
    bcryptRes = phase.bcrypt;
  }

  if (selected('tracing')) for (const r of await runTracing(runId)) results.set(r.id, r);

  if (runState.aborted) throw new Error('aborted');

  const get = (id: string) => results.get(id);
  const targets = checkTargets(get, bcryptRes);
  const logging = loggingCost(get);

  let profile: string | null = null;
  if (profileDir) {
    // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread; the others are tsx's loader worker.
    const files = readdirSync(profileDir).filter((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f));
    for (const f of files) profiles.push(join(profileDir, f));
    profile = profiles.length ? profiles.map((p) => summarise(p, 30, runState.lastWindow)).join('\n\n') : '(no .cpuprofile written)';
  }

  const scenarios = [...ALL.flatMap((id) => (id === 'login' ? ['me-control', 'login', 'me-during-login'] : id === 'tracing' ? ['tracing-before', 'tracing-off', 'tracing-on'] : [id]))].map(get).filter((s): s is ScenarioResult => !!s);
  const benchVars = Object.entries(process.env)
    .filter(([k]) => k.startsWith('BENCH_') || k === 'TEST_DATABASE_URL')
    .map(([k, v]) => `${k}=${v} `)
    .join('');
  const report: Report = {
    date: new Date().toISOString(),
    command: process.env.npm_lifecycle_event === 'bench' ? `${benchVars}npm run bench` : `${benchVars}node --import tsx bench/run.ts`,
    durationSeconds: DURATION,
    warmupSeconds: WARMUP,
    machine: mach,
    bcrypt: bcryptRes,
    scenarios,
    targets,
    logging,
    profile,
    ipLookup,
    settings: [
      ...describeSettings({
      hugeLimit: HUGE_LIMIT,
      clusterWorkers: CLUSTER_WORKERS,
      seedCost: SEED_COST,
      loginCost: LOGIN_COST,
      users: USERS,
      connections: CONNECTIONS,
      loginConnections: LOGIN_CONNECTIONS,
      lightMe: LIGHT_ME,
      }),
      ...OAUTH_SETTINGS,
    ],
  };

  console.log('');
  console.log(consoleTable(scenarios));
  console.log('');
  console.log(consoleTargets(targets));
  if (logging) console.log(`\n${logging}`);
  console.log(`\nIP location lookup, ns per call (median of ${ipLookup.rounds} rounds): ${ipLookup.results.map((x) => `${x.label} ${Math.round(x.nsPerLookup)}`).join(', ')}`);
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
  if (runState.aborted) {
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
