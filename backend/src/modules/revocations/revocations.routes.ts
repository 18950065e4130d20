// /api/revocations/stream: Server-Sent Events feed of revoked sessions for other services (the verifier
// package keeps a local revoked-session set from it). A snapshot of the still-live revocations first, then
// each new one as it happens; `Last-Event-ID` (or ?lastEventId=) narrows the snapshot on reconnect.
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { Errors } from '../../domain/errors';
import type { AuthService } from '../../domain/auth.service';
import { revocationToJson, type Revocation, type RevocationFeed } from '../../domain/revocation-feed';
import { REVOCATIONS_SCOPE } from '../../domain/oauth/scopes';
import { isClientToken, type AccessClaims } from '../../domain/types';
import { authenticateUserOrClient, claimsOf, type ClientTokenAuthenticator } from '../../http/authenticate';
import { bearerRefusal } from '../../http/errors';
import type { StreamCaps } from '../../http/stream-caps';

/** A resumed stream replays from this long before its cursor: revokedAt is stamped before commit. */
const RESUME_MARGIN_MS = 30_000;

/**
 * Who may read the feed, in one place: an OAuth client-credentials token with scope `revocations:read`,
 * or (for deployments without registered clients) an administrator's token.
 */
export function canReadRevocations(claims: AccessClaims): boolean {
  const scope = (claims as { scope?: unknown }).scope;
  // A service scope counts only on a service's (client_credentials) token, never on a user's (issue 22).
  const scopes = typeof scope === 'string' && isClientToken(claims) ? scope.split(' ') : [];
  return scopes.includes(REVOCATIONS_SCOPE) || claims.role === 'admin';
}

const requireReader: RequestHandler = (req, _res, next) => {
  next(canReadRevocations(claimsOf(req)) ? undefined : bearerRefusal(Errors.forbidden(`Requires scope ${REVOCATIONS_SCOPE}`), REVOCATIONS_SCOPE));
};

function cursorOf(req: Request): Date | undefined {
  const raw = req.get('last-event-id') ?? (typeof req.query.lastEventId === 'string' ? req.query.lastEventId : undefined);
  if (!raw || !/^\d{1,15}$/.test(raw)) return undefined;
  return new Date(Number(raw) - RESUME_MARGIN_MS);
}

export interface RevocationRoutes {
  router: Router;
  /** Ends every open stream (graceful shutdown: clients reconnect to another instance). */
  closeAll(): void;
}

export function revocationRoutes(deps: {
  auth: AuthService;
  feed: RevocationFeed;
  /** Accepts OAuth client_credentials tokens (scope revocations:read) besides users' tokens. */
  clientTokens?: ClientTokenAuthenticator;
  heartbeatMs?: number;
  now?: () => number;
  /** Open streams per session, user, client and IP, shared with /api/user/session-events (config.streams). */
  caps: StreamCaps;
}): RevocationRoutes {
  const router = Router();
  /** How to end each open stream (closeAll): the stream's own end(), which also stops its listener and timers. */
  const ends = new Map<Response, () => void>();
  const now = deps.now ?? Date.now;

  router.get('/stream', authenticateUserOrClient(deps.auth, deps.clientTokens), requireReader, async (req, res) => {
    const claims = claimsOf(req);
    // Before the snapshot query and before anything is written: over the cap is a plain 429.
    const release = deps.caps.acquire({ ...claims, ip: req.ip });
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 1000\n\n');

    // Writing to a response that has ended emits 'error' on it, an uncaught exception that ends the process; and
    // between end() and 'close' a revocation, the heartbeat or the snapshot can still come. So every write checks,
    // and ending the stream stops its listener and timers at once instead of on 'close'.
    const write = (text: string) => {
      if (!res.writableEnded) res.write(text);
    };
    const send = (list: Revocation[]) => {
      for (const r of list) write(`id: ${r.revokedAt.getTime()}\nevent: revoked\ndata: ${JSON.stringify(revocationToJson(r))}\n\n`);
    };
    // Listen before reading the snapshot, so a revocation committed in between is not lost (duplicates are harmless).
    let buffered: Revocation[] | null = [];
    const unsubscribe = deps.feed.subscribe((list) => {
      if (buffered) buffered.push(...list);
      else send(list);
      // The reader's own session ended: so does its stream.
      if (list.some((r) => r.sessionId === claims.sid)) end();
    });
    const heartbeat = setInterval(() => write(': ping\n\n'), deps.heartbeatMs ?? 15_000);
    // The stream ends when the token that opened it expires; the client reconnects with a fresh one.
    const expiry = setTimeout(() => end(), Math.max(0, claims.exp * 1000 - now()));
    function cleanup() {
      release();
      unsubscribe();
      clearInterval(heartbeat);
      clearTimeout(expiry);
      ends.delete(res);
    }
    function end() {
      cleanup();
      if (!res.writableEnded) res.end();
    }
    ends.set(res, end);
    res.on('close', cleanup);

    try {
      send(await deps.feed.snapshot(cursorOf(req)));
      write(`event: ready\ndata: ${JSON.stringify({ windowSeconds: deps.feed.windowSeconds })}\n\n`);
      const pending = buffered;
      buffered = null;
      send(pending);
    } catch {
      // Headers are sent: end the stream and let the client reconnect and resync.
      end();
    }
  });

  return {
    router,
    closeAll() {
      for (const end of [...ends.values()]) end();
    },
  };
}
