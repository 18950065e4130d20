// The verifier's local view of revoked sessions, fed by the Sessionary server over NATS or Server-Sent
// Events. verify() checks it with a Map lookup: no call to the server per request. After a disconnect the
// feed resyncs (SSE: reconnect with Last-Event-ID; NATS: ask for the snapshot again), so no revocation is
// missed; while disconnected longer than `maxStaleMs` it fails closed (AUTH_UNAVAILABLE) or open, as configured.
import { createParser } from 'eventsource-parser';
import { Events, type NatsConnection, type Subscription } from 'nats';

export interface RevocationView {
  /** True when the session was revoked (and its tokens could still be unexpired). */
  isRevoked(sessionId: string): boolean;
  /**
   * False when the view may be missing revocations and the configured policy is to fail closed
   * (disconnected from the server for longer than the bound). verify() then answers AUTH_UNAVAILABLE.
   */
  acceptsTokens(): boolean;
}

export interface RevocationWire {
  sessionId: string;
  userId: string | null;
  revokedAt: string;
  reason: string;
}

export interface RevocationFeedOptions {
  /** Server-Sent Events from the server: `https://auth.example.com/api/revocations/stream`. */
  sse?: {
    url: string | URL;
    /** A bearer token with scope `revocations:read` (client credentials), or a function giving a fresh one. */
    token: string | (() => string | Promise<string>);
  };
  /** NATS: your service's connection; the server publishes on `<subjectPrefix>.revoked`. */
  nats?: {
    connection: NatsConnection;
    /** Default `auth.revocations`. */
    subjectPrefix?: string;
    /** Timeout of the snapshot request (ms). Default 3000. */
    requestTimeoutMs?: number;
  };
  /** Disconnected (or not yet synced) longer than this → the view is stale (ms). Default 30 000. */
  maxStaleMs?: number;
  /** While stale: `closed` refuses session tokens with AUTH_UNAVAILABLE, `open` accepts them. Default `closed`. */
  failMode?: 'closed' | 'open';
  /** How long a revocation is kept, until the server says (ACCESS_TOKEN_TTL + 60 s there). Default 960 s. */
  windowSeconds?: number;
  /** Delay before reconnecting after a failure (ms), doubled up to 10× on repeated failures. Default 500. */
  reconnectDelayMs?: number;
  /** Told about connection problems (the feed keeps retrying by itself). */
  onError?: (err: Error) => void;
  /** Told of each revocation as it arrives (including snapshot entries). */
  onRevoked?: (revocation: RevocationWire) => void;
  now?: () => number;
}

export interface RevocationFeed extends RevocationView {
  /** Resolves once the first snapshot is applied. */
  readonly ready: Promise<void>;
  /** True while connected and in sync. */
  isConnected(): boolean;
  /** Revoked sessions currently remembered. */
  size(): number;
  close(): Promise<void>;
}

