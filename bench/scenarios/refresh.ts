// Scenario "refresh": every connection owns one session and follows its own refresh-token chain.
import type { ScenarioResult } from '../report';
import { summarize } from '../load';
import { CONNECTIONS, log, type ScenarioId } from '../settings';
import { brokenNote, runChainLoad } from './chains';
import type { AppScenario } from './types';

/** Refresh-token chains against `url`, one per connection (the app's route and the floor's use the same load). */
export async function runChains(id: ScenarioId, title: string, url: string, chains: [string[], string[]]): Promise<ScenarioResult> {
  log(`scenario ${id}`);
  const { result: r, phases } = await runChainLoad(
    chains,
    {
      path: new URL(url).pathname,
      headers: { 'content-type': 'application/json' },
      body: (token) => JSON.stringify({ refreshToken: token }),
      tokenField: 'refreshToken',
    },
    { url, connections: CONNECTIONS, verifyBody: (b) => b.includes('"refreshToken"') },
  );
  const m = phases.measure;
  const perChain = m.map((s) => s.ok);
  const notes = [`${m.length} independent chains; successful rotations per chain min ${Math.min(...perChain)}, max ${Math.max(...perChain)}; ${brokenNote(m)}`];
  const warmBroken = phases.warmup.filter((s) => s.failed > 0);
  if (warmBroken.length) notes.push(`warm-up: ${warmBroken.length} chain(s) broke — first failure: \`${warmBroken[0].firstFailure}\``);
  return summarize(id, title, r, notes);
}

export const refresh: AppScenario = {
  id: 'refresh',
  run: ({ base, seeded }) => runChains('refresh', 'POST /api/auth/refresh (per-connection chains)', `${base}/api/auth/refresh`, seeded.refreshChains),
};

/** The floor's refresh (bench/floor-server.ts): the same load on a bare node:http handler doing the same work. */
export const floorRefresh: AppScenario = {
  id: 'floor-refresh',
  run: ({ floor }) => runChains('floor-refresh', 'floor: bare node:http refresh (same work, own schema)', `${floor!.child.url}/refresh`, floor!.refreshChains),
};
