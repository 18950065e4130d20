// The chaos soak of issue 32 in 60 s (bench/soak/, `npm run soak` for the long one): two instances on one
// PostgreSQL cluster, Redis and NATS of the soak's own, a verifier-protected service, simulated people, and
// every fault once with short durations. Each invariant must have been checked and must have held.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FAULTS } from '../../bench/soak/faults';
import { invariantTable, phaseTable } from '../../bench/soak/report';
import { runSoak } from '../../bench/soak/run';

describe('chaos soak (60 s)', () => {
  it('when instances, PostgreSQL, Redis, NATS and a bcrypt child fail in turn under load, then every invariant holds', async (t) => {
    const result = await runSoak({ durationMs: 60_000, warmUpMs: 8_000, people: 8, faults: { pgOutageMs: 3_000, redisDownMs: 3_000, natsDownMs: 4_000, gapMs: 3_000 }, log: (line) => t.diagnostic(line) });
    for (const line of [...phaseTable(result).split('\n'), ...invariantTable(result).split('\n')]) t.diagnostic(line);
    assert.deepEqual(result.rec.violations(), []);
    const injected = new Set(result.faults.map((f) => f.kind));
    assert.deepEqual(FAULTS.filter((k) => !injected.has(k)), [], 'every fault was injected at least once');
    // Memory is only judged over two full fault cycles (a 60 s run has one): its RSS is reported, not asserted.
    for (const name of ['no 500 (503 only with Retry-After)', 'nothing committed lost (users, sessions, revocations, passwords)', 'a revoked session\'s token is refused everywhere within the bound', 'every outbox event published to JetStream exactly once (by message id)', 'no refresh with a token rotated past the grace window', 'tabs refreshing at once all succeed within the grace window']) {
      assert.ok((result.rec.invariants.get(name)?.checks ?? 0) > 0, `${name} was checked`);
    }
  });
});
