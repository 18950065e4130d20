// Refresh-token chains under load: every connection owns one session and sends, after every response, the
// refresh token that response returned (autocannon setupClient + per-connection state). Warm-up and measured
// run use different sessions, since a request cut off when a run ends leaves its chain unusable. Shared by
// the app's refresh, the floor's, and the OAuth refresh_token grant.
import type autocannon from 'autocannon';
import { measure } from '../load';

export interface ChainState {
  token: string;
  ok: number;
  failed: number;
  firstFailure: string | null;
}

export interface ChainRequest {
  path: string;
  headers: Record<string, string>;
  /** The request body carrying the chain's current refresh token. */
  body: (token: string) => string;
  /** The field of a 200 response's JSON that holds the next refresh token. */
  tokenField: string;
}

/** Warm-up, then measured run of `request` along `chains` ([warm-up tokens, measured tokens]); `options` adds url, connections, etc. */
export async function runChainLoad(
  chains: [string[], string[]],
  request: ChainRequest,
  options: autocannon.Options,
  onLatency?: (ms: number) => void,
): Promise<{ result: autocannon.Result; phases: Record<'warmup' | 'measure', ChainState[]> }> {
  const phases: Record<'warmup' | 'measure', ChainState[]> = { warmup: [], measure: [] };
  const result = await measure((phase) => {
    const supply = [...(phase === 'warmup' ? chains[0] : chains[1])];
    return {
      ...options,
      setupClient: (client) => {
        const state: ChainState = { token: supply.shift()!, ok: 0, failed: 0, firstFailure: null };
        phases[phase].push(state);
        client.setRequests([
          {
            method: 'POST',
            path: request.path,
            headers: { ...request.headers },
            setupRequest: (req) => ({ ...req, body: request.body(state.token) }),
            onResponse: (status, body) => {
              let next: string | undefined;
              if (status === 200) {
                try {
                  next = JSON.parse(body)[request.tokenField];
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
    };
  }, onLatency);
  return { result, phases };
}

/** "no chain broke", or how many did and the first failure. */
export function brokenNote(states: ChainState[]): string {
  const broken = states.filter((s) => s.failed > 0);
  return broken.length ? `**${broken.length} chain(s) BROKE** — first failure: \`${broken[0].firstFailure}\`` : 'no chain broke';
}
