// Ports of federated sign-in: the upstream OpenID Connect providers (openid-client in infrastructure/) and
// the linked identities (Prisma). The domain never speaks the protocol itself.
import type { FederatedIdentity, NewFederatedIdentity, UpstreamIdentity, UpstreamProviderInfo, UpstreamRequest } from './types';

export interface FederatedIdentityRepository {
  /** Stores a link; false when (provider, subject) or (user, provider) is linked already. */
  create(identity: NewFederatedIdentity): Promise<boolean>;
  findBySubject(provider: string, subject: string): Promise<FederatedIdentity | null>;
  /** The user's links, oldest first. */
  listForUser(userId: string): Promise<FederatedIdentity[]>;
  /** Removes the user's link to `provider`; false when there is none. */
  delete(userId: string, provider: string): Promise<boolean>;
  deleteAll(userId: string): Promise<number>;
}

/**
 * The configured upstream providers. `begin` builds the authorization request (code + PKCE S256 + state +
 * nonce); `finish` redeems the code and validates the id_token (signature by the upstream's JWKS, iss, aud,
 * exp, nonce) and the response's state. Both throw FederationRefused: `upstream_unavailable` when the
 * upstream cannot be reached, `invalid_state` when a check fails, `access_denied` / `upstream_error` when
 * the upstream answered with an error.
 */
export interface UpstreamIdentityProviders {
  list(): UpstreamProviderInfo[];
  has(providerId: string): boolean;
  begin(providerId: string, redirectUri: string): Promise<UpstreamRequest>;
  finish(
    providerId: string,
    /** The callback URL as the browser requested it (its query holds code, state, iss or error). */
    callbackUrl: URL,
    redirectUri: string,
    expected: { state: string; nonce: string; codeVerifier: string },
  ): Promise<UpstreamIdentity>;
}
