// The upstream identity providers on openid-client 6 (panva): discovery, the authorization request (code +
// PKCE S256 + state + nonce), the code exchange and the id_token's validation (signature by the upstream's
// JWKS, iss, aud, azp, exp, iat, nonce; RFC 9207 `iss` in the response when the upstream sends it). The
// upstream's tokens are read for the id_token's claims and then dropped: nothing of them is stored.
import * as oidc from 'openid-client';
import type { UpstreamProviderConfig } from '../../config';
import type { UpstreamIdentityProviders } from '../../domain/federation/ports';
import { FederationRefused, type UpstreamIdentity, type UpstreamProviderInfo, type UpstreamRequest } from '../../domain/federation/types';

/** Errors that mean "the upstream could not be reached or answered garbage", not "this response is forged". */
const UNREACHABLE_CODES = new Set(['OAUTH_TIMEOUT', 'OAUTH_ABORT', 'OAUTH_RESPONSE_IS_NOT_CONFORM', 'OAUTH_RESPONSE_IS_NOT_JSON']);

/** Maps openid-client's failures onto the refusals the person is told about. */
export function refusalOf(err: unknown): FederationRefused {
  if (err instanceof FederationRefused) return err;
  if (err instanceof oidc.AuthorizationResponseError) {
    return new FederationRefused(err.error === 'access_denied' ? 'access_denied' : 'upstream_error', `The provider answered ${err.error}`);
  }
  if (err instanceof oidc.ResponseBodyError) {
    return new FederationRefused(err.status >= 500 ? 'upstream_unavailable' : 'invalid_state', `The provider's token endpoint answered ${err.status} ${err.error}`);
  }
  if (err instanceof oidc.ClientError && !UNREACHABLE_CODES.has(err.code ?? '') && !(err.cause instanceof TypeError)) {
    return new FederationRefused('invalid_state', err.message);
  }
  // TypeError (fetch failed: refused, reset, DNS), time-outs, non-conforming responses, anything else.
  return new FederationRefused('upstream_unavailable', err instanceof Error ? err.message : 'The provider could not be reached');
}

export class OpenIdUpstreams implements UpstreamIdentityProviders {
  private readonly byId: Map<string, UpstreamProviderConfig>;
  /** Discovery results; a failed discovery is not cached, so the next sign-in tries again. */
  private readonly configs = new Map<string, Promise<oidc.Configuration>>();

  constructor(providers: readonly UpstreamProviderConfig[], private readonly timeoutSeconds: number) {
    this.byId = new Map(providers.map((p) => [p.id, p]));
  }

  list(): UpstreamProviderInfo[] {
    return [...this.byId.values()].map((p) => ({ id: p.id, name: p.name }));
  }

  has(providerId: string): boolean {
    return this.byId.has(providerId);
  }

  private configuration(providerId: string): Promise<oidc.Configuration> {
    const known = this.configs.get(providerId);
    if (known) return known;
    const p = this.byId.get(providerId);
    if (!p) return Promise.reject(new FederationRefused('invalid_state', 'Unknown provider'));
    const auth = p.clientSecret ? oidc.ClientSecretPost(p.clientSecret) : oidc.None();
    // config.ts admits http issuers only on loopback hosts (a provider on this machine, tests).
    const insecure = new URL(p.issuer).protocol === 'http:';
    const found = oidc
      .discovery(new URL(p.issuer), p.clientId, undefined, auth, { timeout: this.timeoutSeconds, ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}) })
      .then((config) => {
        config.timeout = this.timeoutSeconds;
        return config;
      });
    this.configs.set(providerId, found);
    found.catch(() => this.configs.delete(providerId));
    return found;
  }

  async begin(providerId: string, redirectUri: string): Promise<UpstreamRequest> {
    try {
      const config = await this.configuration(providerId);
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: this.byId.get(providerId)!.scopes.join(' '),
        response_type: 'code',
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      return { url: url.href, state, nonce, codeVerifier };
    } catch (err) {
      throw refusalOf(err);
    }
  }

  async finish(providerId: string, callbackUrl: URL, redirectUri: string, expected: { state: string; nonce: string; codeVerifier: string }): Promise<UpstreamIdentity> {
    let claims: oidc.IDToken | undefined;
    try {
      const config = await this.configuration(providerId);
      // The registered redirect URI with the response's query: openid-client sends the URL without its query
      // as redirect_uri, which must be the one of the authorization request (behind a proxy too).
      const current = new URL(redirectUri);
      current.search = callbackUrl.search;
      const tokens = await oidc.authorizationCodeGrant(config, current, { pkceCodeVerifier: expected.codeVerifier, expectedState: expected.state, expectedNonce: expected.nonce, idTokenExpected: true });
      claims = tokens.claims();
    } catch (err) {
      throw refusalOf(err);
    }
    if (!claims || typeof claims.sub !== 'string' || !claims.sub) throw new FederationRefused('invalid_state', 'The provider sent no id_token subject');
    const email = typeof claims.email === 'string' && claims.email.length <= 254 ? claims.email : null;
    const amr = Array.isArray(claims.amr) ? claims.amr.filter((m): m is string => typeof m === 'string').slice(0, 10) : [];
    // Only a literal true vouches for the address (some providers send the string "true": not trusted either).
    return { subject: claims.sub, email, emailVerified: claims.email_verified === true, amr };
  }
}
