// The sweep that forgets revoked sessions once no access token of theirs can still be valid
// (ACCESS_TOKEN_TTL + 1 minute of skew after the revocation). It runs on a 60 s interval; node:test's mock
// timers fire it and the FakeClock sets the time, so forgetting a session early (a revoked token accepted
// again) and never forgetting (unbounded memory) are both caught.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRevocationStore } from '../../backend/src/infrastructure/revocation/memory-revocation-store';
import { FakeClock } from '../fakes/clock';

const TTL = 900;
const KEEP_MS = (TTL + 60) * 1000;

describe('revocation store sweep', () => {
  test('when the sweep runs before ACCESS_TOKEN_TTL + 60 s have passed, then the session stays revoked; after, it is forgotten', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const clock = new FakeClock();
    const store = new MemoryRevocationStore(TTL, clock);
    await store.start([]);
    try {
      const t0 = clock.now().getTime();
      await store.revoke(['early', 'late']);
      clock.advance(300);
      await store.revoke(['late']); // revoked again later: kept from the later time

      clock.set(t0 + KEEP_MS - 1);
      t.mock.timers.tick(60_000);
      assert.equal(store.isRevoked('early'), true, 'forgotten before its last access token expired');
      assert.equal(store.isRevoked('late'), true);

      clock.set(t0 + KEEP_MS);
      t.mock.timers.tick(60_000);
      assert.equal(store.isRevoked('early'), false, 'the sweep must forget entries past their bound');
      assert.equal(store.isRevoked('late'), true, 'a later revocation of the same session restarts its bound');

      clock.set(t0 + 300_000 + KEEP_MS);
      t.mock.timers.tick(60_000);
      assert.equal(store.isRevoked('late'), false);
    } finally {
      await store.stop();
    }
  });

  test('when the view is warmed from the database, then each entry is kept from its own revokedAt, not from the start', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const clock = new FakeClock();
    const now = clock.now().getTime();
    const store = new MemoryRevocationStore(TTL, clock);
    await store.start([
      { id: 'recent', revokedAt: new Date(now - 1000) },
      { id: 'old', revokedAt: new Date(now - KEEP_MS + 5000) },
    ]);
    try {
      assert.equal(store.isRevoked('old'), true);
      clock.advance(5);
      t.mock.timers.tick(60_000);
      assert.equal(store.isRevoked('old'), false);
      assert.equal(store.isRevoked('recent'), true);
    } finally {
      await store.stop();
    }
  });
});
