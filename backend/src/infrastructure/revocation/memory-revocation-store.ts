// In-process view of revoked sessions, so authenticating a request costs a Map lookup instead of a
// database round-trip. An entry only has to outlive the longest-lived access token of its session
// (ACCESS_TOKEN_TTL), after which exp rejects the token anyway.
//
// How other instances' revocations get here, and why the view can be trusted:
// - fast path: an IdBroadcast (Redis pub/sub) pushes every batch at once; at-most-once, so it can lose some;
// - durable path: the database is the record (Session.revokedAt, written in the revoking transaction), and
//   with a broadcast configured every instance reads revocations back from it every `maxLagMs / 3` (and at
//   once when the broadcast reconnects), so a lost message or a failed publish is made up within the bound;
// - fail closed: the view is trusted while the broadcast is connected and has been caught up with the
//   database since it (re)connected, or while the last successful database read started less than `maxLagMs`
//   ago. Otherwise isRevoked throws SERVICE_UNAVAILABLE (503) until a catch-up succeeds: an instance that
//   can neither hear nor read revocations refuses rather than accepts a token that might be revoked.
// Without a broadcast (single instance, e.g. the embedded PGlite default) every revocation happens here, so
// the view is complete by construction and nothing polls.
import { Errors } from '../../domain/errors';
import type { Clock, RevocationStore } from '../../domain/ports';
import type { IdBroadcast } from '../broadcast/id-broadcast';

/** Reads sessions revoked at or after `since` from the database (the durable record). */
export type RevocationSource = (since: Date) => Promise<{ id: string; revokedAt: Date }[]>;

export interface RevocationFeedOptions {
  /** The database the feed catches up from; required with a broadcast. */
  source?: RevocationSource;
  /** Longest time (ms) the view is trusted without a live broadcast or a successful database read. */
  maxLagMs?: number;
  /** Told once per state change (feed lost, caught up, failing closed); never per request. */
  log?: (level: 'info' | 'warn' | 'error', message: string, meta?: Record<string, unknown>) => void;
}

/** Re-read window before the last catch-up: covers transactions committing late and clock skew between instances. */
const OVERLAP_MS = 60_000;

export class MemoryRevocationStore implements RevocationStore {
  private readonly revoked = new Map<string, number>();
  private readonly listeners = new Set<(sessionIds: string[]) => void>();
  private sweeper: NodeJS.Timeout | null = null;
  private poller: NodeJS.Timeout | null = null;
  private readonly maxLagMs: number;
  /** Broadcast subscription live and caught up with the database since it (re)connected. */
  private busLive = false;
  private busConnected = false;
  /** Start time (clock ms) of the last successful database catch-up. */
  private lastSyncMs: number;
  private syncing: Promise<void> | null = null;
  private failingClosed = false;
  private syncFailing = false;

  constructor(
    private readonly accessTokenTtlSeconds: number,
    private readonly clock: Clock,
    private readonly bus: IdBroadcast | null = null,
    private readonly feed: RevocationFeedOptions = {},
  ) {
    this.maxLagMs = feed.maxLagMs ?? 10_000;
    this.lastSyncMs = clock.now().getTime();
  }

  async start(warm: { id: string; revokedAt: Date }[]): Promise<void> {
    for (const { id, revokedAt } of warm) this.remember(id, revokedAt.getTime());
    this.lastSyncMs = this.clock.now().getTime();
    if (this.bus) {
      await this.bus.subscribe((ids) => this.learn(ids), (connected) => this.onBusStatus(connected));
      // subscribe() resolves once the subscription is live; a 'ready' event may have fired before the handler.
      if (!this.busConnected) this.onBusStatus(true);
    }
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
    if (this.bus && this.feed.source) {
      this.poller = setInterval(() => void this.catchUp(), Math.max(100, Math.floor(this.maxLagMs / 3)));
      this.poller.unref();
    }
  }

  isRevoked(sessionId: string): boolean {
    if (this.revoked.has(sessionId)) return true;
    if (!this.trusted()) {
      if (!this.failingClosed) {
        this.failingClosed = true;
        this.feed.log?.('error', 'revocation feed lost longer than the bound: refusing authenticated requests until caught up', {
          maxLagMs: this.maxLagMs,
        });
      }
      throw Errors.serviceUnavailable(Math.max(1, Math.ceil(this.maxLagMs / 3000)));
    }
    return false;
  }

