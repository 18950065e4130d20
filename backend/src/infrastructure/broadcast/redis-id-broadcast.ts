// Fans id lists out to every instance through Redis pub/sub (REDIS_URL), one channel per topic: revoked
// sessions (refused by all instances on the next request) and changed user profiles (dropped from caches).
// Pub/sub is at-most-once: messages published while a subscriber is disconnected are lost, so subscribers
// are told when their connection drops and comes back (the revocation store then reads the database).
import { Redis } from 'ioredis';
import type { IdBroadcast } from './id-broadcast';

export class RedisIdBroadcast implements IdBroadcast {
  private readonly subscriber: Redis;
  private readonly channel: string;
  private closed = false;

  /**
   * `topic` names the channel: revoked sessions by default; the profile cache uses its own. `onError` gets
   * the subscriber connection's errors (without a listener ioredis prints "Unhandled error event" lines).
   */
  constructor(
    private readonly publisher: Redis,
    keyPrefix: string,
    topic = 'revoked-sessions',
    onError: (err: Error) => void = () => undefined,
  ) {
    // ioredis's own re-subscribe after a reconnect sends SUBSCRIBE without handling its promise: a connection
    // that drops (or is closed on shutdown) before the reply rejects it unhandled, which ends a Node process.
    // So the subscriber re-subscribes itself, on 'ready', with the rejection handled (subscribe() below).
    this.subscriber = publisher.duplicate({ autoResubscribe: false });
    this.subscriber.on('error', onError);
    this.channel = `${keyPrefix}${topic}`;
  }

  async publish(ids: string[]): Promise<void> {
    await this.publisher.publish(this.channel, JSON.stringify(ids));
  }

  async subscribe(onIds: (ids: string[]) => void, onStatus?: (connected: boolean) => void): Promise<void> {
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      try {
        const ids: unknown = JSON.parse(message);
        if (Array.isArray(ids)) onIds(ids.filter((x): x is string => typeof x === 'string'));
      } catch {
        // Malformed messages are ignored: only our own instances publish on this channel.
      }
    });
    await this.subscriber.subscribe(this.channel);
    onStatus?.(true);
    if (onStatus) this.subscriber.on('close', () => onStatus(false));
    // Every reconnect comes back without subscriptions (autoResubscribe is off): subscribe again, and tell the
    // listener once it is live. SUBSCRIBE is idempotent, so a 'ready' that raced the first subscribe is harmless.
    this.subscriber.on('ready', () => {
      if (this.closed) return;
      this.subscriber.subscribe(this.channel).then(
        () => !this.closed && onStatus?.(true),
        () => undefined, // dropped again (or closed): the next 'ready' retries
      );
    });
  }

  close(): Promise<void> {
    this.closed = true;
    this.subscriber.disconnect();
    return Promise.resolve();
  }
}
