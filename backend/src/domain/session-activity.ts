// "Last seen" of a session: when its access token was last used, and from which IP. Authenticated requests
// are the hot path, so this costs them one Map lookup: a session is written at most once per interval on
// this instance, after the response has gone out, and the UPDATE itself is conditional on the stored time
// being that old, so several instances together still write about once per interval. The refresh
// statement is untouched (it keeps stamping lastActiveAt as before).
import type { Clock, IpLocator, UnitOfWork } from './ports';

export const LAST_SEEN_INTERVAL_SECONDS = 60;

export class SessionActivity {
  /** Session id → when this instance last wrote (or decided to write) it, ms. */
  private readonly written = new Map<string, number>();

  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly intervalMs = LAST_SEEN_INTERVAL_SECONDS * 1000,
    private readonly maxEntries = 100_000,
    /** The session's location follows its last-seen IP (issue 33); null = locations are not kept. */
    private readonly locator: IpLocator | null = null,
  ) {}

  /** True when this session's stamp is due; claims it, so concurrent requests do not all write. */
  due(sessionId: string): boolean {
    const now = this.clock.now().getTime();
    const last = this.written.get(sessionId);
    if (last !== undefined && now - last < this.intervalMs) return false;
    // Crude bound, as in ProfileCache: forgetting only costs one extra (conditional, usually no-op) UPDATE.
    if (this.written.size >= this.maxEntries) this.written.clear();
    this.written.set(sessionId, now);
    return true;
  }

  /** Writes the stamp (call only after due() said so). A failure loses one stamp: the caller logs it. */
  async record(sessionId: string, ipAddress: string | null): Promise<void> {
    const now = this.clock.now();
    // The lookup is in process (an MMDB tree walk) and runs here, after the response, once a minute at most.
    const found = this.locator ? this.locator.locate(ipAddress) : undefined;
    const location = found === undefined ? undefined : { countryCode: found?.countryCode ?? null, city: found?.city ?? null, region: found?.region ?? null };
    await this.uow.direct.sessions.touch(sessionId, ipAddress, now, new Date(now.getTime() - this.intervalMs), location);
  }
}
