// The hot routes' fast path (issue 15): a plain node:http request listener in front of the Express app. A
// request for a hot route (hot-route.ts HotRoute: refresh, validate, /me, the session list) with nothing
// unusual about it is answered here, without Express: no req/res prototype swap, no router, no middleware
// chain — which profiles showed to cost more server CPU per request than the route's own work. Everything
// else goes to the Express app unchanged, including hot-route requests this listener does not take:
//   - any other method (HEAD, OPTIONS preflights) or request target (a query string, a trailing slash, other
//     letter case: Express's routing decides those);
//   - a body the lean JSON reader does not read (json-body.ts leanJsonLength: gzip, chunked, another charset
//     or type, larger than 8 KiB) — body-parser answers those, as before;
//   - a body on a GET;
//   - for a form route (OAuth introspection), a body form-body.ts leanFormLength does not take (another
//     charset, gzip, chunked, empty, past 8 KiB): that route's own Express router answers it.
// What a taken request gets is what the Express app gives it: the same handler, the same steps in the
// same order (CORS when configured, JSON or form body, per-IP limit), the same headers (X-Request-Id, helmet's,
// CORS, RateLimit-*), errors mapped by the app's one mapping (errors.ts errorAnswers: contract shape, 503
// with Retry-After on a database outage) or the route's own (OAuth's RFC 6749 shape), one histogram
// observation and the info log line on 'finish'.
// test/http/fast-path.test.ts holds the two paths to the same answers.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import proxyaddr from 'proxy-addr';
import type { Logger } from '../infrastructure/logger';
import type { ErrorAnswer, ErroredRequest, RouteErrorAnswer } from './errors';
import { setRetryAfter } from './errors';
import { leanFormLength, parseLeanForm } from './form-body';
import { leanJsonLength, readLeanBody, readLeanText } from './json-body';
import { HeaderList, PRESET_HEADERS, setErrorHeaders, step, type HotRequest, type HotRoute, type WithPresetHeaders } from './hot-route';
import type { Metrics } from './metrics';
import type { RateLimits } from './rate-limits';
import { requestIdOf } from './request-id';
import { logRequest } from './request-logger';

export interface FastPathOptions {
  routes: readonly HotRoute[];
  /** Everything this listener does not take: the Express app. */
  fallback: RequestListener;
  /**
   * The app's compiled `trust proxy fn` when TRUST_PROXY is set, so req.ip is Express's; null when it is not
   * (Express then gives the socket's address, and so does the fast path, without parsing X-Forwarded-For).
   */
  trust: ((addr: string, i: number) => boolean) | null;
  /** The app's CORS middleware when CORS_ORIGINS is set (synchronous; sets headers, calls next). */
  cors: RequestHandler | null;
  /** BODY_LIMIT in bytes (json-body.ts simpleBytes); 0 = every body goes to Express. */
  bodyLimitBytes: number;
  perIp: RateLimits['perIpStep'];
  errors: (err: unknown, req: ErroredRequest) => ErrorAnswer;
  logger: Logger;
  metrics: Metrics;
}

/** The fields the fast path sets on Node's request (see HotRequest), writable here. */
type FastRequest = { -readonly [K in keyof HotRequest]: HotRequest[K] };

const STARTED = Symbol('fastPathStarted');
const ROUTE = Symbol('fastPathRoute');
type FastResponse = ServerResponse & { [STARTED]: number; [ROUTE]: HotRoute };

export function fastPath(o: FastPathOptions): RequestListener {
  const { fallback, trust, cors, bodyLimitBytes, perIp, errors, logger, metrics } = o;
  const get = new Map<string, HotRoute>();
  const post = new Map<string, HotRoute>();
  for (const r of o.routes) (r.method === 'GET' ? get : post).set(r.path, r);

  /** Whether this listener answers `req` (else Express does). */
  const takes = (r: HotRoute, req: IncomingMessage): boolean => {
    const h = req.headers;
    if (r.jsonBody) return leanJsonLength(h, bodyLimitBytes) !== null;
    if (r.formBody) return leanFormLength(h) !== null;
    return h['transfer-encoding'] === undefined && (h['content-length'] === undefined || h['content-length'] === '0');
  };

  // One listener for every response (no closure per request): the route and start time ride on `res`.
  function onFinish(this: FastResponse): void {
    const req = this.req as FastRequest;
    const ms = performance.now() - this[STARTED];
    metrics.observe(req.method!, this[ROUTE].path, this.statusCode, ms / 1000);
    if (logger.isInfoEnabled()) logRequest(logger, req, this.statusCode, ms);
  }

  function fail(r: HotRoute, req: FastRequest, res: ServerResponse, err: unknown): void {
    // As the app's error handler: nothing to do once the answer has started.
    if (res.headersSent) return;
    const a: RouteErrorAnswer = (r.errors ?? errors)(err, { id: req.id, method: req.method, path: req.url! });
    setErrorHeaders(req, res);
    const preset = (res as Partial<WithPresetHeaders>)[PRESET_HEADERS];
    if (preset) for (let i = 0; i < preset.length; i += 2) res.setHeader(preset[i], preset[i + 1]);
    if (a.headers) for (let i = 0; i < a.headers.length; i += 2) res.setHeader(a.headers[i], a.headers[i + 1]);
    setRetryAfter(res, a.retryAfterSeconds);
    const text = JSON.stringify(a.body);
    res.writeHead(a.status, ['Content-Type', 'application/json; charset=utf-8', 'Content-Length', String(Buffer.byteLength(text))]);
    res.end(text);
  }

  async function serve(r: HotRoute, req: FastRequest, res: ServerResponse): Promise<void> {
    try {
      if (cors) await step(cors, req, res);
      if (r.jsonBody) req.body = await readLeanBody(req, Number(req.headers['content-length']));
      else if (r.formBody) req.body = parseLeanForm(await readLeanText(req, Number(req.headers['content-length'])));
      if (r.perIp) {
        // The RateLimit-* headers go into sendJson's one header list (see PRESET_HEADERS).
        const limitHeaders = new HeaderList();
        (res as WithPresetHeaders)[PRESET_HEADERS] = limitHeaders.list;
        await perIp(req, limitHeaders);
      }
      await r.handler(req, res);
    } catch (err) {
      fail(r, req, res, err);
    }
  }

  return (req, res) => {
    const method = req.method;
    const r = method === 'GET' ? get.get(req.url!) : method === 'POST' ? post.get(req.url!) : undefined;
    if (r === undefined || !takes(r, req)) return fallback(req, res);
    const fr = req as FastRequest;
    const out = res as FastResponse;
    out[STARTED] = performance.now();
    out[ROUTE] = r;
    // Set in one order every time, so every request object has the same shape.
    fr.id = requestIdOf(req);
    fr.ip = trust ? proxyaddr(req, trust) : req.socket.remoteAddress;
    fr.originalUrl = req.url!;
    fr.body = undefined;
    fr.auth = undefined;
    res.on('finish', onFinish);
    void serve(r, fr, res);
  };
}
