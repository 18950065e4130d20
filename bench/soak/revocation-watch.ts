// After a client saw a revocation succeed (logout, a revoked device, refresh-token reuse), its access token is
// tried on both instances and on the verifier-protected service until a little past the documented bound:
// an acceptance after the bound is a violation. The time to the first refusal on each target is kept.
import { call, type Answer, type Target } from './client';
import type { Recorder } from './record';
import { REVOCATION_MAX_LAG_SECONDS, VERIFIER_MAX_STALE_MS } from './stack';

/** docs/security.md: every instance refuses within REVOCATION_MAX_LAG_SECONDS; the verifier within its maxStaleMs (fail closed). */
export function boundMs(target: Target): number {
  return target.name === 'service' ? VERIFIER_MAX_STALE_MS : REVOCATION_MAX_LAG_SECONDS * 1000;
}
/** Client-side slack: the time between the server's commit and the client reading the answer, and polling. */
const SLACK_MS = 1000;

export interface RevocationWatch {
  sessionId: string;
  access: string;
  confirmedAt: number;
  rid: string;
  /** Per target: ms from the confirmed answer to the first refusal seen (null: not seen, or the target was down first). */
  lags: Map<string, number | null>;
  done: Promise<void>;
}

export const PATH = (t: Target) => (t.name === 'service' ? '/whoami' : '/api/user/me');

export function watchRevocation(rec: Recorder, targets: Target[], sessionId: string, access: string, confirmed: Answer): RevocationWatch {
  const w: RevocationWatch = { sessionId, access, confirmedAt: confirmed.at, rid: confirmed.rid, lags: new Map(), done: Promise.resolve() };
  const watchOne = async (t: Target) => {
    w.lags.set(t.name, null);
    let down = false;
    const until = confirmed.at + boundMs(t) + SLACK_MS + 1500;
    while (Date.now() < until) {
      const a = await call(rec, t, 'revoked-token', 'GET', PATH(t), { token: access });
      const late = a.at - confirmed.at > boundMs(t) + SLACK_MS;
      if (a.status === 200) {
        rec.check('a revoked session\'s token is refused everywhere within the bound', !late, () => `${a.rid} on ${t.name} accepted the token of session ${sessionId} ${a.at - confirmed.at} ms after its revocation ${confirmed.rid} answered (bound ${boundMs(t)} ms)`);
      } else if (a.status === 0) {
        down = true;
      } else {
        // A lag that includes the target's own downtime (instance A restarting) says nothing about propagation.
        if (w.lags.get(t.name) === null && !down) w.lags.set(t.name, a.at - confirmed.at);
        rec.check('a revoked session\'s token is refused everywhere within the bound', true, () => '');
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  w.done = Promise.all(targets.map(watchOne)).then(() => undefined);
  return w;
}
