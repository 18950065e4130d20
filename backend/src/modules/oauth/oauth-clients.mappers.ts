// Whitelisted views of a client: hashes never leave the server; the secret appears only where it is issued.
import type { OAuthClient } from '../../domain/oauth/types';

export const clientView = (c: OAuthClient) => ({
  clientId: c.clientId,
  name: c.name,
  type: c.type,
  grantTypes: c.grantTypes,
  allowedScopes: c.allowedScopes,
  defaultScopes: c.defaultScopes,
  redirectUris: c.redirectUris,
  accessTokenTtl: c.accessTokenTtl,
  refreshTokenTtl: c.refreshTokenTtl,
  active: c.active,
  postLogoutRedirectUris: c.postLogoutRedirectUris,
  backchannelLogoutUri: c.backchannelLogoutUri,
  tokenEndpointAuthMethod: c.tokenEndpointAuthMethod,
  requireConsent: c.requireConsent,
  logoUri: c.logoUri,
  clientUri: c.clientUri,
  /** static (admin API, CLI), dynamic (RFC 7591) or metadata_document (a client_id URL). */
  registration: c.registration,
  /** When the secret replaced by the last rotation stops working (null = none in overlap). */
  previousSecretExpiresAt: c.previousSecretHash && c.previousSecretExpiresAt ? c.previousSecretExpiresAt.toISOString() : null,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
});
