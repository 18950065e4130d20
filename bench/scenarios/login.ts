// Scenario "login": a server at BCRYPT_COST=12 under login load, with a light /me load alongside for its
// p99, a control run of that light load alone, and the bcrypt-bound limit measured right before and after.
// The storm is one continuous run whose first WARMUP seconds are not counted (see below), and the login row
// notes where the CPU went in the measured window (bench/cpu.ts sampleBreakdown).
import os from 'node:os';
import type autocannon from 'autocannon';
import { stopChild } from '../children';
import { sampleBreakdown, type CpuBreakdown } from '../cpu';
import { api, bearerPerConnection, cannon, measure, monoUs, percentile, runState, summarize } from '../load';
import type { Report, ScenarioResult } from '../report';
import { bcryptLimit, benchEnv, errorLines, register, startApp, type Seeded } from '../servers';
import { DURATION, LIGHT_ME, LOGIN_CONNECTIONS, LOGIN_COST, PASSWORD, WARMUP, log } from '../settings';

/** Logins with the right password, each connection cycling through the registered accounts. */
export function loginLoad(url: string, emails: readonly string[]): autocannon.Options {
  let n = 0;
  return {
    url: `${url}/api/auth/login`,
    method: 'POST',
    connections: LOGIN_CONNECTIONS,
    timeout: 30,
    setupClient: (client) => client.setHeadersAndBody({ 'content-type': 'application/json' }, JSON.stringify({ email: emails[n++ % emails.length], password: PASSWORD })),
    verifyBody: (b) => b.includes('"accessToken"'),
  };
}

export interface LoginPhase {
  /** me-control, login, me-during-login (those that ran). */
  results: ScenarioResult[];
  bcrypt: Report['bcrypt'];
}

