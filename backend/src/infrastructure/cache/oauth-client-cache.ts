// Client lookups for the OAuth endpoints, served from memory for OAUTH_CLIENT_CACHE (5 minutes): a token
// request then costs no registry read. A change drops the entry here at once and, through the IdBroadcast
// (Redis pub/sub, its own channel), on every other instance; the TTL bounds staleness if a message is lost.
import type { OAuthClientLookup } from '../../domain/oauth/ports';
import type { OAuthClient } from '../../domain/oauth/types';
import type { IdBroadcast } from '../broadcast/id-broadcast';

export class OAuthClientCache implements OAuthClientLookup {
  private readonly entries = new Map<string, { client: OAuthClient | null; expiresAt: number }>();
  /** Bumped by every invalidation: a load that started before a change must not cache the old row. */
  private generation = 0;

  constructor(
    private readonly load: (clientId: string) => Promise<OAuthClient | null>,
    private readonly ttlMs = 5 * 60_000,
    private readonly bus: IdBroadcast | null = null,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  async start(): Promise<void> {
    await this.bus?.subscribe((ids) => this.forget(ids));
  }

  async find(clientId: string): Promise<OAuthClient | null> {
    const hit = this.entries.get(clientId);
    if (hit && hit.expiresAt > this.now()) return hit.client;
    const generation = this.generation;
    const client = await this.load(clientId);
    if (generation !== this.generation) return client;
    // Unknown ids are remembered too (briefly, like known ones), so junk client_ids cannot hammer the table;
    // creating that client invalidates the entry.
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(clientId, { client, expiresAt: this.now() + this.ttlMs });
    return client;
  }

  async changed(clientId: string): Promise<void> {
    this.forget([clientId]);
    await this.bus?.publish([clientId]).catch(() => undefined);
  }

  private forget(ids: string[]): void {
    this.generation += 1;
    ids.forEach((id) => this.entries.delete(id));
  }

  async stop(): Promise<void> {
    await this.bus?.close();
  }
}
