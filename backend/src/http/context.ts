// Who is calling from where. req.ip honours X-Forwarded-For only when TRUST_PROXY is set (app setting).
import type { IncomingHttpHeaders } from 'node:http';
import type { Response } from 'express';
import type { RequestContext } from '../domain/types';

/** Express's Request, or the fast path's request (hot-route.ts HotRequest). */
type Caller = { headers: IncomingHttpHeaders; readonly ip?: string | undefined };

export function requestContext(req: Caller): RequestContext {
  const ua = req.headers['user-agent'];
  return { ipAddress: clientIp(req), userAgent: ua ? ua.slice(0, 512) : null };
}

/**
 * Aborts when the client hangs up before the answer is complete (a login that timed out on its side, a
 * closed tab). Only for work worth skipping then (the bcrypt compare of a login waiting in a storm).
 */
export function clientGone(res: Response): AbortSignal {
  const ac = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) ac.abort(new DOMException('client closed the connection', 'AbortError'));
  });
  return ac.signal;
}

/** The client address, with IPv4-mapped IPv6 (::ffff:1.2.3.4) shown as plain IPv4. */
export function clientIp(req: { readonly ip?: string | undefined }): string | null {
  const ip = req.ip;
  if (!ip) return null;
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

/** Token- and secret-bearing responses must not be cached by browsers or proxies. */
export function noStore(res: Response): Response {
  return res.setHeader('Cache-Control', 'no-store').setHeader('Pragma', 'no-cache');
}
