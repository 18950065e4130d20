// Fans id lists out to every instance through Redis pub/sub (REDIS_URL), one channel per topic: revoked
// sessions (refused by all instances on the next request) and changed user profiles (dropped from caches).
import { Redis } from 'ioredis';
import type { IdBroadcast } from './memory-revocation-store';

export class RedisIdBroadcast implements IdBroadcast {
  private readonly subscriber: Redis;
  private readonly channel: string;

  /** `topic` names the channel: revoked sessions by default; the profile cache uses its own. */
  constructor(private readonly publisher: Redis, keyPrefix: string, topic = 'revoked-sessions') {
    this.subscriber = publisher.duplicate();
    this.channel = `${keyPrefix}${topic}`;
  }

  async publish(sessionIds: string[]): Promise<void> {
    await this.publisher.publish(this.channel, JSON.stringify(sessionIds));
  }

  async subscribe(onRevoked: (sessionIds: string[]) => void): Promise<void> {
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      try {
        const ids = JSON.parse(message);
        if (Array.isArray(ids)) onRevoked(ids.filter((x): x is string => typeof x === 'string'));
      } catch {
        // Malformed messages are ignored: only our own instances publish on this channel.
      }
    });
    await this.subscriber.subscribe(this.channel);
  }

  async close(): Promise<void> {
    this.subscriber.disconnect();
  }
}
