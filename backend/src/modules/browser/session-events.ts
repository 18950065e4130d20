// GET /api/user/session-events: a Server-Sent Events stream that tells an open page, within moments, that
// its session ended elsewhere (another device, an admin, a password change, refresh-token reuse, the session
// limit). The revocation store reports every revoked batch, local or from other instances; the reason is
// read from the session row. EventSource cannot send an Authorization header, so the page reads this stream
// with fetch() and its in-memory bearer token.
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from '../../infrastructure/logger';
import { claimsOf } from '../../http/authenticate';
import type { StreamCaps } from '../../http/stream-caps';

export interface RevocationFeed {
  onRevoked(listener: (sessionIds: string[]) => void): () => void;
}

const HEARTBEAT_MS = 15_000;

export class SessionEventHub {
  private readonly streams = new Map<string, Set<Response>>();
  private unsubscribe: (() => void) | null = null;
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(
    private readonly feed: RevocationFeed,
    private readonly reasonOf: (sessionId: string) => Promise<string | null>,
    private readonly logger: Logger,
    /** Open streams per session, user, client and IP, shared with the revocation stream (config.streams). */
    private readonly caps: StreamCaps,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.unsubscribe = this.feed.onRevoked((ids) => this.revoked(ids));
    // A comment line now and then keeps proxies from closing an idle stream.
    this.heartbeat = setInterval(() => this.each((res) => res.write(': keep-alive\n\n')), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Ends every open stream (server shutdown), so draining is not held up by them. */
  close(): void {
    this.unsubscribe?.();
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.each((res) => res.end());
    this.streams.clear();
  }

  get openStreams(): number {
    let n = 0;
    for (const set of this.streams.values()) n += set.size;
    return n;
  }

  /** Mount behind authenticate(): the stream belongs to the token's session. */
  readonly handler: RequestHandler = (req: Request, res: Response) => {
    const claims = claimsOf(req);
    const sid = claims.sid;
    // Over the cap: thrown before anything is written, so it is an ordinary 429 error response.
    const release = this.caps.acquire({ ...claims, ip: req.ip });
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write(`retry: 2000\ndata: ${JSON.stringify({ type: 'ready', sessionId: sid })}\n\n`);
    let set = this.streams.get(sid);
    if (!set) this.streams.set(sid, (set = new Set()));
    set.add(res);
    // The stream lives no longer than the token that opened it: the page reconnects with a fresh one, so a
    // stolen token cannot keep listening after it has expired.
    const expiry = setTimeout(() => res.end(), Math.max(0, claims.exp * 1000 - this.now()));
    res.on('close', () => {
      release();
      clearTimeout(expiry);
      set.delete(res);
      if (set.size === 0 && this.streams.get(sid) === set) this.streams.delete(sid);
    });
  };

  private revoked(ids: string[]): void {
    for (const sid of ids) {
      const set = this.streams.get(sid);
      if (!set?.size) continue;
      this.streams.delete(sid);
      void this.reasonOf(sid)
        .catch((err) => {
          this.logger.warn('could not read why a session ended', { error: String(err) });
          return null;
        })
        .then((reason) => {
          const event = `data: ${JSON.stringify({ type: 'session_terminated', reason: reason ?? 'unknown' })}\n\n`;
          for (const res of set) res.end(event);
        });
    }
  }

  private each(fn: (res: Response) => void): void {
    for (const set of this.streams.values()) for (const res of set) fn(res);
  }
}
