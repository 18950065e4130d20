// Validation of an authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, OIDC Core §3.1.2.1, OAuth 2.1 §4.1),
// in the order that keeps the endpoint from being an open redirector: the client and its exact redirect URI
// first (failures are shown on a page), then everything else (failures go back to the redirect URI).
import { AuthorizePageError, AuthorizeRedirectError, OAuthError } from './errors';
import type { Authorization, Prompt } from './authorization.types';
import { OIDC_SCOPES, OPENID } from './oidc';
import { requestedResource } from './resources';
import { isServiceScope, outside, parseScope } from './scopes';
import type { OAuthClient } from './types';

/**
 * The request's parameters, each given at most once (the HTTP layer refuses repeats), except `resource`
 * (RFC 8707 §2 lets it repeat): its values arrive joined by spaces, which no absolute URI contains.
 */
export type AuthorizeParams = Record<string, string | undefined>;

/** The request's fields as the pending Authorization stores them, with the client they were checked against. */
export type ValidatedAuthorizeRequest = Pick<
  Authorization,
  'redirectUri' | 'scope' | 'state' | 'nonce' | 'codeChallenge' | 'prompt' | 'maxAge' | 'loginHint' | 'uiLocales' | 'resource'
> & { client: OAuthClient };

/** RFC 7636 §4.2: S256 of a 43-128 character verifier is 43 base64url characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const LOOPBACK = new Set(['127.0.0.1', '[::1]']);
const MAX_TEXT = 1000;

/**
 * Exact string comparison (OAuth 2.1 §2.3.1), except for native apps' loopback redirects, which may use any
 * port (RFC 8252 §7.3): an http://127.0.0.1 or http://[::1] URI matches a registered one that differs only in port.
 */
export function redirectUriRegistered(client: OAuthClient, requested: string): boolean {
  if (client.redirectUris.includes(requested)) return true;
  // A metadata document's redirect_uris are its publisher's exact list: no loopback port latitude.
  if (client.registration === 'metadata_document') return false;
  let asked: URL;
  try {
    asked = new URL(requested);
  } catch {
    return false;
  }
  if (asked.protocol !== 'http:' || !LOOPBACK.has(asked.hostname)) return false;
  return client.redirectUris.some((registered) => {
    try {
      const r = new URL(registered);
      return r.protocol === 'http:' && r.hostname === asked.hostname && r.pathname === asked.pathname && r.search === asked.search && !r.hash && !asked.hash;
    } catch {
      return false;
    }
  });
}

/** Step 1: who asks and where the answer goes. Anything wrong here is an AuthorizePageError. */
export function authorizeTarget(params: AuthorizeParams, client: OAuthClient | null): { client: OAuthClient; redirectUri: string } {
  if (!params.client_id) throw new AuthorizePageError('invalid_request', 'client_id is missing');
  if (!client || !client.active) throw new AuthorizePageError('invalid_client', 'The application is not registered, or is not active');
  const redirectUri = params.redirect_uri;
  // OIDC Core §3.1.2.1 makes redirect_uri required; with several registered URIs OAuth needs it anyway.
  if (!redirectUri) throw new AuthorizePageError('invalid_redirect_uri', 'redirect_uri is missing');
  if (!redirectUriRegistered(client, redirectUri)) throw new AuthorizePageError('invalid_redirect_uri', 'redirect_uri is not registered for this application');
  return { client, redirectUri };
}

