// Scenario "refresh": every connection owns one session and follows its own refresh-token chain.
import type { ScenarioResult } from '../report';
import { measure, summarize } from '../load';
import { CONNECTIONS, log, type ScenarioId } from '../settings';
import type { AppScenario } from './types';

interface ChainState {
  token: string;
  ok: number;
  failed: number;
  firstFailure: string | null;
}

/** Refresh-token chains against `url`, one per connection (the app's route and the floor's use the same load). */
export async function runChains(id: ScenarioId, title: string, url: string, chains: [string[], string[]]): Promise<ScenarioResult> {
  log(`scenario ${id}`);
  const phases: Record<'warmup' | 'measure', ChainState[]> = { warmup: [], measure: [] };
  const r = await measure((phase) => {
    const supply = [...(phase === 'warmup' ? chains[0] : chains[1])];
    return {
      url,
      connections: CONNECTIONS,
      setupClient: (client) => {
        const state: ChainState = { token: supply.shift()!, ok: 0, failed: 0, firstFailure: null };
        phases[phase].push(state);
        client.setRequests([
          {
            method: 'POST',
            path: new URL(url).pathname,
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
