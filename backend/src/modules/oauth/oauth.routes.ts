// /oauth: token (RFC 6749), revoke (RFC 7009), introspect (RFC 7662) — declared in oauth.endpoints.ts — and
// the RFC 8414 metadata document. Everything under /oauth answers with Cache-Control: no-store and, on errors,
// the OAuth shape {error, error_description} (never the API's {error: {code}}): this router adds both around
// the endpoints, and answers a path under /oauth that names no endpoint.
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { OAuthClientService } from '../../domain/oauth/client.service';
import type { OAuthTokenService } from '../../domain/oauth/token.service';
import { GRANT_TYPES } from '../../domain/oauth/types';
import { OIDC_SCOPES } from '../../domain/oauth/oidc';
import type { Logger } from '../../infrastructure/logger';
import { noStore } from '../../http/context';
import { mountEndpoints, type Guards } from '../../http/endpoint';
import type { HotRoute } from '../../http/hot-route';
import { safeDescription } from '../../http/errors';
import { oauthEndpoints, type OAuthEndpointDeps } from './oauth.endpoints';
import { oauthErrorAnswers, oauthErrorHandler } from './oauth.errors';
import { OAuthHandlers } from './oauth.handlers';
import { registrationEndpoints, type RegistrationEndpointDeps } from './registration.endpoints';

export interface OAuthDeps extends OAuthEndpointDeps {
  logger: Logger;
  guards: Guards;
  /** RFC 7591 / 7592 (registration.endpoints.ts). */
  registration: RegistrationEndpointDeps;
}

/** Mounted at the app's root: the endpoints carry their full paths, the steps around them apply under /oauth. */
export function oauthRoutes({ logger, guards, registration, ...deps }: OAuthDeps): Router {
  const router = Router();
  router.use('/oauth', (_req, res, next) => {
    noStore(res);
    next();
  });
  mountEndpoints(router, [...oauthEndpoints(deps), ...registrationEndpoints(registration)], guards);
  router.use('/oauth', (req: Request, res: Response) => {
    res.status(404).json({ error: 'invalid_request', error_description: safeDescription(`No OAuth endpoint ${req.method} ${req.path}`) });
  });
  router.use('/oauth', oauthErrorHandler(logger));
  return router;
}

/**
 * POST /oauth/introspect on the fast path (http/fast-path.ts) ahead of Express: resource servers call it per
 * request, like GET /api/auth/validate. The same handler and error mapping as the endpoint (oauth.endpoints.ts);
 * a body the fast path does not read itself (another charset, gzip, chunked, empty, past 8 KiB) and any other
 * request target (a query string, a trailing slash) go to Express. No per-IP limit, as on the endpoint.
 */
export function oauthHotRoutes({ clients, tokens, logger }: { clients: OAuthClientService; tokens: OAuthTokenService; logger: Logger }): HotRoute[] {
  const h = new OAuthHandlers(clients, tokens, null);
  return [{ method: 'POST', path: '/oauth/introspect', operationId: 'oauthIntrospect', formBody: true, errors: oauthErrorAnswers(logger), handler: h.introspect }];
}

/** What the metadata says of client registration (issue 25); absent = neither is offered. */
export interface RegistrationFeatures {
  /** RFC 7591 registration_endpoint. */
  dynamic: boolean;
  /** client_id_metadata_document_supported. */
  metadataDocuments: boolean;
}

/** RFC 8414 authorization server metadata, served at /.well-known/oauth-authorization-server. */
export function authorizationServerMetadata(issuerOf: string | (() => string), scopes: () => Promise<string[]>, resources: readonly string[] = [], registration?: RegistrationFeatures): RequestHandler {
  return async (_req, res) => {
    const issuer = typeof issuerOf === 'string' ? issuerOf : issuerOf();
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(await serverMetadata(issuer, scopes, resources, registration));
  };
}

/** The RFC 8414 fields; the OpenID configuration (discovery.ts) is this plus the OIDC fields, so both agree. */
export async function serverMetadata(issuer: string, scopes: () => Promise<string[]>, resources: readonly string[] = [], registration?: RegistrationFeatures) {
  const base = issuer.replace(/\/+$/, '');
  return {
    issuer,
    authorization_endpoint: `${base}/oauth/authorize`,
    token_endpoint: `${base}/oauth/token`,
    revocation_endpoint: `${base}/oauth/revoke`,
    introspection_endpoint: `${base}/oauth/introspect`,
    // RFC 8628 §4.
    device_authorization_endpoint: `${base}/oauth/device_authorization`,
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
    ...(registration?.dynamic ? { registration_endpoint: `${base}/oauth/register` } : {}),
    // draft-ietf-oauth-client-id-metadata-document §5 (the MCP authorization specification looks for it).
    ...(registration?.metadataDocuments ? { client_id_metadata_document_supported: true } : {}),
  };
}
