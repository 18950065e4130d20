// /oauth: token (RFC 6749), revoke (RFC 7009), introspect (RFC 7662), and the RFC 8414 metadata document.
// Everything under /oauth answers with Cache-Control: no-store and, on errors, the OAuth shape
// {error, error_description} (never the API's {error: {code}}).
import express, { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { DomainError } from '../../domain/errors';
import type { OAuthClientService } from '../../domain/oauth/client.service';
import { OAuthError, type OAuthErrorCode } from '../../domain/oauth/errors';
import type { OAuthTokenService } from '../../domain/oauth/token.service';
import { GRANT_TYPES } from '../../domain/oauth/types';
import type { Logger } from '../../infrastructure/logger';
import { noStore } from '../../http/context';
import { setRetryAfter } from '../../http/errors';
import { emailKey } from '../../http/rate-limit-keys';
import type { RateLimits } from '../../http/rate-limits';
import { OAuthHandlers } from './oauth.handlers';

export interface OAuthDeps {
  clients: OAuthClientService;
  tokens: OAuthTokenService;
  logger: Logger;
  /** Per-IP limit on /oauth/token and /oauth/revoke (introspection is for services, like /api/auth/validate). */
  perIp: RequestHandler;
  /** Per-account limit on password grants (keyed by username, which is the email), shared with /api/auth/login. */
  perAccount: RateLimits['perAccount'];
}

const STATUS: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  unsupported_token_type: 400,
};

/** Only the password grant names an account; other grants pass the per-account limiter uncounted. */
const byUsername = emailKey('username');
const passwordGrantAccount = (req: Request) => ((req.body as Record<string, unknown> | undefined)?.grant_type === 'password' ? byUsername(req) : null);

const form = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 20 });

export function oauthRoutes({ clients, tokens, logger, perIp, perAccount }: OAuthDeps): Router {
  const h = new OAuthHandlers(clients, tokens);
  const router = Router();
  router.use((_req, res, next) => {
    noStore(res);
    next();
  });
  router.post('/token', perIp, form, perAccount(passwordGrantAccount), h.token);
  router.post('/revoke', perIp, form, h.revoke);
  router.post('/introspect', form, h.introspect);
  router.use((req: Request, res: Response) => {
    res.status(404).json({ error: 'invalid_request', error_description: `No OAuth endpoint ${req.method} ${req.path}` });
  });
  router.use(oauthErrors(logger));
  return router;
}

/** RFC 8414 authorization server metadata, served at /.well-known/oauth-authorization-server. */
export function authorizationServerMetadata(issuer: string, scopes: () => Promise<string[]>): RequestHandler {
  const base = issuer.replace(/\/+$/, '');
  return async (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json({
      issuer,
      token_endpoint: `${base}/oauth/token`,
      revocation_endpoint: `${base}/oauth/revoke`,
      introspection_endpoint: `${base}/oauth/introspect`,
      jwks_uri: `${base}/.well-known/jwks.json`,
      grant_types_supported: [...GRANT_TYPES],
      // No authorization endpoint (yet): no response types.
      response_types_supported: [],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      scopes_supported: await scopes(),
    });
  };
}

function oauthErrors(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    noStore(res);
    const send = (status: number, error: string, description: string) => res.status(status).json({ error, error_description: description });
    if (err instanceof OAuthError) {
      if (err.code === 'invalid_client' && err.basicChallenge) res.setHeader('WWW-Authenticate', 'Basic realm="oauth", charset="UTF-8"');
      send(STATUS[err.code], err.code, err.message);
      return;
    }
    if (err instanceof DomainError) {
      setRetryAfter(res, err.retryAfterSeconds);
      if (err.code === 'RATE_LIMITED') return void send(429, 'rate_limited', err.message);
      if (err.code === 'VALIDATION_ERROR') return void send(400, 'invalid_request', err.message);
      // Bad credentials, locked/pending/disabled accounts, 2FA accounts, bad, reused or foreign refresh tokens.
      send(400, 'invalid_grant', err.message);
      return;
    }
    const e = err as { type?: string; status?: number };
    if (e?.type === 'entity.too.large') return void send(413, 'invalid_request', 'Request body is too large');
    if (e?.type === 'entity.parse.failed' || e?.type === 'parameters.too.many' || (e?.status && e.status >= 400 && e.status < 500)) {
      send(400, 'invalid_request', 'Request body could not be read');
      return;
    }
    logger.error('unhandled error', { requestId: req.id, method: req.method, path: req.path, error: String((err as Error)?.message ?? err), stack: (err as Error)?.stack });
    send(500, 'server_error', 'Internal server error');
  };
}
