// The Redis id broadcast across a Redis restart, on a redis-server this test owns: subscribers hear
// messages again after the connection comes back (it re-subscribes itself), and closing a broadcast while
// its connection is coming back leaves no rejected promise unhandled (ioredis's own re-subscribe did, and an
// unhandled rejection ends a Node process: a Redis blip at shutdown or a flapping link could kill a server).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis, type RedisOptions } from 'ioredis';
import { RedisIdBroadcast } from '../../backend/src/infrastructure/broadcast/redis-id-broadcast';
import { ownRedis, waitFor, type OwnRedis } from '../helpers/own-servers';

const ignore = () => undefined;

describe('Redis id broadcast across a Redis restart', () => {
  let redis: OwnRedis;
  const clients: Redis[] = [];
  const client = () => {
    const c = new Redis(redis.url, { maxRetriesPerRequest: 2 });
    c.on('error', ignore);
    clients.push(c);
    return c;
  };

  before(async () => {
    redis = await ownRedis();
  });
  after(async () => {
    for (const c of clients) c.disconnect();
    await redis?.stop();
  });

  it('when Redis restarts, then subscribers hear messages again and are told the connection went and came back', async () => {
    const heard: string[][] = [];
    const statuses: boolean[] = [];
    const receiver = new RedisIdBroadcast(client(), 'rb:', 'topic', ignore);
    const quiet = new RedisIdBroadcast(client(), 'rb:', 'topic', ignore); // no status listener (the caches)
    const quietHeard: string[][] = [];
    await receiver.subscribe((ids) => heard.push(ids), (up) => statuses.push(up));
    await quiet.subscribe((ids) => quietHeard.push(ids));
    const sender = new RedisIdBroadcast(client(), 'rb:', 'topic', ignore);

    await redis.stop();
    await redis.start();
    await waitFor('the receiver to be live again', () => statuses.at(-1) === true && statuses.includes(false));
    // Publish until both hear it: the quiet subscriber tells nobody when it is back.
    await waitFor('both subscribers to hear a message after the restart', async () => {
      await sender.publish(['after-restart']).catch(ignore);
      return heard.some((ids) => ids[0] === 'after-restart') && quietHeard.some((ids) => ids[0] === 'after-restart');
    });
    await Promise.all([receiver.close(), quiet.close(), sender.close()]);
  });

  it('when a broadcast is closed while its connection is coming back, then no rejected promise is left unhandled', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      for (let round = 0; round < 10; round++) {
        // The subscriber connection is the publisher's duplicate: keep hold of it to close at the worst moment.
        const publisher = client();
        let subscriber: Redis | undefined;
        const duplicate = publisher.duplicate.bind(publisher);
        publisher.duplicate = (override?: Partial<RedisOptions>) => (subscriber = duplicate(override));
        const broadcast = new RedisIdBroadcast(publisher, 'rb:', 'closing', ignore);
        await broadcast.subscribe(ignore, ignore);
        await redis.stop();
        // Close 0–2 ms after the connection is back: about when the re-subscribe is on the wire unanswered (with
        // ioredis's own re-subscribe about every other round left a rejection unhandled here).
        const closed = new Promise<void>((resolve) =>
          subscriber!.once('connect', () =>
            setTimeout(() => {
              void broadcast.close();
              publisher.disconnect();
              resolve();
            }, round % 3),
          ),
        );
        await redis.start();
        const bound = new AbortController();
        await Promise.race([closed, sleep(10_000, null, { signal: bound.signal }).then(() => assert.fail('the subscriber did not reconnect within 10 s'))]);
        bound.abort();
        await sleep(150);
      }
    } finally {
      process.off('unhandledRejection', record);
    }
    assert.deepEqual(unhandled.map(String), []);
  });
});