/** Step 2: the rest, with the redirect URI trusted. Anything wrong is an AuthorizeRedirectError. */
export function validateAuthorizeRequest(
  params: AuthorizeParams,
  target: { client: OAuthClient; redirectUri: string },
  /** OAUTH_RESOURCES: the resources `resource` may name (RFC 8707). */
  resources: readonly string[] = [],
): ValidatedAuthorizeRequest {
  const { client } = target;
  const fail = (code: ConstructorParameters<typeof AuthorizeRedirectError>[0], message: string) => new AuthorizeRedirectError(code, message);
  if (params.request !== undefined) throw fail('request_not_supported', 'Request objects are not supported');
  if (params.request_uri !== undefined) throw fail('request_uri_not_supported', 'request_uri is not supported');
  if (params.registration !== undefined) throw fail('registration_not_supported', 'registration is not supported');
  if (!params.response_type) throw fail('invalid_request', 'response_type is missing');
  // OAuth 2.1: no implicit (token) and no hybrid (code id_token ...) responses.
  if (params.response_type !== 'code') throw fail('unsupported_response_type', 'Only response_type=code is supported');
  if (params.response_mode !== undefined && params.response_mode !== 'query') throw fail('invalid_request', 'Only response_mode=query is supported');
  if (!client.grantTypes.includes('authorization_code')) throw fail('unauthorized_client', 'This application may not use the authorization code flow');
  for (const name of ['state', 'nonce', 'login_hint', 'ui_locales', 'scope']) {
    if ((params[name]?.length ?? 0) > MAX_TEXT) throw fail('invalid_request', `${name} is too long`);
  }

  // PKCE is required of every client (OAuth 2.1 §4.1.1), with S256 only (plain lets an eavesdropper redeem the code).
  if (!params.code_challenge) throw fail('invalid_request', 'code_challenge is required (PKCE with S256)');
  if (params.code_challenge_method !== 'S256') throw fail('invalid_request', 'code_challenge_method must be S256 (plain is not accepted)');
  if (!S256_CHALLENGE.test(params.code_challenge)) throw fail('invalid_request', 'code_challenge must be the base64url SHA-256 of the verifier (43 characters)');

  let scope: string[];
  try {
    scope = parseScope(params.scope ?? '');
  } catch {
    throw fail('invalid_scope', 'scope is malformed');
  }
  if (scope.length === 0) scope = [...client.defaultScopes];
  const service = scope.filter(isServiceScope);
  if (service.length) throw fail('invalid_scope', `Scope for services only, not for users: ${service.join(' ')}`);
  const refused = outside(scope, [...client.allowedScopes, ...OIDC_SCOPES]);
  if (refused.length) throw fail('invalid_scope', `Scope not allowed for this application: ${refused.join(' ').slice(0, 200)}`);

  const prompt = (params.prompt ?? '').split(' ').filter(Boolean);
  for (const p of prompt) {
    if (p !== 'none' && p !== 'login' && p !== 'consent') throw fail('invalid_request', `prompt ${p.slice(0, 20)} is not supported (none, login, consent)`);
  }
  if (prompt.includes('none') && prompt.length > 1) throw fail('invalid_request', 'prompt=none cannot be combined with other values');

  let resource: string | null;
  try {
    resource = requestedResource((params.resource ?? '').split(' ').filter(Boolean), resources);
  } catch (err) {
    if (err instanceof OAuthError) throw fail('invalid_target', err.message);
    throw err;
  }

  let maxAge: number | null = null;
  if (params.max_age !== undefined) {
    if (!/^\d{1,9}$/.test(params.max_age)) throw fail('invalid_request', 'max_age must be a number of seconds');
    maxAge = Number(params.max_age);
  }
  return {
    client,
    redirectUri: target.redirectUri,
    scope,
    state: params.state ?? null,
    // OIDC Core: the nonce is bound into the ID token; only meaningful with openid, kept either way.
    nonce: params.nonce ?? null,
    codeChallenge: params.code_challenge,
    prompt: [...new Set(prompt)] as Prompt[],
    maxAge,
    loginHint: params.login_hint ?? null,
    uiLocales: params.ui_locales ?? null,
    resource,
  };
}

export const wantsOpenId = (scope: readonly string[]) => scope.includes(OPENID);

/** The redirect back to the client: its URI with our parameters added (RFC 6749 §4.1.2, RFC 9207 `iss`). */
export function redirectTo(redirectUri: string, params: Record<string, string | null>): string {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== null) url.searchParams.set(k, v);
  return url.toString();
}
