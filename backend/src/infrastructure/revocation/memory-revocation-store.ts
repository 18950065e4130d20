// In-process view of revoked sessions, so authenticating a request costs a Map lookup instead of a
// database round-trip. An entry only has to outlive the longest-lived access token of its session
// (ACCESS_TOKEN_TTL), after which exp rejects the token anyway. Other instances learn of revocations
// through an IdBroadcast (Redis pub/sub); on start the view is warmed from the database.
import type { Clock, RevocationStore } from '../../domain/ports';

/** Publishes lists of ids to every instance (revoked sessions; also profile-cache invalidations). */
export interface IdBroadcast {
  publish(sessionIds: string[]): Promise<void>;
  subscribe(onRevoked: (sessionIds: string[]) => void): Promise<void>;
  close(): Promise<void>;
}

export class MemoryRevocationStore implements RevocationStore {
  private readonly revoked = new Map<string, number>();
  private readonly listeners = new Set<(sessionIds: string[]) => void>();
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    private readonly accessTokenTtlSeconds: number,
    private readonly clock: Clock,
    private readonly bus: IdBroadcast | null = null,
  ) {}

  async start(warm: { id: string; revokedAt: Date }[]): Promise<void> {
    for (const { id, revokedAt } of warm) this.remember(id, revokedAt.getTime());
    if (this.bus) await this.bus.subscribe((ids) => this.learn(ids));
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  isRevoked(sessionId: string): boolean {
    return this.revoked.has(sessionId);
  }

  /**
   * Calls `listener` with every batch of newly revoked session ids, local or from other instances, so
   * push channels (the web app's forced-logout stream, the verifier feed) can tell their clients at once.
   * Returns the unsubscribe function.
   */
  onRevoked(listener: (sessionIds: string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async revoke(sessionIds: string[]): Promise<void> {
    this.learn(sessionIds);
    if (this.bus && sessionIds.length) await this.bus.publish(sessionIds);
  }

  async stop(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await this.bus?.close();
  }

  private learn(sessionIds: string[]): void {
    sessionIds.forEach((id) => this.remember(id));
    if (sessionIds.length) for (const listener of this.listeners) listener(sessionIds);
  }

  private remember(id: string, revokedAtMs = this.clock.now().getTime()): void {
    // One extra minute covers clock skew between instances.
    const forgetAt = revokedAtMs + (this.accessTokenTtlSeconds + 60) * 1000;
    if ((this.revoked.get(id) ?? 0) < forgetAt) this.revoked.set(id, forgetAt);
  }

  private sweep(): void {
    const now = this.clock.now().getTime();
    for (const [id, forgetAt] of this.revoked) if (forgetAt <= now) this.revoked.delete(id);
  }
}
