// helmet's response headers, computed once. helmet() runs a chain of a dozen small middlewares on every
// request (about 10% of a token-validation request here); with our options every header it sets is the
// same for every request, so we run it once against a recorder and replay the result.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

/** helmet's headers for `options`, as [name, value] pairs (recorded once; see above). */
export function helmetHeaders(options?: Readonly<HelmetOptions>): [string, string][] {
  const headers: [string, string][] = [];
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers.push([name, Array.isArray(value) ? value.join(', ') : String(value)]);
      return recorder;
    },
    removeHeader() {},
    getHeader() {
      return undefined;
    },
  };
  let called = false;
  helmet(options)({ headers: {} } as IncomingMessage, recorder as unknown as ServerResponse, () => (called = true));
  // helmet is synchronous today; if a future version is not, fail loudly at start instead of sending nothing.
  if (!called || headers.length === 0) throw new Error('helmet did not produce its headers synchronously');
  return headers;
}

/** Sets recorded [name, value] pairs the ordinary way (also the fast path's error answers, hot-route.ts). */
export function setHeaderPairs(res: ServerResponse, headers: readonly (readonly [string, string])[]): void {
  for (const [name, value] of headers) res.setHeader(name, value);
}

export function securityHeaders(options?: Readonly<HelmetOptions>): RequestHandler {
  const headers = helmetHeaders(options);
  return (_req, res, next) => {
    setHeaderPairs(res, headers);
    next();
  };
}

/**
 * The Content-Security-Policy of the HTML pages this server serves (the web app, the API reference): scripts,
 * connections and fonts from this origin only, images also as data: URLs (the 2FA QR code), no plugins, no
 * framing. Only the style rule differs: Swagger UI sets style attributes, so the reference page needs inline styles.
 */
export function pageCsp({ inlineStyles = false } = {}): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    inlineStyles ? "style-src 'self' 'unsafe-inline'" : "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