export async function runLogin(seeded: Seeded, runId: string, profileDir: string | undefined): Promise<LoginPhase> {
  const out: LoginPhase = { results: [], bcrypt: null };
  const c = await startApp({ name: 'server-C', logLevel: 'warn', bcryptCost: LOGIN_COST, maxSessionsPerUser: 10, profileDir });
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
      setupClient: bearerPerConnection(seeded.accessTokens),
      verifyBody: (b) => b.includes('"user"'),
    });
    // The control gets a warm-up like every other scenario: a fresh server's first requests (JIT, the
    // verified-token and profile caches, the pool's connections) are not what the control is meant to show.
    const target = { serverPid: c.proc.pid!, databaseUrl: benchEnv.db!.url };
    runState.cpuTarget = target;
    runState.lastCpu = null;
    const control = await measure(() => ({ ...meOpts() }), undefined, Math.max(3, Math.round(DURATION / 2)));
    out.results.push(summarize('me-control', `GET /api/user/me at ${LIGHT_ME.rate} req/s, no other load (control)`, control));
    runState.cpuTarget = null;
    runState.lastCpu = null;
    log('scenario login (+ light /me load)');
    const loginOpts = () => loginLoad(c.url, emails);
    // One continuous storm (warm-up + measured window) rather than two runs: a login cut off when a
    // warm-up run ends still holds its place in the server's bcrypt queue, and would be paid for inside
    // the measured window without being counted there. Only responses inside the window count.
    runState.loadAtStart = os.loadavg()[0]!;
    const logins = windowed();
    const mes = windowed();
    const stormStart = performance.now();
    const win: [number, number] = [stormStart + WARMUP * 1000, stormStart + (WARMUP + DURATION) * 1000];
    let breakdown: Promise<() => Promise<CpuBreakdown>> | null = null;
    let spent: Promise<CpuBreakdown> | null = null;
    const startWindow = setTimeout(() => {
      runState.loadAtStart = os.loadavg()[0]!;
      breakdown = sampleBreakdown(target);
    }, WARMUP * 1000);
    const endWindow = setTimeout(() => {
      spent = breakdown?.then((f) => f()) ?? null;
    }, (WARMUP + DURATION) * 1000);
    const from = monoUs() + WARMUP * 1e6;
    const [lr, mr] = await Promise.all([
      cannon({ ...loginOpts(), duration: WARMUP + DURATION }, logins.add),
      cannon({ ...meOpts(), duration: WARMUP + DURATION }, mes.add),
    ]);
    clearTimeout(startWindow);
    clearTimeout(endWindow);
    runState.lastWindow = [from, from + DURATION * 1e6];
    // Logins the run cut off are still queued for bcrypt in the server: let them finish (two probe logins
    // queue behind them) before measuring the bcrypt limit again, or the server would compete with it.
    await Promise.all(emails.slice(0, 2).map((email) => api(c.url, 'POST', '/api/auth/login', { email, password: PASSWORD })));
    const bcryptAfter = await bcryptLimit(LOGIN_COST, 4);
    log(`bcrypt cost ${LOGIN_COST} again: ${bcryptAfter.hashesPerSecond.toFixed(1)} compares/s`);
    const mean = (bcryptBefore.hashesPerSecond + bcryptAfter.hashesPerSecond) / 2;
    out.bcrypt = {
      cost: LOGIN_COST,
      parallel: bcryptBefore.parallel,
      hashesPerSecond: mean,
      msPerHash: (1000 * bcryptBefore.parallel) / mean,
      samples: [bcryptBefore.hashesPerSecond, bcryptAfter.hashesPerSecond],
    };
    const lw = logins.summary(win, lr);
    const mw = mes.summary(win, mr);
    const limitNote = [`bcrypt-bound limit ${mean.toFixed(1)}/s → ratio ${(lw.rps / mean).toFixed(2)}`];
    const cpu = spent ? await (spent as Promise<CpuBreakdown>).catch(() => null) : null;
    if (cpu) {
      const s = (ms: number) => (ms / 1000).toFixed(1);
      limitNote.push(
        `CPU s in the ${DURATION} s window (of ${os.cpus().length * DURATION} s): server process ${s(cpu.server)}, its bcrypt children ${s(cpu.children)}, ` +
          `PostgreSQL ${s(cpu.postgres)}, load generator ${s(cpu.bench)}, whole machine ${s(cpu.machine)} (the rest: other processes)`,
      );
    }
    out.results.push({ ...summarize('login', `POST /api/auth/login (BCRYPT_COST=${LOGIN_COST})`, lr, limitNote), ...lw });
    out.results.push({ ...summarize('me-during-login', `GET /api/user/me at ${LIGHT_ME.rate} req/s during login load`, mr), ...mw });
    return out;
  } finally {
    // Errors while the load ran and errors while the server shut down are different findings: count apart.
    const during = errorLines(c);
    await stopChild(c);
    const all = errorLines(c);
    const login = out.results.find((r) => r.id === 'login');
    if (during.count) login?.notes.push(`server logged ${during.count} error-level line(s) during the login phase; first: \`${during.first}\``);
    if (all.count > during.count) login?.notes.push(`server logged ${all.count - during.count} error-level line(s) while shutting down after it`);
  }
}

/** Responses of a continuous run, kept with their arrival time so that only a window of it is counted. */
function windowed() {
  const seen: { at: number; ms: number; status: number }[] = [];
  return {
    add: (ms: number, status: number) => void seen.push({ at: performance.now(), ms, status }),
    summary([from, to]: [number, number], r: autocannon.Result) {
      const inside = seen.filter((x) => x.at >= from && x.at < to);
      const statusCodes: Record<string, number> = {};
      for (const x of inside) statusCodes[x.status] = (statusCodes[x.status] ?? 0) + 1;
      const lat = inside.map((x) => x.ms);
      return {
        rps: inside.length / ((to - from) / 1000),
        p50: Math.round(percentile(lat, 50) * 10) / 10,
        p99: Math.round(percentile(lat, 99) * 10) / 10,
        total: inside.length,
        non2xx: inside.filter((x) => x.status < 200 || x.status > 299).length,
        // autocannon counts these over the whole run (warm-up included): stricter, not looser.
        errors: r.errors + r.timeouts,
        mismatches: r.mismatches,
        statusCodes,
        cpu: null,
      };
    },
  };
}
