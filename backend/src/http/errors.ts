// The single place where domain error codes become HTTP statuses, and where anything unexpected
// becomes a 500 without internals. Body-parser failures are client errors in the contract's shape.
import type { ServerResponse } from 'node:http';
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { DomainError, type DomainErrorCode, type FieldProblem } from '../domain/errors';
import type { Logger } from '../infrastructure/logger';

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
  EMAIL_NOT_VERIFIED: 403,
  LINK_INVALID: 400,
  REAUTH_REQUIRED: 403,
  PASSKEY_INVALID: 401,
  LAST_SIGN_IN_METHOD: 409,
  ROLE_CONFLICT: 409,
  ROLE_CYCLE: 409,
  LAST_ADMIN: 409,
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

// Codes and messages by which pg, Prisma's adapter and PostgreSQL report that the database cannot be reached
// (server down, restarting, connection cut, pool starved): a retryable outage, not a bug.
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', 'P1001', 'P1002', 'P1017', 'P2024',
]);
// pg's "Client has encountered a connection error and is not queryable": a pooled connection cut by a
// PostgreSQL restart and used before the pool dropped it (found by the chaos soak, issue 32: it was a 500).
// "Unable to start a transaction in the given time" (Prisma P2028): no pool connection came free within the
// unit of work's maxWait, or the client was disconnecting (shutdown). Either way retryable, not a bug.
const UNREACHABLE_MESSAGE =
  /Unable to start a transaction in the given time|Connection terminated|connection (?:is )?closed|Can't reach database|terminating connection|database system is (?:starting up|shutting down|in recovery mode)|timeout exceeded when trying to connect|ECONNREFUSED|ECONNRESET|DatabaseNotReachable|ConnectionClosed|has encountered a connection error and is not queryable/i;

/** True when `err` (or one of its causes) says the database is unreachable. */
export function isDatabaseUnreachable(err: unknown): boolean {
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown; kind?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    if (typeof e.code === 'string' && UNREACHABLE_CODES.has(e.code)) return true;
    if (typeof e.kind === 'string' && /NotReachable|ConnectionClosed|SocketTimeout/.test(e.kind)) return true;
    if (typeof e.message === 'string' && UNREACHABLE_MESSAGE.test(e.message)) return true;
    e = e.cause as typeof e;
  }
  return false;
}

/** Seconds a client should wait before retrying during a database outage. */
const OUTAGE_RETRY_AFTER_SECONDS = 2;
/** A new outage is logged once; requests failing within this long of the previous failure belong to it. */
const OUTAGE_QUIET_MS = 30_000;

/** The one writer of Retry-After (both error shapes use it); the value comes normalised from DomainError. */
export function setRetryAfter(res: Pick<ServerResponse, 'setHeader'>, seconds: number | undefined): void {
  if (seconds !== undefined) res.setHeader('Retry-After', String(seconds));
}

/** What an error is answered with: status, the contract's error body, and Retry-After when there is one. */
export interface ErrorAnswer {
  status: number;
  body: { error: { code: string; message: string; details?: FieldProblem[] } };
  retryAfterSeconds?: number;
  /** Flat [name, value, ...]: the WWW-Authenticate challenge of a bearer-protected route's 401/403. */
  headers?: readonly string[];
}

// RFC 6750 §3: a resource that takes bearer tokens answers a 401/403 with a `WWW-Authenticate: Bearer`
// challenge. Which errors are a bearer route's is known where the token is checked (http/authenticate.ts),
// not by the domain code (INVALID_TOKEN is also a bad mfaToken at /api/auth/login/2fa, FORBIDDEN also a
// cross-site refusal): that code marks the error here, and errorAnswers adds the header.
interface BearerChallenge {
  error?: 'invalid_token' | 'insufficient_scope';
  scope?: string;
}
const challenges = new WeakMap<object, BearerChallenge>();
const BEARER_ERROR: Partial<Record<DomainErrorCode, BearerChallenge['error']>> = {
  INVALID_TOKEN: 'invalid_token',
  TOKEN_EXPIRED: 'invalid_token',
  SESSION_TERMINATED: 'invalid_token',
  FORBIDDEN: 'insufficient_scope',
};

/**
 * Marks `err` as the refusal of a bearer-protected route: its answer carries `WWW-Authenticate: Bearer` with
 * error="invalid_token" (401s about the token), "insufficient_scope" (403, with `scope` when one would do),
 * or no error attribute when no token was sent (RFC 6750 §3.1). Returns `err`, for `throw bearerRefusal(e)`.
 */
export function bearerRefusal<E>(err: E, scope?: string): E {
  if (err instanceof DomainError) {
    const error = err.code === 'UNAUTHENTICATED' ? undefined : BEARER_ERROR[err.code];
    if (error || err.code === 'UNAUTHENTICATED') challenges.set(err, { error, ...(scope ? { scope } : {}) });
  }
  return err;
}

