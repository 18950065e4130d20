// The single place where domain error codes become HTTP statuses, and where anything unexpected
// becomes a 500 without internals. Body-parser failures are client errors in the contract's shape.
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { DomainError, type DomainErrorCode, type FieldProblem } from '../../domain/errors';
import type { Logger } from '../../infrastructure/logger';

export const STATUS_BY_CODE: Record<DomainErrorCode, number> = {
  VALIDATION_ERROR: 400,
  UNAUTHENTICATED: 401,
  INVALID_TOKEN: 401,
  TOKEN_EXPIRED: 401,
  SESSION_TERMINATED: 401,
  INVALID_CREDENTIALS: 401,
  INVALID_REFRESH_TOKEN: 401,
  REFRESH_TOKEN_REUSED: 401,
  MFA_INVALID_CODE: 401,
  ACCOUNT_LOCKED: 423,
  ACCOUNT_PENDING: 403,
  ACCOUNT_DISABLED: 403,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  EMAIL_TAKEN: 409,
  MFA_ALREADY_ENABLED: 409,
  MFA_NOT_ENABLED: 409,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
  CLIENT_ID_TAKEN: 409,
  MFA_REQUIRED: 401,
};

export function sendError(res: Response, status: number, code: string, message: string, details?: FieldProblem[]): void {
  res.status(status).json({ error: { code, message, ...(details ? { details } : {}) } });
}

export const notFoundRoute: RequestHandler = (req, res) => {
  sendError(res, 404, 'NOT_FOUND', `No route for ${req.method} ${req.path}`);
};

interface HttpishError {
  type?: string;
  status?: number;
  statusCode?: number;
  expose?: boolean;
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) return;
    if (err instanceof DomainError) {
      if (err.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(Math.max(1, err.retryAfterSeconds)));
      sendError(res, STATUS_BY_CODE[err.code], err.code, err.message, err.details);
      return;
    }
    const e = err as HttpishError;
    if (e.type === 'entity.parse.failed') {
      sendError(res, 400, 'VALIDATION_ERROR', 'Request body is not valid JSON', [{ field: 'body', message: 'Malformed JSON' }]);
      return;
    }
    if (e.type === 'entity.too.large') {
      sendError(res, 413, 'PAYLOAD_TOO_LARGE', 'Request body is too large');
      return;
    }
    const status = e.status ?? e.statusCode;
    if (status && status >= 400 && status < 500) {
      // Other body-parser/client errors (bad charset, encoding): a clear 4xx, no internals.
      sendError(res, status === 415 ? 415 : 400, status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'VALIDATION_ERROR', 'Request could not be read');
      return;
    }
    logger.error('unhandled error', { requestId: req.id, method: req.method, path: req.path, error: String(err?.message ?? err), stack: err?.stack });
    sendError(res, 500, 'INTERNAL_ERROR', 'Internal server error');
  };
}
