// One JSON line per request. Only the path (no query string: it may carry tokens) and never a body or header.
import type { RequestHandler } from 'express';
import type { Logger } from '../infrastructure/logger';
import { clientIp } from './context';

/** The request's log line (also written by the fast path, fast-path.ts). Callers check isInfoEnabled. */
export function logRequest(logger: Logger, req: { id: string; method?: string | undefined; originalUrl: string; readonly ip?: string | undefined }, status: number, durationMs: number): void {
  logger.info('request', {
    requestId: req.id,
    method: req.method,
    path: req.originalUrl.split('?')[0],
    status,
    durationMs: Math.round(durationMs * 100) / 100,
    ip: clientIp(req),
  });
}

export function requestLogger(logger: Logger): RequestHandler {
  return (req, res, next) => {
    // winston formats a line before filtering it by level: skip the work when info is off.
    if (!logger.isInfoEnabled()) return next();
    const started = process.hrtime.bigint();
    res.on('finish', () => logRequest(logger, req, res.statusCode, Number(process.hrtime.bigint() - started) / 1e6));
    next();
  };
}
