// OAuth 2 client registry: plain data, no framework types.

export type OAuthClientType = 'confidential' | 'public';

/** RFC 8628 §3.4: the Device Authorization Grant's grant_type. */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** Grant types this server implements (RFC 6749 §4.1, §4.3, §4.4, §6, RFC 8628). */
export const GRANT_TYPES = ['authorization_code', 'password', 'refresh_token', 'client_credentials', DEVICE_CODE_GRANT] as const;
export type GrantType = (typeof GRANT_TYPES)[number];

/** RFC 7591 token_endpoint_auth_method values we accept; null on a client = basic or post (confidential). */
export const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'] as const;
export type TokenEndpointAuthMethod = (typeof AUTH_METHODS)[number];

/**
 * How a client came into the registry: `static` (admin API, CLI, OAUTH_CLIENTS), `dynamic` (RFC 7591
 * /oauth/register) or `metadata_document` (its client_id is the URL of a Client ID Metadata Document).
 */
export const REGISTRATION_KINDS = ['static', 'dynamic', 'metadata_document'] as const;
export type RegistrationKind = (typeof REGISTRATION_KINDS)[number];

export interface OAuthClient {
  clientId: string;
  name: string;
  type: OAuthClientType;
  /** SHA-256 (hex) of the current secret; null for public clients. */
  secretHash: string | null;
  /** SHA-256 of the secret replaced by the last rotation, valid until previousSecretExpiresAt. */
  previousSecretHash: string | null;
  previousSecretExpiresAt: Date | null;
  grantTypes: GrantType[];
  allowedScopes: string[];
  defaultScopes: string[];
  redirectUris: string[];
  /** Seconds; null = the server default. */
  accessTokenTtl: number | null;
  refreshTokenTtl: number | null;
  active: boolean;
  /** Where RP-initiated logout may send the browser back to (OIDC RP-Initiated Logout). */
  postLogoutRedirectUris: string[];
  /** OIDC Back-Channel Logout receiver; null = none. */
  backchannelLogoutUri: string | null;
  /** null = client_secret_basic or client_secret_post for confidential clients, none for public ones. */
  tokenEndpointAuthMethod: TokenEndpointAuthMethod | null;
  /** false: a first-party client whose authorization requests skip the consent screen. */
  requireConsent: boolean;
  logoUri: string | null;
  clientUri: string | null;
  registration: RegistrationKind;
  /** SHA-256 of a dynamic client's RFC 7592 registration access token; null = none. */
  registrationTokenHash: string | null;
  /** metadata_document clients: the fetched document is used until then, then fetched again. */
  metadataExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Registry fields of the authorization code flow, optional on create and patch alike. */
export const OIDC_CLIENT_FIELDS = ['postLogoutRedirectUris', 'backchannelLogoutUri', 'tokenEndpointAuthMethod', 'requireConsent', 'logoUri', 'clientUri'] as const;

export type NewOAuthClient = Omit<OAuthClient, 'createdAt' | 'updatedAt'>;

/** What an update may change (secrets change only by rotation, the type never). */
export type OAuthClientPatch = Partial<
  Pick<OAuthClient, 'name' | 'grantTypes' | 'allowedScopes' | 'defaultScopes' | 'redirectUris' | 'accessTokenTtl' | 'refreshTokenTtl' | 'active' | (typeof OIDC_CLIENT_FIELDS)[number]>
>;

/** What the registry itself may write besides a patch: the registration's own fields. */
export type OAuthClientStorePatch = OAuthClientPatch & Partial<Pick<OAuthClient, 'registrationTokenHash' | 'metadataExpiresAt'>>;

/** How a client is registered, when not by an administrator (the admin API and CLI register `static` ones). */
export interface RegistrationOrigin {
  registration: Exclude<RegistrationKind, 'static'>;
  registrationTokenHash?: string | null;
  metadataExpiresAt?: Date | null;
}

/** Input of create: the server generates the secret (confidential clients) and, when absent, the client_id. */
export interface ClientRegistration {
  clientId?: string;
  name: string;
  type?: OAuthClientType;
  grantTypes: GrantType[];
  allowedScopes?: string[];
  defaultScopes?: string[];
  redirectUris?: string[];
  accessTokenTtl?: number | null;
  refreshTokenTtl?: number | null;
  postLogoutRedirectUris?: string[];
  backchannelLogoutUri?: string | null;
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod | null;
  requireConsent?: boolean;
  logoUri?: string | null;
  clientUri?: string | null;
}

/** A client authenticated at the token, revocation or introspection endpoint. */
export interface AuthenticatedClient {
  client: OAuthClient;
  /** How it authenticated: none for public clients (client_id only). */
  method: 'client_secret_basic' | 'client_secret_post' | 'none';
}
