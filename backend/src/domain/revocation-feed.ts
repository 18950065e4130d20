// Revocation feed for other services: every revoked session with when and why, as a snapshot of the
// still-live ones (a token of a session revoked longer ago than ACCESS_TOKEN_TTL has expired anyway) and
// then as they happen. Drivers (the SSE route, the NATS publisher) only format and deliver.
import type { Clock } from './ports';
import type { RevokeReason } from './types';

export interface Revocation {
  sessionId: string;
  userId: string | null;
  revokedAt: Date;
  /** Why the session ended; `unknown` only when the database could not be asked in time. */
  reason: RevokeReason | 'unknown';
}

/** Reads ended sessions from the database. */
export interface RevocationLog {
  since(since: Date): Promise<Revocation[]>;
  byIds(sessionIds: string[]): Promise<Revocation[]>;
}

/** Reports each batch of newly revoked session ids, on this instance or another (MemoryRevocationStore). */
export interface RevocationSignal {
  onRevoked(listener: (sessionIds: string[]) => void): () => void;
}

/** One revocation on the wire (SSE data, NATS payloads): times as ISO strings. */
export function revocationToJson(r: Revocation) {
  return { sessionId: r.sessionId, userId: r.userId, revokedAt: r.revokedAt.toISOString(), reason: r.reason };
}

export type RevocationListener = (revocations: Revocation[]) => void;

export class RevocationFeed {
  private readonly listeners = new Set<RevocationListener>();
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly log: RevocationLog,
    private readonly signal: RevocationSignal,
    private readonly clock: Clock,
    /** How long a revocation matters: ACCESS_TOKEN_TTL plus a minute for clock skew (seconds). */
    readonly windowSeconds: number,
  ) {}

  /** Revocations still relevant (within the window), oldest first; from `after` on when given. */
  async snapshot(after?: Date): Promise<Revocation[]> {
    const floor = this.clock.now().getTime() - this.windowSeconds * 1000;
    return this.log.since(new Date(Math.max(floor, after?.getTime() ?? floor)));
  }

  /** Calls `listener` with every revocation from now on. Returns the unsubscribe function. */
  subscribe(listener: RevocationListener): () => void {
    this.listeners.add(listener);
    if (!this.unsubscribe) this.unsubscribe = this.signal.onRevoked((ids) => void this.resolve(ids));
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.unsubscribe) {
        this.unsubscribe();
        this.unsubscribe = null;
      }
    };
  }

  private async resolve(ids: string[]): Promise<void> {
    const unique = [...new Set(ids)];
    // A revocation must reach the other services even if the lookup of its details fails.
    const found = await this.log.byIds(unique).catch(() => [] as Revocation[]);
    const known = new Set(found.map((r) => r.sessionId));
    const now = this.clock.now();
    const batch = [...found, ...unique.filter((id) => !known.has(id)).map((sessionId): Revocation => ({ sessionId, userId: null, revokedAt: now, reason: 'unknown' }))];
    for (const listener of this.listeners) listener(batch);
  }
}