/** Starts following the server's revocations (SSE or NATS); pass the result as `revocations` to createVerifier. */
export function createRevocationFeed(options: RevocationFeedOptions): RevocationFeed {
  if (!options.sse === !options.nats) throw new TypeError('createRevocationFeed needs exactly one of sse or nats');
  const now = options.now ?? Date.now;
  const maxStaleMs = options.maxStaleMs ?? 30_000;
  const failOpen = options.failMode === 'open';
  let windowMs = (options.windowSeconds ?? 960) * 1000;
  const revoked = new Map<string, number>();
  let connected = false;
  let disconnectedAt = now();
  let closed = false;
  let lastCursor: string | undefined;
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const remember = (r: RevocationWire) => {
    if (typeof r?.sessionId !== 'string') return;
    const at = Date.parse(r.revokedAt);
    const forgetAt = (Number.isNaN(at) ? now() : at) + windowMs;
    if ((revoked.get(r.sessionId) ?? 0) < forgetAt) revoked.set(r.sessionId, forgetAt);
    options.onRevoked?.(r);
  };
  const synced = () => {
    connected = true;
    markReady();
  };
  const lost = (err?: unknown) => {
    if (connected) disconnectedAt = now();
    connected = false;
    if (err && !closed) options.onError?.(err instanceof Error ? err : new Error(typeof err === 'string' ? err : 'revocation feed failed', { cause: err }));
  };
  const sweeper = setInterval(() => {
    const t = now();
    for (const [id, forgetAt] of revoked) if (forgetAt <= t) revoked.delete(id);
  }, 60_000);
  sweeper.unref();

  const stop = options.sse ? runSse(options.sse) : runNats(options.nats!);

  function runSse(sse: NonNullable<RevocationFeedOptions['sse']>): () => void {
    let controller: AbortController | null = null;
    let failures = 0;
    const baseDelay = options.reconnectDelayMs ?? 500;
    const loop = async () => {
      while (!closed) {
        controller = new AbortController();
        try {
          await streamOnce(controller.signal);
          failures = 0;
        } catch (err) {
          if (closed) return;
          failures += 1;
          lost(err);
        }
        lost();
        if (closed) return;
        await new Promise((resolve) => setTimeout(resolve, Math.min(baseDelay * 2 ** Math.max(0, failures - 1), baseDelay * 10)));
      }
    };
    const streamOnce = async (signal: AbortSignal) => {
      const token = typeof sse.token === 'function' ? await sse.token() : sse.token;
      const headers: Record<string, string> = { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' };
      if (lastCursor) headers['Last-Event-ID'] = lastCursor;
      const res = await fetch(sse.url, { headers, signal });
      if (!res.ok || !res.body) {
        const body = await res.text().catch(() => '');
        throw new Error(`revocation stream answered ${res.status}: ${body.slice(0, 200)}`);
      }
      const parser = createParser({
        onEvent(event) {
          if (event.event === 'revoked') {
            try {
              remember(JSON.parse(event.data) as RevocationWire);
            } catch {
              return;
            }
            if (event.id) lastCursor = event.id;
          } else if (event.event === 'ready') {
            try {
              const { windowSeconds } = JSON.parse(event.data) as { windowSeconds?: number };
              if (typeof windowSeconds === 'number' && windowSeconds > 0) windowMs = windowSeconds * 1000;
            } catch {
              // keep the configured window
            }
            synced();
          }
        },
      });
      const decoder = new TextDecoder();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }));
    };
    void loop();
    return () => controller?.abort();
  }

  function runNats(cfg: NonNullable<RevocationFeedOptions['nats']>): () => void {
    const nc = cfg.connection;
    const prefix = cfg.subjectPrefix ?? 'auth.revocations';
    const decoder = new TextDecoder();
    let newest = 0;
    const apply = (data: Uint8Array) => {
      const body = JSON.parse(decoder.decode(data)) as { revocations?: RevocationWire[]; windowSeconds?: number; error?: { message: string } };
      if (body.error) throw new Error(body.error.message);
      if (typeof body.windowSeconds === 'number' && body.windowSeconds > 0) windowMs = body.windowSeconds * 1000;
      for (const r of body.revocations ?? []) {
        remember(r);
        newest = Math.max(newest, Date.parse(r.revokedAt) || 0);
      }
    };
    // Subscribe before asking for the snapshot, so nothing published in between is lost.
    const sub: Subscription = nc.subscribe(`${prefix}.revoked`, {
      callback: (err, msg) => {
        if (err) return lost(err);
        try {
          apply(msg.data);
        } catch (e) {
          options.onError?.(e as Error);
        }
      },
    });
    let syncing: Promise<void> | null = null;
    const resync = (): Promise<void> =>
      (syncing ??= (async () => {
        let delay = options.reconnectDelayMs ?? 500;
        while (!closed && !nc.isClosed()) {
          try {
            // The server replays from a margin before `after`; the first sync takes the whole window.
            const after = newest ? new Date(newest).toISOString() : undefined;
            const reply = await nc.request(`${prefix}.snapshot`, new TextEncoder().encode(JSON.stringify(after ? { after } : {})), { timeout: cfg.requestTimeoutMs ?? 3000 });
            apply(reply.data);
            synced();
            return;
          } catch (err) {
            lost(err);
            await new Promise((resolve) => setTimeout(resolve, delay));
            delay = Math.min(delay * 2, (options.reconnectDelayMs ?? 500) * 10);
          }
        }
      })().finally(() => (syncing = null)));
    void resync();
    void (async () => {
      for await (const status of nc.status()) {
        if (closed) return;
        if (status.type === Events.Disconnect) lost();
        else if (status.type === Events.Reconnect) void resync();
      }
    })();
    return () => sub.unsubscribe();
  }

  return {
    ready,
    isRevoked: (sessionId) => {
      const forgetAt = revoked.get(sessionId);
      return forgetAt !== undefined && forgetAt > now();
    },
    acceptsTokens: () => connected || failOpen || now() - disconnectedAt <= maxStaleMs,
    isConnected: () => connected,
    size: () => revoked.size,
    close() {
      closed = true;
      connected = false;
      clearInterval(sweeper);
      stop();
      return Promise.resolve();
    },
  };
}
