// Read scenarios on the seeded server: each connection sends the access token of its own user.
import type autocannon from 'autocannon';
import { cpuSince, sampleCpu, type CpuTarget } from '../cpu';
import { bearerPerConnection, cannon, measure, runState, summarize } from '../load';
import type { ScenarioResult } from '../report';
import { CONNECTIONS, log } from '../settings';
import type { AppScenario, ScenarioContext } from './types';

/** A GET scenario: every response must contain `expect`. */
function getScenario(id: AppScenario['id'], path: string, expect: string, title?: (ctx: Parameters<AppScenario['run']>[0]) => string): AppScenario {
  return {
    id,
    async run(ctx) {
      log(`scenario ${id}`);
      const r = await measure(() => ({ url: `${ctx.base}${path}`, connections: CONNECTIONS, setupClient: bearerPerConnection(ctx.seeded.accessTokens), verifyBody: (b) => b.includes(expect) }));
      return summarize(id, title ? title(ctx) : `GET ${path}`, r);
    },
  };
}

export const validate = getScenario('validate', '/api/auth/validate', '"valid":true');
export const me = getScenario('me', '/api/user/me', '"user"');
const sessionList = getScenario('sessions', '/api/user/sessions', '"sessions"', (ctx) => `GET /api/user/sessions (${ctx.sessionsPerUser} sessions/user)`);

/** Rounds of the paired floor/app session-list comparison, and seconds per run in each round. */
const PAIRED = { rounds: 9, seconds: 2 };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One short run, with the server's CPU per request (ms) over it. */
async function round(opts: autocannon.Options, target: CpuTarget): Promise<{ rps: number; cpu: number }> {
  const before = await sampleCpu(target);
  const r = await cannon({ ...opts, duration: PAIRED.seconds });
  const used = await cpuSince(target, before);
  return { rps: r.requests.average, cpu: r.requests.total > 0 ? used.server / r.requests.total : Number.NaN };
}

/**
 * The app's session list; with the floor running, also paired with it in alternating short runs (floor, app,
 * floor, ...): the speed of this machine drifts within minutes (the floor alone measured 0.10 and 0.14 ms of
 * CPU per request ten minutes apart), more than the difference being measured, so the median of rounds a few
 * seconds apart is the target figure, in req/s and in server CPU per request.
 */
export const sessions: AppScenario = {
  id: 'sessions',
  async run(ctx: ScenarioContext): Promise<ScenarioResult> {
    const result = await sessionList.run(ctx);
    const f = ctx.floor;
    const appTarget = runState.cpuTarget;
    if (!f || !appTarget) return result;
    const floorTarget = { serverPid: f.child.proc.pid!, databaseUrl: f.db.url };
    const floorOpts = { url: `${f.child.url}/sessions`, connections: CONNECTIONS, setupClient: bearerPerConnection(f.accessTokens) };
    const appOpts = { url: `${ctx.base}/api/user/sessions`, connections: CONNECTIONS, setupClient: bearerPerConnection(ctx.seeded.accessTokens) };
    const rps: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < PAIRED.rounds; i++) {
      const fl = await round(floorOpts, floorTarget);
      const app = await round(appOpts, appTarget);
      rps.push(app.rps / fl.rps);
      cpu.push(fl.cpu / app.cpu);
    }
    result.paired = { rps: median(rps), cpu: median(cpu) };
    result.notes.push(
      `paired with the floor in ${PAIRED.rounds} alternating rounds of ${PAIRED.seconds} s each: app/floor req/s ` +
        `${rps.map((x) => x.toFixed(2)).join(', ')} (median ${result.paired.rps.toFixed(2)}); server CPU per request floor/app ` +
        `${cpu.map((x) => x.toFixed(2)).join(', ')} (median ${result.paired.cpu.toFixed(2)})`,
    );
    return result;
  },
};

/** The floor's session list (bench/floor-server.ts): a bare node:http handler doing the same work. */
export const floorSessions: AppScenario = {
  id: 'floor-sessions',
  async run(ctx) {
    log('scenario floor-sessions');
    const f = ctx.floor!;
    const r = await measure(() => ({ url: `${f.child.url}/sessions`, connections: CONNECTIONS, setupClient: bearerPerConnection(f.accessTokens), verifyBody: (b) => b.includes('"sessions"') }));
    return summarize('floor-sessions', `floor: bare node:http session list (${ctx.sessionsPerUser} sessions/user)`, r);
  },
};