/**
 * RFC 6749 §5.2 limits error_description (and RFC 6750 §3 a challenge's attribute values) to %x20-21 /
 * %x23-5B / %x5D-7E: no quote, backslash, control or non-ASCII character. Messages may quote what a client
 * sent (a scope, a field's problem): anything else becomes "?", so no message can break a client's parser.
 */
export function safeDescription(text: string): string {
  return text.replace(/[^\x20-\x21\x23-\x5B\x5D-\x7E]/g, '?');
}

/** A quoted-string value of a challenge (safeDescription's characters never need escapes). */
const quoted = (text: string) => `"${safeDescription(text)}"`;

function bearerHeader(err: DomainError): readonly string[] | undefined {
  const c = challenges.get(err);
  if (!c) return undefined;
  const parts = ['realm="sessionary"'];
  if (c.error) parts.push(`error="${c.error}"`, `error_description=${quoted(err.message)}`);
  if (c.scope) parts.push(`scope=${quoted(c.scope)}`);
  return ['WWW-Authenticate', `Bearer ${parts.join(', ')}`];
}

/**
 * An error answer in a route's own shape (the OAuth endpoints answer in RFC 6749's {error, error_description})
 * with the headers it adds, flat [name, value, ...] (e.g. Cache-Control, WWW-Authenticate).
 */
export interface RouteErrorAnswer {
  status: number;
  body: unknown;
  retryAfterSeconds?: number;
  headers?: readonly string[];
}

const answer = (status: number, code: string, message: string, details?: FieldProblem[], retryAfterSeconds?: number): ErrorAnswer => ({
  status,
  body: { error: { code, message, ...(details ? { details } : {}) } },
  ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
});

/** The request fields an error answer logs. */
export interface ErroredRequest {
  id: string;
  method?: string;
  path: string;
}

/**
 * Maps any error to its answer (logging outages and unexpected errors): the one mapping, used by the app's
 * error handler and by the hot routes' fast path (fast-path.ts), which answers without Express.
 */
export function errorAnswers(logger: Logger): (err: unknown, req: ErroredRequest) => ErrorAnswer {
  let lastOutageFailure = 0;
  return (err, req) => {
    if (isDatabaseUnreachable(err)) {
      const now = Date.now();
      if (now - lastOutageFailure > OUTAGE_QUIET_MS) {
        logger.error('database unreachable: answering 503 until it is back', { requestId: req.id, path: req.path, error: errorText(err).slice(0, 200) });
      }
      lastOutageFailure = now;
      return answer(503, 'SERVICE_UNAVAILABLE', 'Service temporarily unavailable', undefined, OUTAGE_RETRY_AFTER_SECONDS);
    }
    if (err instanceof DomainError) {
      const a = answer(STATUS_BY_CODE[err.code], err.code, err.message, err.details, err.retryAfterSeconds);
      const headers = bearerHeader(err);
      return headers ? { ...a, headers } : a;
    }
    const e = (err ?? {}) as HttpishError;
    if (e.type === 'entity.parse.failed') return answer(400, 'VALIDATION_ERROR', 'Request body is not valid JSON', [{ field: 'body', message: 'Malformed JSON' }]);
    if (e.type === 'entity.too.large') return answer(413, 'PAYLOAD_TOO_LARGE', 'Request body is too large');
    const status = e.status ?? e.statusCode;
    if (status && status >= 400 && status < 500) {
      // Other body-parser/client errors (bad charset, encoding): a clear 4xx, no internals.
      return status === 415 ? answer(415, 'UNSUPPORTED_MEDIA_TYPE', 'Request could not be read') : answer(400, 'VALIDATION_ERROR', 'Request could not be read');
    }
    logger.error('unhandled error', { requestId: req.id, method: req.method, path: req.path, error: errorText(err), stack: (err as { stack?: unknown } | null)?.stack });
    return answer(500, 'INTERNAL_ERROR', 'Internal server error');
  };
}

function errorText(err: unknown): string {
  return String((err as { message?: unknown } | null)?.message ?? err);
}

/** The app's one error handler; the app passes the `answers` it shares with the fast path (one outage log for both). */
export function errorHandler(logger: Logger, answers = errorAnswers(logger)): ErrorRequestHandler {
  // Express knows an error handler by its four parameters: `_next` must stay although it is never called.
  return (err, req, res, _next) => {
    if (res.headersSent) return;
    // Work skipped because the client hung up (see clientGone): nobody to answer, nothing went wrong.
    if ((err as Error | undefined)?.name === 'AbortError' && res.destroyed) {
      logger.info('request abandoned by the client', { requestId: req.id, path: req.path });
      res.end(); // nothing is sent; tells the graceful stop this request is over
      return;
    }
    const a = answers(err, req);
    // The same order as the fast path (fast-path.ts fail): the answer's headers, then Retry-After.
    if (a.headers) for (let i = 0; i < a.headers.length; i += 2) res.setHeader(a.headers[i], a.headers[i + 1]);
    setRetryAfter(res, a.retryAfterSeconds);
    res.status(a.status).json(a.body);
  };
}
