// Scenario "refresh": every connection owns one session and follows its own refresh-token chain.
import { measure, summarize } from '../load';
import { CONNECTIONS, log } from '../settings';
import type { AppScenario } from './types';

interface ChainState {
  token: string;
  ok: number;
  failed: number;
  firstFailure: string | null;
}

export const refresh: AppScenario = {
  id: 'refresh',
  async run({ base, seeded }) {
    log('scenario refresh');
    const chains = seeded.refreshChains;
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
  },
};
