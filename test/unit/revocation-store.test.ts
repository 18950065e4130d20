// The revocation view's feed: a broadcast that can drop, the database as the durable record, and failing
// closed once neither has been heard from for longer than the bound. Time moves with a fake clock.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError } from '../../backend/src/domain/errors';
import type { IdBroadcast } from '../../backend/src/infrastructure/broadcast/id-broadcast';
import { MemoryRevocationStore } from '../../backend/src/infrastructure/revocation/memory-revocation-store';
import { FakeClock } from '../fakes/clock';

class FakeBroadcast implements IdBroadcast {
  published: string[][] = [];
  failPublish = false;
  private onIds: (ids: string[]) => void = () => undefined;
  private onStatus: (up: boolean) => void = () => undefined;
  async publish(ids: string[]): Promise<void> {
    if (this.failPublish) throw new Error('Connection is closed.');
    this.published.push(ids);
  }
  async subscribe(onIds: (ids: string[]) => void, onStatus?: (up: boolean) => void): Promise<void> {
    this.onIds = onIds;
    this.onStatus = onStatus ?? (() => undefined);
    this.onStatus(true);
  }
  deliver(ids: string[]): void {
    this.onIds(ids);
  }
  status(up: boolean): void {
    this.onStatus(up);
  }
  async close(): Promise<void> {}
}

function setup() {
  const clock = new FakeClock();
  const bus = new FakeBroadcast();
  const db: { id: string; revokedAt: Date }[] = [];
  let dbDown = false;
  const logs: string[] = [];
  const store = new MemoryRevocationStore(900, clock, bus, {
    source: async (since) => {
      if (dbDown) throw new Error('connect ECONNREFUSED');
      return db.filter((r) => r.revokedAt >= since);
    },
    maxLagMs: 5000,
    log: (_level, message) => logs.push(message),
  });
  return { clock, bus, db, store, logs, setDbDown: (down: boolean) => (dbDown = down) };
}

const unavailable = (fn: () => unknown) =>
  assert.throws(fn, (err: unknown) => err instanceof DomainError && err.code === 'SERVICE_UNAVAILABLE' && (err.retryAfterSeconds ?? 0) >= 1);

describe('revocation store feed', () => {
  test('when the broadcast fails to publish, then revoke still resolves and this instance refuses the session', async () => {
    const { store, bus } = setup();
    await store.start([]);
    bus.failPublish = true;
    await store.revoke(['s1']);
    assert.equal(store.isRevoked('s1'), true);
    await store.stop();
  });

  test('when the broadcast is down, then revocations committed elsewhere are read back from the database', async () => {
    const { store, bus, db, clock } = setup();
    await store.start([]);
    await store.catchUp();
    bus.status(false);
    db.push({ id: 'elsewhere', revokedAt: clock.now() });
    assert.equal(store.isRevoked('elsewhere'), false);
    await store.catchUp();
    assert.equal(store.isRevoked('elsewhere'), true);
    await store.stop();
  });

  test('when neither broadcast nor database has answered for longer than the bound, then it fails closed until caught up', async () => {
    const { store, bus, clock, setDbDown, db, logs } = setup();
    await store.start([]);
    await store.catchUp();
    bus.status(false);
    setDbDown(true);
    clock.advanceMs(4000);
    await store.catchUp();
    assert.equal(store.isRevoked('live'), false, 'within the bound the view is still trusted');
    clock.advanceMs(2000);
    unavailable(() => store.isRevoked('live'));
    unavailable(() => store.isRevoked('live'));
    assert.equal(logs.filter((l) => l.includes('refusing authenticated requests')).length, 1, 'logged once, not per request');
    // Known revocations are still refused as such.
    await store.revoke(['known']);
    assert.equal(store.isRevoked('known'), true);
    // The database answers again: caught up, trusted again, and what it missed is now known.
    db.push({ id: 'missed', revokedAt: clock.now() });
    setDbDown(false);
    await store.catchUp();
    assert.equal(store.isRevoked('live'), false);
    assert.equal(store.isRevoked('missed'), true);
    await store.stop();
  });

  test('when the broadcast reconnects, then it is trusted again only after a catch-up, and listeners hear each id once', async () => {
    const { store, bus, db, clock, setDbDown } = setup();
    const heard: string[] = [];
    store.onRevoked((ids) => heard.push(...ids));
    await store.start([]);
    await store.catchUp();
    bus.status(false);
    setDbDown(true);
    clock.advanceMs(6000);
    bus.status(true); // reconnected, but the catch-up it triggers fails
    await store.catchUp();
    unavailable(() => store.isRevoked('x'));
    setDbDown(false);
    db.push({ id: 'gone', revokedAt: clock.now() });
    await store.catchUp();
    clock.advanceMs(60_000); // broadcast live and caught up: trusted without further reads
    assert.equal(store.isRevoked('gone'), true);
    assert.equal(store.isRevoked('x'), false);
    bus.deliver(['gone', 'new']);
    await store.catchUp();
    assert.deepEqual(heard, ['gone', 'new']);
    await store.stop();
  });

  test('when there is no broadcast (single instance), then the view is always trusted and nothing polls', async () => {
    const clock = new FakeClock();
    const store = new MemoryRevocationStore(900, clock, null, { source: async () => { throw new Error('down'); }, maxLagMs: 1000 });
    await store.start([]);
    clock.advanceMs(3_600_000);
    assert.equal(store.isRevoked('any'), false);
    await store.stop();
  });
});
