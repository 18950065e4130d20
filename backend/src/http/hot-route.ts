// The hot routes: refresh, validate, /me, the session list (and OAuth introspection, oauth.routes.ts). Each is
// declared once, as a HotRoute (its handler plus the steps it needs before it: JSON body, per-IP limit), and
// served two ways that answer alike (test/http/fast-path.test.ts):
//   - the fast path (fast-path.ts): a plain node:http listener ahead of Express that takes the everyday
//     request of a hot route (exact path, plain JSON body) and answers it without Express at all;
//   - the Express app (mountHotRoutes below), for what the fast path leaves (a gzip or chunked body, another
//     charset, a query string, HEAD, a trailing slash...), through the app-wide middleware like any route.
// The handler answers with sendJson: X-Request-Id, the security headers (computed once by
// security-headers.ts) and the JSON answer in one writeHead with a flat header array, Node's fast path. Behind
// Express, writeHead's list replaces the same headers the middleware set.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler, Response, Router } from 'express';
import type { AccessClaims } from '../domain/types';
import type { ErroredRequest, RouteErrorAnswer } from './errors';
import { OPERATION_ID } from './endpoint';
import { helmetHeaders, setHeaderPairs } from './security-headers';
import './types';

/**
 * What a hot route's handler reads of a request. Express's Request has all of it; the fast path
 * (fast-path.ts), which answers without Express, sets the same fields on Node's own request.
 */
export interface HotRequest extends IncomingMessage {
  /** X-Request-Id (request-id.ts). */
  id: string;
  /** The client address, X-Forwarded-For honoured only as TRUST_PROXY says (Express's req.ip). */
  readonly ip: string | undefined;
  /** The parsed JSON body, once read. */
  body?: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- as Express's Request.body
  auth?: AccessClaims;
  /** The request target as received (logged without its query string). */
  originalUrl: string;
}

/** A hot route's handler: answers with sendJson (below); errors are thrown (rejected), never sent. */
export type HotHandler = (req: HotRequest, res: ServerResponse) => Promise<void> | void;

/** One hot route, as both the fast path and the Express app serve it. */
export interface HotRoute {
  method: 'GET' | 'POST';
  /** The exact path; also the metrics label. */
  path: string;
  /** Its operation in docs/openapi.yaml (reported by the route table, checked by test/http/openapi-routes.test.ts). */
  operationId: string;
  /** Reads the JSON body first (BODY_LIMIT, the NUL/surrogate check), as the ordinary chain's jsonBody. */
  jsonBody?: boolean;
  /** Then counts the request against the per-IP limit (RateLimit-* headers; 429 with Retry-After). */
  perIp?: boolean;
  /**
   * Reads an application/x-www-form-urlencoded body first (form-body.ts). Fast path only: such a route keeps
   * its own Express route (the declared endpoint, oauth.endpoints.ts) for what the fast path does not take.
   */
  formBody?: boolean;
  /** The route's own error mapping when it answers in another shape (OAuth); the app's errorAnswers if unset. */
  errors?: (err: unknown, req: ErroredRequest) => RouteErrorAnswer;
  handler: HotHandler;
}

/** Headers of token-bearing answers (contract: Cache-Control: no-store). */
export const NO_STORE = ['Cache-Control', 'no-store', 'Pragma', 'no-cache'] as const;

/** helmet's headers (the app-wide defaults), recorded once; flat [name, value, ...] for writeHead. */
export const SECURITY_HEADERS = helmetHeaders();
const securityFlat: readonly string[] = SECURITY_HEADERS.flat();

/**
 * Sends `body` as JSON with every header in one writeHead. When nothing was set before (no CORS or RateLimit
 * headers), Node takes its fast path; otherwise writeHead merges with what is there.
 */
export function sendJson(req: { id: string }, res: ServerResponse, status: number, body: unknown, extra: readonly string[] = NONE): void {
  const text = JSON.stringify(body);
  // A copy of the list for these extra headers, with the two per-answer values filled in.
  const headers = templateFor(extra).slice();
  headers[1] = req.id;
  headers[headers.length - 1] = String(Buffer.byteLength(text));
  const preset = (res as Partial<WithPresetHeaders>)[PRESET_HEADERS];
  if (preset) for (const h of preset) headers.push(h);
  res.writeHead(status, headers);
  res.end(text);
}

/**
 * Headers a step wants on the answer, kept aside instead of set on the response (the fast path's per-IP limit:
 * RateLimit-*). setHeader on a response makes every later writeHead merge its whole list header by header, the
 * slow way; sendJson adds these to its one list instead. An error answer sets them the ordinary way.
 */
export const PRESET_HEADERS = Symbol('presetHeaders');
export type WithPresetHeaders = ServerResponse & { [PRESET_HEADERS]: string[] };

/** Collects setHeader calls as a flat [name, value, ...] list (a later value for a name replaces the earlier). */
export class HeaderList {
  readonly list: string[] = [];
  setHeader(name: string, value: string | number | readonly string[]): this {
    const v = Array.isArray(value) ? value.join(', ') : String(value);
    const lower = name.toLowerCase();
    for (let i = 0; i < this.list.length; i += 2) {
      if (this.list[i].toLowerCase() === lower) {
        this.list[i + 1] = v;
        return this;
      }
    }
    this.list.push(name, v);
    return this;
  }
}

const NONE: readonly string[] = [];
/** The header list of an answer, by its extra headers (a handful of constant lists, e.g. NO_STORE). */
const templates = new Map<readonly string[], string[]>();
function templateFor(extra: readonly string[]): string[] {
  let t = templates.get(extra);
  if (!t) {
    t = ['X-Request-Id', '', ...securityFlat, ...extra, 'Content-Type', 'application/json; charset=utf-8', 'Content-Length', ''];
    // Callers pass constant lists; a list made per call would grow the map without bound.
    if (templates.size < 32) templates.set(extra, t);
  }
  return t;
}

/** An error's answer carries the same X-Request-Id and security headers as any other (set the ordinary way). */
export function setErrorHeaders(req: { id: string }, res: ServerResponse): void {
  res.setHeader('X-Request-Id', req.id);
  setHeaderPairs(res, SECURITY_HEADERS);
}

/** Runs an Express middleware as a step of the fast path: resolves on next(), rejects on next(err). */
export function step(mw: RequestHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    mw(req as Request, res as Response, (err?: unknown) => (err ? reject(err instanceof Error ? err : new Error('middleware failed', { cause: err })) : resolve()));
  });
}

/**
 * The hot routes on the Express app, for the requests the fast path does not take. Mounted after the app-wide
 * middleware and the JSON body parser, so they get what every route gets; a route with `perIp` counts against
 * the per-IP limit here. Form routes keep their own router (HotRoute.formBody).
 */
export function mountHotRoutes(app: Pick<Router, 'route'>, routes: readonly HotRoute[], perIp: RequestHandler): void {
  for (const r of routes) {
    if (r.formBody) continue;
    const route = app.route(r.path) as ReturnType<Router['route']> & { [OPERATION_ID]?: Record<string, string> };
    (route[OPERATION_ID] ??= {})[r.method] = r.operationId;
    const handler = r.handler as unknown as RequestHandler;
    if (r.method === 'GET') route.get(...(r.perIp ? [perIp] : []), handler);
    else route.post(...(r.perIp ? [perIp] : []), handler);
  }
}
