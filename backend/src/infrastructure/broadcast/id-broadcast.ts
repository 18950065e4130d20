// The fan-out the in-process caches share: each instance publishes lists of ids (revoked session ids,
// changed user ids, changed OAuth client ids — one topic each) and hears every other instance's lists.
// Implemented over Redis pub/sub (redis-id-broadcast.ts); at-most-once, so each subscriber has its own
// way to make up for a lost message (the revocation store re-reads the database; caches have a TTL).

/** Publishes lists of ids to every instance on one topic. */
export interface IdBroadcast {
  publish(ids: string[]): Promise<void>;
  /** `onStatus(true)` once the subscription is live (again), `onStatus(false)` when the connection drops. */
  subscribe(onIds: (ids: string[]) => void, onStatus?: (connected: boolean) => void): Promise<void>;
  close(): Promise<void>;
}
