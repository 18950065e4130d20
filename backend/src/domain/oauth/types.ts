// OAuth 2 client registry: plain data, no framework types.

export type OAuthClientType = 'confidential' | 'public';

/** Grant types this server implements (RFC 6749 §4.3, §4.4, §6). */
export const GRANT_TYPES = ['password', 'refresh_token', 'client_credentials'] as const;
export type GrantType = (typeof GRANT_TYPES)[number];

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
  createdAt: Date;
  updatedAt: Date;
}

export type NewOAuthClient = Omit<OAuthClient, 'createdAt' | 'updatedAt'>;

/** What an update may change (secrets change only by rotation, the type never). */
export type OAuthClientPatch = Partial<
  Pick<OAuthClient, 'name' | 'grantTypes' | 'allowedScopes' | 'defaultScopes' | 'redirectUris' | 'accessTokenTtl' | 'refreshTokenTtl' | 'active'>
>;

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
}

/** A client authenticated at the token, revocation or introspection endpoint. */
export interface AuthenticatedClient {
  client: OAuthClient;
  /** How it authenticated: none for public clients (client_id only). */
  method: 'client_secret_basic' | 'client_secret_post' | 'none';
}
