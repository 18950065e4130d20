// The Redis revocation broadcast against a real Redis: junk on the channel (not JSON, not a list, ids that
// are not strings) is ignored without crashing the subscriber, and the next well-formed message still
// revokes on the receiving instance.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { MemoryRevocationStore } from '../../backend/src/infrastructure/revocation/memory-revocation-store';
import { RedisIdBroadcast } from '../../backend/src/infrastructure/broadcast/redis-id-broadcast';
import { FakeClock } from '../fakes/clock';
import { requireService, TEST_REDIS_URL } from '../helpers/services';
import { waitFor } from '../helpers/wait';

describe('revocation broadcast over Redis', () => {
  const prefix = `test:bc:${randomBytes(6).toString('hex')}:`;
  let publisher: Redis;
  let receiverRedis: Redis;
  let receiver: MemoryRevocationStore;

  before(async () => {
    await requireService('Redis', TEST_REDIS_URL);
    publisher = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    receiverRedis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    const clock = FakeClock.ticking();
    // A source that knows nothing: only the broadcast can tell the receiver about a revocation.
    receiver = new MemoryRevocationStore(900, clock, new RedisIdBroadcast(receiverRedis, prefix), { source: async () => [], maxLagMs: 60_000 });
    await receiver.start([]);
  });
  after(async () => {
    await receiver?.stop();
    await receiverRedis?.quit();
    await publisher?.quit();
  });

  it('when malformed messages arrive on the channel, then they are ignored and a later valid message still revokes', async () => {
    const channel = `${prefix}revoked-sessions`;
    const heard: string[][] = [];
    receiver.onRevoked((ids) => heard.push(ids));
    for (const junk of ['not json', '{"ids":["s-junk"]}', '"s-junk"', '[1, null, {"id":"s-junk"}]', '']) await publisher.publish(channel, junk);
    await publisher.publish(channel, JSON.stringify(['s-mixed', 7]));
    await publisher.publish(channel, JSON.stringify(['s-valid']));
    // Pub/sub keeps order on one connection: once s-valid is in, every junk message before it was handled.
    await waitFor('the valid revocation to arrive', () => receiver.isRevoked('s-valid'), (v) => v);
    assert.equal(receiver.isRevoked('s-junk'), false);
    assert.equal(receiver.isRevoked('s-mixed'), true, 'string ids of a mixed list still count');
    assert.deepEqual(heard, [['s-mixed'], ['s-valid']]);
  });
});
