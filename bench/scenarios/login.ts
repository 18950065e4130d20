// Scenario "login": a server at BCRYPT_COST=12 under login load, with a light /me load alongside for its
// p99, a control run of that light load alone, and the bcrypt-bound limit measured right before and after.
import os from 'node:os';
import type autocannon from 'autocannon';
import { stopChild } from '../children';
import { bearerPerConnection, cannon, monoUs, runState, summarize } from '../load';
import type { Report, ScenarioResult } from '../report';
import { bcryptLimit, errorLines, register, startApp, type Seeded } from '../servers';
import { DURATION, LIGHT_ME, LOGIN_CONNECTIONS, LOGIN_COST, PASSWORD, WARMUP, log } from '../settings';

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
    runState.loadAtStart = os.loadavg()[0]!;
    const control = await cannon({ ...meOpts(), duration: Math.max(3, Math.round(DURATION / 2)) });
    out.results.push(summarize('me-control', `GET /api/user/me at ${LIGHT_ME.rate} req/s, no other load (control)`, control));
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
    runState.loadAtStart = os.loadavg()[0]!;
    const from = monoUs();
    const [lr, mr] = await Promise.all([cannon({ ...loginOpts(), duration: DURATION }), cannon({ ...meOpts(), duration: DURATION })]);
    runState.lastWindow = [from, monoUs()];
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
    const limitNote = [`bcrypt-bound limit ${mean.toFixed(1)}/s → ratio ${(lr.requests.average / mean).toFixed(2)}`];
    out.results.push(summarize('login', `POST /api/auth/login (BCRYPT_COST=${LOGIN_COST})`, lr, limitNote));
    out.results.push(summarize('me-during-login', `GET /api/user/me at ${LIGHT_ME.rate} req/s during login load`, mr));
    return out;
  } finally {
    await stopChild(c);
    const errs = errorLines(c);
    if (errs.count) out.results.find((r) => r.id === 'login')?.notes.push(`server logged ${errs.count} error-level line(s) during the login phase; first: \`${errs.first}\``);
  }
}
