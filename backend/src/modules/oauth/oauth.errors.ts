// The OAuth endpoints' one error mapping: RFC 6749 §5.2 shape {error, error_description}, Cache-Control:
// no-store, WWW-Authenticate on an HTTP Basic client's invalid_client (§5.2), never the API's {error: {code}}.
// Used by the /oauth router's error handler and, for introspection, by the fast path (http/fast-path.ts).
import type { ErrorRequestHandler } from 'express';
import { DomainError } from '../../domain/errors';
import { OAuthError, type OAuthErrorCode } from '../../domain/oauth/errors';
import type { Logger } from '../../infrastructure/logger';
import { safeDescription, setRetryAfter, type ErroredRequest, type RouteErrorAnswer } from '../../http/errors';
import { NO_STORE } from '../../http/hot-route';

const STATUS: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  unsupported_token_type: 400,
  invalid_target: 400,
  invalid_redirect_uri: 400,
  invalid_client_metadata: 400,
  invalid_token: 401,
  authorization_pending: 400,
  slow_down: 400,
  access_denied: 400,
  expired_token: 400,
};

const BASIC_CHALLENGE = [...NO_STORE, 'WWW-Authenticate', 'Basic realm="oauth", charset="UTF-8"'];
/** RFC 6750 §3.1: the registration endpoints' bearer tokens (initial and registration access tokens). */
const BEARER_CHALLENGE = [...NO_STORE, 'WWW-Authenticate', 'Bearer error="invalid_token"'];

const answer = (status: number, error: string, description: string, headers: readonly string[] = NO_STORE, retryAfterSeconds?: number): RouteErrorAnswer => ({
  status,
  // Every OAuth error passes here: error_description keeps to RFC 6749 §5.2's characters.
  body: { error, error_description: safeDescription(description) },
  headers,
  ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
});

export function oauthErrorAnswers(logger: Logger): (err: unknown, req: ErroredRequest) => RouteErrorAnswer {
  return (err, req) => {
    if (err instanceof OAuthError) {
      const headers = err.code === 'invalid_client' && err.basicChallenge ? BASIC_CHALLENGE : err.code === 'invalid_token' ? BEARER_CHALLENGE : NO_STORE;
      return answer(STATUS[err.code], err.code, err.message, headers);
    }
    if (err instanceof DomainError) {
      if (err.code === 'RATE_LIMITED') return answer(429, 'rate_limited', err.message, NO_STORE, err.retryAfterSeconds);
      if (err.code === 'VALIDATION_ERROR') return answer(400, 'invalid_request', err.message, NO_STORE, err.retryAfterSeconds);
      // Bad credentials, locked/pending/disabled accounts, 2FA accounts, bad, reused or foreign refresh tokens.
      return answer(400, 'invalid_grant', err.message, NO_STORE, err.retryAfterSeconds);
    }
    const e = err as { type?: string; status?: number } | null | undefined;
    if (e?.type === 'entity.too.large') return answer(413, 'invalid_request', 'Request body is too large');
    if (e?.type === 'entity.parse.failed' || e?.type === 'parameters.too.many' || (e?.status && e.status >= 400 && e.status < 500)) {
      return answer(400, 'invalid_request', 'Request body could not be read');
    }
    logger.error('unhandled error', { requestId: req.id, method: req.method, path: req.path, error: String((err as Error)?.message ?? err), stack: (err as Error)?.stack });
    return answer(500, 'server_error', 'Internal server error');
  };
}

/** The /oauth router's error handler. */
export function oauthErrorHandler(logger: Logger): ErrorRequestHandler {
  const answers = oauthErrorAnswers(logger);
  return (err, req, res, _next) => {
    const a = answers(err, { id: req.id, method: req.method, path: `${req.baseUrl}${req.path}` });
    const h = a.headers ?? [];
    for (let i = 0; i < h.length; i += 2) res.setHeader(h[i], h[i + 1]);
    setRetryAfter(res, a.retryAfterSeconds);
    res.status(a.status).json(a.body);
  };
}
