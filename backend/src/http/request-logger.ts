// One JSON line per request. Only the path (no query string: it may carry tokens) and never a body or header.
import type { RequestHandler } from 'express';
import type { Logger } from '../infrastructure/logger';
import { clientIp } from './context';

export function requestLogger(logger: Logger): RequestHandler {
  return (req, res, next) => {
    // winston formats a line before filtering it by level: skip the work when info is off.
    if (!logger.isInfoEnabled()) return next();
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info('request', {
        requestId: req.id,
        method: req.method,
        path: req.originalUrl.split('?')[0],
        status: res.statusCode,
        durationMs: Math.round(durationMs * 100) / 100,
        ip: clientIp(req),
      });
    });
    next();
  };
}