  /**
   * Seconds since this instance's view was last caught up with the database (metrics:
   * auth_revocation_feed_lag_seconds); 0 without a broadcast, where the view is complete by construction.
   */
  lagSeconds(): number {
    if (!this.bus) return 0;
    return Math.max(0, (this.clock.now().getTime() - this.lastSyncMs) / 1000);
  }

  /** True while this instance can vouch for its view (see the header comment). */
  trusted(): boolean {
    if (!this.bus || this.busLive) return true;
    return this.clock.now().getTime() - this.lastSyncMs <= this.maxLagMs;
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

  /** Never rejects: the revocation has committed; other instances read it back if the broadcast is lost. */
  revoke(sessionIds: string[]): Promise<void> {
    this.learn(sessionIds);
    if (this.bus && sessionIds.length) {
      this.bus.publish(sessionIds).catch((err: unknown) => {
        this.feed.log?.('warn', 'revocation broadcast failed; other instances will read it from the database', {
          count: sessionIds.length,
          error: err instanceof Error ? err.message : String(err),
        });
      });
    }
    return Promise.resolve();
  }

  /**
   * Reads revocations since the last successful catch-up (minus an overlap) from the database. Concurrent
   * callers share one read. Errors are logged once per failure streak and leave the view untrusted.
   */
  catchUp(): Promise<void> {
    if (!this.feed.source) return Promise.resolve();
    this.syncing ??= this.readBack(this.feed.source).finally(() => (this.syncing = null));
    return this.syncing;
  }

  async stop(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    if (this.poller) clearInterval(this.poller);
    await this.syncing?.catch(() => undefined);
    await this.bus?.close();
  }

  private async readBack(source: RevocationSource): Promise<void> {
    const started = this.clock.now().getTime();
    const connectedAtStart = this.busConnected;
    try {
      const rows = await source(new Date(this.lastSyncMs - OVERLAP_MS));
      const revokedAt = new Map(rows.map((r) => [r.id, r.revokedAt.getTime()]));
      this.learn([...revokedAt.keys()], (id) => revokedAt.get(id));
      this.lastSyncMs = Math.max(this.lastSyncMs, started);
      // Connected for the whole read: everything before it came from the database, everything after is pushed.
      if (connectedAtStart && this.busConnected) this.busLive = true;
      if (this.syncFailing || this.failingClosed) {
        this.feed.log?.('info', 'revocation view caught up with the database', { revoked: rows.length });
      }
      this.syncFailing = false;
      this.failingClosed = false;
    } catch (err) {
      if (!this.syncFailing) {
        this.syncFailing = true;
        this.feed.log?.('warn', 'reading revocations from the database failed; will retry', { error: String((err as Error)?.message ?? err) });
      }
    }
  }

  private onBusStatus(connected: boolean): void {
    if (connected === this.busConnected) return;
    this.busConnected = connected;
    if (!connected) {
      this.busLive = false;
      this.feed.log?.('warn', 'revocation broadcast disconnected; reading revocations from the database until it is back', {
        maxLagMs: this.maxLagMs,
      });
      return;
    }
    // Messages published while we were away are lost: read them back before trusting the broadcast again.
    void this.catchUp();
  }

  /** Adds ids; listeners hear only those not already known (a local revoke echoed back, a re-read overlap). */
  private learn(sessionIds: string[], revokedAtMs?: (id: string) => number | undefined): void {
    const fresh = sessionIds.filter((id) => !this.revoked.has(id));
    sessionIds.forEach((id) => this.remember(id, revokedAtMs?.(id)));
    const told = fresh.filter((id) => this.revoked.has(id));
    if (told.length) for (const listener of this.listeners) listener(told);
  }

  private remember(id: string, revokedAtMs = this.clock.now().getTime()): void {
    // One extra minute covers clock skew between instances.
    const forgetAt = revokedAtMs + (this.accessTokenTtlSeconds + 60) * 1000;
    if (forgetAt <= this.clock.now().getTime()) return;
    if ((this.revoked.get(id) ?? 0) < forgetAt) this.revoked.set(id, forgetAt);
  }

  private sweep(): void {
    const now = this.clock.now().getTime();
    for (const [id, forgetAt] of this.revoked) if (forgetAt <= now) this.revoked.delete(id);
  }
}
