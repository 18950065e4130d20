// OAuth Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document, the MCP authorization
// specification's preferred registration): a client_id that is an https URL names a JSON document of RFC 7591
// client metadata, fetched by the server (ClientMetadataFetcher: the SSRF defence) and checked here. Such a
// client is public (no shared secret can be established: PKCE, token_endpoint_auth_method none), its
// redirect_uris are enforced exactly, and its document is stored in the one client registry
// (registration = metadata_document) until its HTTP caching lifetime ends (bounded below and above).
import { ClientMetadataError } from './errors';
import type { ClientMetadataFetcher } from './ports';
import { isScopeToken, parseScope } from './scopes';
import type { GrantType, NewOAuthClient } from './types';

export interface ClientMetadataSettings {
  /** OAUTH_CLIENT_METADATA_DOCUMENTS. */
  enabled: boolean;
  /** OAUTH_CLIENT_METADATA_ALLOW_PRIVATE: development only; also lets an http://localhost-style URL be a client_id. */
  allowPrivate: boolean;
  /** OAUTH_REGISTRATION_SCOPES: what such a client may be given. */
  scopes: readonly string[];
}

/** A document is used at least this long (no refetch per request) and at most this long (changes are seen). */
export const MIN_CACHE_SECONDS = 60;
export const MAX_CACHE_SECONDS = 86_400;
/** Without Cache-Control max-age. */
export const DEFAULT_CACHE_SECONDS = 300;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const ALLOWED_GRANTS: readonly GrantType[] = ['authorization_code', 'refresh_token'];
const MAX_REDIRECTS = 20;

/** The registry fields a document gives (everything but the id's bookkeeping). */
export type DocumentClient = Omit<NewOAuthClient, 'registration' | 'registrationTokenHash' | 'metadataExpiresAt' | 'active'>;

export class ClientMetadataDocuments {
  constructor(
    private readonly fetcher: ClientMetadataFetcher,
    private readonly settings: ClientMetadataSettings,
  ) {}

  get enabled(): boolean {
    return this.settings.enabled;
  }

  /**
   * Whether this client_id is a metadata document URL (the draft's §3 rules): https, a path, no fragment, no
   * user or password, no dot segments. With allowPrivate, http on a loopback host too (local development).
   */
  isDocumentUrl(clientId: string): boolean {
    if (!this.settings.enabled || clientId.length > 2000) return false;
    let url: URL;
    try {
      url = new URL(clientId);
    } catch {
      return false;
    }
    const scheme = url.protocol === 'https:' || (this.settings.allowPrivate && url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
    if (!scheme || url.username || url.password || clientId.includes('#')) return false;
    // The URL parser removes dot segments: a client_id that had any differs from its parsed form.
    return url.href === clientId && url.pathname !== '/' && !/\/\.\.?(\/|$)/.test(new URL(clientId).pathname);
  }

  /** Fetches and checks the document; the client's fields and how long they may be used (seconds). */
  async load(clientId: string): Promise<{ client: DocumentClient; ttlSeconds: number }> {
    const { document, maxAgeSeconds } = await this.fetcher.fetch(clientId);
    const client = this.check(clientId, document);
    const ttl = maxAgeSeconds === null ? DEFAULT_CACHE_SECONDS : Math.min(MAX_CACHE_SECONDS, Math.max(MIN_CACHE_SECONDS, maxAgeSeconds));
    return { client, ttlSeconds: ttl };
  }

  private check(clientId: string, doc: unknown): DocumentClient {
    const refuse = (why: string) => new ClientMetadataError(why);
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw refuse('the document is not a JSON object');
    const d = doc as Record<string, unknown>;
    if (d.client_id !== clientId) throw refuse('the document\'s client_id is not its own URL');
    // No shared secret can be established with such a client (draft §4.1).
    if (d.client_secret !== undefined || d.client_secret_expires_at !== undefined) throw refuse('the document must not hold a client_secret');
    if (d.token_endpoint_auth_method !== undefined && d.token_endpoint_auth_method !== 'none') throw refuse('token_endpoint_auth_method must be none');
    const redirects = d.redirect_uris;
    if (!Array.isArray(redirects) || redirects.length === 0 || redirects.length > MAX_REDIRECTS || !redirects.every((u) => typeof u === 'string')) {
      throw refuse('redirect_uris must be a non-empty list of URIs');
    }
    const grants = d.grant_types === undefined ? ['authorization_code'] : d.grant_types;
    if (!Array.isArray(grants) || grants.length === 0 || !grants.every((g) => typeof g === 'string' && (ALLOWED_GRANTS as readonly string[]).includes(g)) || !grants.includes('authorization_code')) {
      throw refuse('grant_types must be authorization_code, optionally with refresh_token');
    }
    if (d.response_types !== undefined && !(Array.isArray(d.response_types) && d.response_types.every((r) => r === 'code'))) throw refuse('response_types must be code');
    const name = typeof d.client_name === 'string' && d.client_name.trim() ? d.client_name.trim().slice(0, 100) : new URL(clientId).hostname;
    let requested: string[] = [];
    if (d.scope !== undefined) {
      if (typeof d.scope !== 'string') throw refuse('scope must be a string');
      try {
        requested = parseScope(d.scope);
      } catch {
        throw refuse('scope is malformed');
      }
    }
    const allowed = requested.filter((s) => isScopeToken(s) && this.settings.scopes.includes(s));
    const optionalUri = (v: unknown) => (typeof v === 'string' && v.length <= 2000 && /^https:\/\//.test(v) ? v : null);
    return {
      clientId,
      name,
      type: 'public',
      secretHash: null,
      previousSecretHash: null,
      previousSecretExpiresAt: null,
      grantTypes: [...new Set(grants as GrantType[])],
      allowedScopes: [...new Set(allowed)],
      defaultScopes: [...new Set(allowed)],
      redirectUris: [...new Set(redirects)],
      accessTokenTtl: null,
      refreshTokenTtl: null,
      postLogoutRedirectUris: [],
      backchannelLogoutUri: null,
      tokenEndpointAuthMethod: 'none',
      // A third party by definition: always the consent screen.
      requireConsent: true,
      logoUri: optionalUri(d.logo_uri),
      clientUri: optionalUri(d.client_uri),
    };
  }
}
