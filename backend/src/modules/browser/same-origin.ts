// Cross-site request refusal for the cookie-authenticated browser endpoints. The refresh cookie is
// SameSite=Strict, so a browser does not attach it to a request started by another site; this check is the
// second, independent layer: the request must say it comes from this very origin. Browsers always send
// `Origin` on POST (and `Sec-Fetch-Site` on every request), and a page cannot forge either header.
import type { Request, RequestHandler } from 'express';
import { Errors } from '../../domain/errors';

/** `scheme://host[:port]` this request was addressed to (X-Forwarded-* only when TRUST_PROXY is set). */
export function ownOrigin(req: Request): string {
  return `${req.protocol}://${req.host}`;
}

export function sameOriginOnly(extraOrigins: readonly string[] = []): RequestHandler {
  return (req, _res, next) => {
    const origin = req.get('origin');
    if (origin !== undefined) {
      if (origin === ownOrigin(req) || extraOrigins.includes(origin)) return next();
      return next(Errors.forbidden('Cross-site request refused'));
    }
    // No Origin (some same-origin GETs): trust the browser's own Fetch Metadata when it is there.
    const site = req.get('sec-fetch-site');
    if (site === 'same-origin' || site === 'none') return next();
    return next(Errors.forbidden('Cross-site request refused: Origin header required'));
  };
}
