// /oauth: token (RFC 6749), revoke (RFC 7009), introspect (RFC 7662), and the RFC 8414 metadata document.
// Everything under /oauth answers with Cache-Control: no-store and, on errors, the OAuth shape
// {error, error_description} (never the API's {error: {code}}).
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { OAuthClientService } from '../../domain/oauth/client.service';
import type { OAuthTokenService } from '../../domain/oauth/token.service';
import type { CodeGrantService } from '../../domain/oauth/code-grant.service';
import { GRANT_TYPES } from '../../domain/oauth/types';
import { OIDC_SCOPES } from '../../domain/oauth/oidc';
import type { Logger } from '../../infrastructure/logger';
import { noStore } from '../../http/context';
import { formBody } from '../../http/form-body';
import type { HotRoute } from '../../http/hot-route';
import { emailKey } from '../../http/rate-limit-keys';
import type { RateLimits } from '../../http/rate-limits';
import { safeDescription } from '../../http/errors';
import { oauthErrorAnswers, oauthErrorHandler } from './oauth.errors';
import { OAuthHandlers } from './oauth.handlers';

export interface OAuthDeps {
  clients: OAuthClientService;
  tokens: OAuthTokenService;
  codeGrant: CodeGrantService;
  logger: Logger;
  /** Per-IP limit on /oauth/token and /oauth/revoke (introspection is for services, like /api/auth/validate). */
  perIp: RequestHandler;
  /** Per-account limit on password grants (keyed by username, which is the email), shared with /api/auth/login. */
  perAccount: RateLimits['perAccount'];
}

/** Only the password grant names an account; other grants pass the per-account limiter uncounted. */
const byUsername = emailKey('username');
const passwordGrantAccount = (req: Request) => ((req.body as Record<string, unknown> | undefined)?.grant_type === 'password' ? byUsername(req) : null);

const form = formBody();

export function oauthRoutes({ clients, tokens, codeGrant, logger, perIp, perAccount }: OAuthDeps): Router {
  const h = new OAuthHandlers(clients, tokens, codeGrant);
  const router = Router();
  router.use((_req, res, next) => {
    noStore(res);
    next();
  });
  router.post('/token', perIp, form, perAccount(passwordGrantAccount), h.token);
  router.post('/revoke', perIp, form, h.revoke);
  // Also a hot route (oauthHotRoutes below): the fast path answers the everyday request; this, the rest.
  router.post('/introspect', form, (req, res) => h.introspect(req, res));
  router.use((req: Request, res: Response) => {
    res.status(404).json({ error: 'invalid_request', error_description: safeDescription(`No OAuth endpoint ${req.method} ${req.path}`) });
  });
  router.use(oauthErrorHandler(logger));
  return router;
}

/**
 * POST /oauth/introspect on the fast path (http/fast-path.ts) ahead of Express: resource servers call it per
 * request, like GET /api/auth/validate. The same handler and error mapping as the router above; a body the
 * fast path does not read itself (another charset, gzip, chunked, empty, past 8 KiB) and any other request
 * target (a query string, a trailing slash) go to the router. No per-IP limit, as on the router.
 */
export function oauthHotRoutes({ clients, tokens, logger }: Pick<OAuthDeps, 'clients' | 'tokens' | 'logger'>): HotRoute[] {
  const h = new OAuthHandlers(clients, tokens, null);
  return [{ method: 'POST', path: '/oauth/introspect', operationId: 'oauthIntrospect', formBody: true, errors: oauthErrorAnswers(logger), handler: h.introspect }];
}

/** RFC 8414 authorization server metadata, served at /.well-known/oauth-authorization-server. */
export function authorizationServerMetadata(issuerOf: string | (() => string), scopes: () => Promise<string[]>, resources: readonly string[] = []): RequestHandler {
  return async (_req, res) => {
    const issuer = typeof issuerOf === 'string' ? issuerOf : issuerOf();
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(await serverMetadata(issuer, scopes, resources));
  };
}

/** The RFC 8414 fields; the OpenID configuration (discovery.ts) is this plus the OIDC fields, so both agree. */
export async function serverMetadata(issuer: string, scopes: () => Promise<string[]>, resources: readonly string[] = []) {
  const base = issuer.replace(/\/+$/, '');
  return {
    issuer,
    authorization_endpoint: `${base}/oauth/authorize`,
    token_endpoint: `${base}/oauth/token`,
    revocation_endpoint: `${base}/oauth/revoke`,
    introspection_endpoint: `${base}/oauth/introspect`,
    jwks_uri: `${base}/.well-known/jwks.json`,
    grant_types_supported: [...GRANT_TYPES],
    // OAuth 2.1: the code flow only (no implicit, no hybrid), PKCE with S256 only, RFC 9207 `iss` in the response.
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    scopes_supported: [...new Set([...OIDC_SCOPES, ...(await scopes())])].sort(),
    // RFC 8707 defines no metadata field of its own; RFC 9728 §4's protected_resources lists the resource
    // identifiers this server issues tokens for, which are exactly what `resource` may name (OAUTH_RESOURCES).
    ...(resources.length ? { protected_resources: [...resources] } : {}),
  };
}
