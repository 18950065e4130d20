// Caps on open Server-Sent Events streams (/api/user/session-events, /api/revocations/stream), per session,
// user, OAuth client and client IP, counted together for both kinds on this instance. A stream holds a
// connection, a feed listener and timers for as long as it is open, and the revocation stream starts with a
// database snapshot: without caps one token opened hundreds of each (issue 22). These are counts of what is
// open now, not request rates, so they are plain counters here rather than rate-limiter-flexible buckets.
import { Errors } from '../domain/errors';
import { CLIENT_TOKEN_SID_PREFIX } from '../domain/types';
import { ipBucket } from './rate-limits';

/** config.streams: EVENT_STREAMS_PER_SESSION, _PER_USER, _PER_CLIENT, _PER_IP. */
export interface StreamCapSettings {
  perSession: number;
  perUser: number;
  perClient: number;
  perIp: number;
}

/** Who opens a stream: the claims of its token (user or client credentials) and the client IP. */
export interface StreamOpener {
  sid: string;
  sub: string;
  client_id?: string | undefined;
  ip: string | undefined;
}

/** The Retry-After of a refused stream: about when a page or service that reconnects would try again anyway. */
const RETRY_AFTER_SECONDS = 15;

export class StreamCaps {
  private readonly open = new Map<string, number>();

  constructor(private readonly settings: StreamCapSettings) {}

  /**
   * Takes a place for one stream, or throws RATE_LIMITED (429 with Retry-After) naming the cap that is full.
   * Returns the release, to call once when the stream ends (further calls do nothing).
   */
  acquire(opener: StreamOpener): () => void {
    const clientToken = opener.sid.startsWith(CLIENT_TOKEN_SID_PREFIX);
    const caps: [string, number, string][] = [[`session:${opener.sid}`, this.settings.perSession, 'session']];
    // A client-credentials token's subject is the client itself, not a user.
    if (!clientToken) caps.push([`user:${opener.sub}`, this.settings.perUser, 'user']);
    const client = opener.client_id ?? (clientToken ? opener.sub : undefined);
    if (client) caps.push([`client:${client}`, this.settings.perClient, 'client']);
    caps.push([`ip:${ipBucket(opener.ip ?? 'unknown')}`, this.settings.perIp, 'IP address']);
    for (const [key, limit, what] of caps) {
      if ((this.open.get(key) ?? 0) >= limit) throw Errors.tooManyStreams(what, limit, RETRY_AFTER_SECONDS);
    }
    for (const [key] of caps) this.open.set(key, (this.open.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const [key] of caps) {
        const left = (this.open.get(key) ?? 1) - 1;
        if (left > 0) this.open.set(key, left);
        else this.open.delete(key);
      }
    };
  }
}
