// The hot routes' lean chain (issue 15): refresh, validate, /me and the session list are mounted ahead of
// the app-wide middleware and do its work themselves, in one step each instead of a chain of a dozen:
//   - X-Request-Id (request-id.ts's requestIdOf), the security headers (computed once by security-headers.ts)
//     and the JSON answer go out in one writeHead with a flat header array — Node's fast path, no setHeader
//     per header;
//   - metrics (one histogram observation, same labels as the app-wide middleware) and the request log line
//     (when info is on, request-logger.ts's logRequest) from one 'finish' listener;
//   - errors go to next(err), i.e. to the app's one error handler, after the same headers are set.
// Everything else a route needs (rate limit, body, authentication) the route does itself, in order.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from '../infrastructure/logger';
import type { Metrics } from './metrics';
import { requestIdOf } from './request-id';
import { logRequest } from './request-logger';
import { helmetHeaders, setHeaderPairs } from './security-headers';
import './types';

export type LeanHandler = (req: Request, res: Response) => Promise<void> | void;

export interface LeanKit {
  /** Wraps a handler for `route` (the metrics label, e.g. `/api/auth/refresh`). */
  route(route: string, handler: LeanHandler): RequestHandler;
}

/** Headers of token-bearing answers (contract: Cache-Control: no-store). */
export const NO_STORE = ['Cache-Control', 'no-store', 'Pragma', 'no-cache'] as const;

/** helmet's headers (the app-wide defaults), recorded once; flat [name, value, ...] for writeHead. */
const SECURITY_HEADERS = helmetHeaders();
const securityFlat: readonly string[] = SECURITY_HEADERS.flat();

/**
 * Sends `body` as JSON with every header in one writeHead. When nothing was set before (no CORS headers), Node
 * takes its fast path; otherwise writeHead merges with what is there.
 */
export function sendJson(req: Request, res: Response, status: number, body: unknown, extra: readonly string[] = []): void {
  const text = JSON.stringify(body);
  res.writeHead(status, [
    'X-Request-Id', req.id,
    ...securityFlat,
    ...extra,
    'Content-Type', 'application/json; charset=utf-8',
    'Content-Length', String(Buffer.byteLength(text)),
  ]);
  res.end(text);
}

/** Runs an Express middleware as a step of a lean handler: resolves on next(), rejects on next(err). */
export function step(mw: RequestHandler, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    mw(req, res, (err?: unknown) => (err ? reject(err) : resolve()));
  });
}

export function leanKit(opts: {
  logger: Logger;
  metrics: Metrics;
  /** The app's CORS middleware when CORS_ORIGINS is set: run first, as in the ordinary chain. */
  cors: RequestHandler | null;
}): LeanKit {
  const { logger, metrics, cors } = opts;
  return {
    route(route, handler) {
      return (req: Request, res: Response, next: NextFunction) => {
        const started = performance.now();
        req.id = requestIdOf(req);
        res.once('finish', () => {
          const ms = performance.now() - started;
          metrics.observe(req.method, route, res.statusCode, ms / 1000);
          if (logger.isInfoEnabled()) logRequest(logger, req, res.statusCode, ms);
        });
        const fail = (err: unknown) => {
          // The error handler answers with res.json: the same headers, set the ordinary way.
          if (!res.headersSent) {
            res.setHeader('X-Request-Id', req.id);
            setHeaderPairs(res, SECURITY_HEADERS);
          }
          next(err);
        };
        if (cors) {
          step(cors, req, res).then(() => handler(req, res)).catch(fail);
          return;
        }
        try {
          const done = handler(req, res);
          if (done) done.catch(fail);
        } catch (err) {
          fail(err);
        }
      };
    },
  };
}
