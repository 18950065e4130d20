// A short-lived in-process cache of the profile columns GET /api/user/me returns. It serves only that
// read: every security decision (login, refresh, 2FA, admin checks) reads the database. Writes that change
// a profile column invalidate the entry at once — when the statement runs and again after its
// transaction commits (a read between the two could otherwise re-cache the old row) — and, with Redis,
// on every other instance too. The TTL bounds staleness if an invalidation message is ever lost.
import type { UserProfile } from '../../domain/types';
import type { IdBroadcast } from '../broadcast/id-broadcast';

export class ProfileCache {
  private readonly entries = new Map<string, { profile: UserProfile; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    /** Fans invalidations out to other instances (same pub/sub as revocations, another channel). */
    private readonly bus: IdBroadcast | null = null,
    private readonly maxEntries = 50_000,
  ) {}

  async start(): Promise<void> {
    await this.bus?.subscribe((ids) => ids.forEach((id) => this.entries.delete(id)));
  }

  get(id: string): UserProfile | undefined {
    const hit = this.entries.get(id);
    if (!hit) return undefined;
    if (hit.expiresAt <= Date.now()) {
      this.entries.delete(id);
      return undefined;
    }
    return { ...hit.profile };
  }

  set(id: string, profile: UserProfile): void {
    if (this.ttlMs <= 0) return;
    // Crude bound: when full, start over rather than track recency on the hot path.
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(id, { profile: { ...profile }, expiresAt: Date.now() + this.ttlMs });
  }

  invalidate(ids: Iterable<string>): void {
    const list = [...ids];
    if (list.length === 0) return;
    list.forEach((id) => this.entries.delete(id));
    this.bus?.publish(list).catch(() => undefined);
  }

  async stop(): Promise<void> {
    await this.bus?.close();
  }
}
