// Dynamic Client Registration (RFC 7591) and its management protocol (RFC 7592). Off by default; on, either
// open or behind an initial access token (OAUTH_REGISTRATION). A registered client lands in the one client
// registry (OAuthClientService.create, registration = dynamic): public (PKCE, auth method none) or
// confidential (client_secret_basic / client_secret_post), the authorization code flow only (plus refresh),
// always behind the consent screen, with only the scopes OAUTH_REGISTRATION_SCOPES allows. The registration
// access token (RFC 7592) is generated here, returned once and stored as SHA-256, like client secrets.
import { DomainError } from '../errors';
import type { RequestContext } from '../types';
import { auditEntry } from '../audit';
import type { UnitOfWork } from '../ports';
import type { OAuthClientService } from './client.service';
import { OAuthError } from './errors';
import type { ClientSecrets } from './ports';
import { parseScope } from './scopes';
import type { ClientRegistration, GrantType, OAuthClient, TokenEndpointAuthMethod } from './types';

export type RegistrationMode = 'off' | 'open' | 'token';

export interface RegistrationSettings {
  mode: RegistrationMode;
  /** OAUTH_REGISTRATION_TOKEN (mode token). */
  initialAccessToken: string | null;
  /** OAUTH_REGISTRATION_SCOPES. */
  scopes: readonly string[];
}

/** The client's metadata as RFC 7591 §2 names it, and what the registration answers. */
export interface RegisteredClient {
  client: OAuthClient;
  /** Confidential clients, at registration only. */
  clientSecret: string | null;
  /** At registration only (RFC 7592 §3: the token is not shown again). */
  registrationAccessToken: string | null;
}

const AUTH_METHODS: readonly TokenEndpointAuthMethod[] = ['none', 'client_secret_basic', 'client_secret_post'];
const GRANTS: readonly GrantType[] = ['authorization_code', 'refresh_token'];
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);
const MAX_REDIRECTS = 20;

const metadataError = (message: string) => new OAuthError('invalid_client_metadata', message);

/**
 * RFC 7591 §2 with RFC 8252: an absolute https URI, or http on a loopback host (native apps, §7.3), without a
 * fragment or user information.
 */
export function isRegistrableRedirectUri(u: unknown): boolean {
  if (typeof u !== 'string' || u.length > 2000 || u.includes('#')) return false;
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
}

export class ClientRegistrationService {
  constructor(
    private readonly clients: OAuthClientService,
    private readonly secrets: ClientSecrets,
    private readonly uow: UnitOfWork,
    private readonly settings: RegistrationSettings,
  ) {}

  get enabled(): boolean {
    return this.settings.mode !== 'off';
  }

  /** RFC 7591 §3: registers a client from its metadata; the answer carries its secrets once. */
  async register(metadata: unknown, initialToken: string | null, ctx: RequestContext): Promise<RegisteredClient> {
    if (this.settings.mode === 'token') {
      const expected = this.settings.initialAccessToken;
      if (!initialToken || !expected || !this.secrets.matches(initialToken, this.secrets.hash(expected))) {
        await this.uow.direct.audit.record(auditEntry(null, 'oauth_client.registration_refused', ctx, { reason: initialToken ? 'wrong_initial_access_token' : 'no_initial_access_token' }));
        throw new OAuthError('invalid_token', 'A valid initial access token is required to register a client');
      }
    }
    const input = this.registration(metadata);
    const registrationAccessToken = this.secrets.generate();
    const { client, secret } = await this.translate(() =>
      this.clients.create(input, { userId: null, ctx }, { registration: 'dynamic', registrationTokenHash: this.secrets.hash(registrationAccessToken) }),
    );
    return { client, clientSecret: secret, registrationAccessToken };
  }

  /** RFC 7592 §2.1: the client's current registration. */
  async read(clientId: string, token: string | null): Promise<RegisteredClient> {
    return { client: await this.authorize(clientId, token), clientSecret: null, registrationAccessToken: null };
  }

  /** RFC 7592 §2.2: replaces the client's metadata (omitted fields take their defaults; the secret stays). */
  async update(clientId: string, token: string | null, metadata: unknown, ctx: RequestContext): Promise<RegisteredClient> {
    const current = await this.authorize(clientId, token);
    const m = metadata as Record<string, unknown> | null;
    if (m && typeof m === 'object' && m.client_id !== undefined && m.client_id !== clientId) throw metadataError('client_id does not match the registration');
    const input = this.registration(metadata);
    const wanted = input.type ?? 'confidential';
    if (wanted !== current.type) throw metadataError('token_endpoint_auth_method cannot change between none and a client secret');
    const client = await this.translate(() =>
      this.clients.updateRegistration(
        clientId,
        {
          name: input.name,
          grantTypes: input.grantTypes,
          allowedScopes: input.allowedScopes ?? [],
          defaultScopes: input.defaultScopes ?? [],
          redirectUris: input.redirectUris ?? [],
          tokenEndpointAuthMethod: input.tokenEndpointAuthMethod ?? null,
          logoUri: input.logoUri ?? null,
          clientUri: input.clientUri ?? null,
        },
        { userId: null, ctx },
        'oauth_client.updated',
      ),
    );
    return { client, clientSecret: null, registrationAccessToken: null };
  }

  /**
   * RFC 7592 §2.3: the client stops working at once (deactivated: its sessions end) and its registration
   * access token with it. The row stays, as for an administrator's deactivation, so the audit trail keeps its client.
   */
  async remove(clientId: string, token: string | null, ctx: RequestContext): Promise<void> {
    await this.authorize(clientId, token);
    await this.clients.updateRegistration(clientId, { active: false, registrationTokenHash: null }, { userId: null, ctx }, 'oauth_client.deactivated');
  }

  /** RFC 7592 §3: an unknown client and a wrong token are answered alike (401 invalid_token). */
  private async authorize(clientId: string, token: string | null): Promise<OAuthClient> {
    const client = await this.clients.find(clientId);
    const hash = client && client.registration === 'dynamic' && client.active ? client.registrationTokenHash : null;
    // Same work whether or not the client exists, so the answer's timing does not tell ids apart.
    const ok = this.secrets.matches(token ?? '', hash ?? '0'.repeat(64));
    if (!client || !hash || !token || !ok) throw new OAuthError('invalid_token', 'The registration access token is not valid for this client');
    return client;
  }

  /** The registry's own refusals (VALIDATION_ERROR) in RFC 7591 §3.2.2's words. */
  private async translate<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      if (err instanceof DomainError && err.code === 'VALIDATION_ERROR') throw metadataError(err.message);
      throw err;
    }
  }

  /** RFC 7591 §2 metadata → the registry's input; refusals are invalid_redirect_uri / invalid_client_metadata. */
  private registration(metadata: unknown): ClientRegistration {
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) throw metadataError('The body must be a JSON object of client metadata');
    const m = metadata as Record<string, unknown>;
    const redirects = m.redirect_uris;
    if (!Array.isArray(redirects) || redirects.length === 0) throw new OAuthError('invalid_redirect_uri', 'redirect_uris must list at least one redirect URI');
    if (redirects.length > MAX_REDIRECTS) throw new OAuthError('invalid_redirect_uri', `At most ${MAX_REDIRECTS} redirect URIs`);
    if (!redirects.every(isRegistrableRedirectUri)) {
      throw new OAuthError('invalid_redirect_uri', 'Each redirect URI must be an absolute https URI, or http on a loopback host (RFC 8252), without a fragment');
    }
    const method = m.token_endpoint_auth_method ?? 'client_secret_basic';
    if (typeof method !== 'string' || !(AUTH_METHODS as readonly string[]).includes(method)) {
      throw metadataError('token_endpoint_auth_method must be none, client_secret_basic or client_secret_post');
    }
    const grants = m.grant_types ?? ['authorization_code'];
    if (!Array.isArray(grants) || grants.length === 0 || !grants.every((g) => typeof g === 'string' && (GRANTS as readonly string[]).includes(g))) {
      throw metadataError('grant_types may hold authorization_code and refresh_token only');
    }
    if (!grants.includes('authorization_code')) throw metadataError('grant_types must include authorization_code');
    const responses = m.response_types ?? ['code'];
    if (!Array.isArray(responses) || !responses.every((r) => r === 'code')) throw metadataError('response_types may hold code only');
    let requested: string[] | null = null;
    if (m.scope !== undefined) {
      if (typeof m.scope !== 'string') throw metadataError('scope must be a string of space-separated scopes');
      try {
        requested = parseScope(m.scope);
      } catch {
        throw metadataError('scope is malformed');
      }
    }
    // RFC 7591 §2: the server may replace requested values; a client gets the allowed part of what it asks
    // for (all allowed scopes when it asks for none), and the answer's `scope` says what it got.
    const scopes = (requested ?? [...this.settings.scopes]).filter((s) => this.settings.scopes.includes(s));
    const text = (name: string, max: number): string | null => {
      const v = m[name];
      if (v === undefined || v === null) return null;
      if (typeof v !== 'string' || v.length > max) throw metadataError(`${name} must be a string of at most ${max} characters`);
      return v.trim() || null;
    };
    const name = text('client_name', 100);
    const uri = (field: string): string | null => {
      const v = text(field, 2000);
      if (v !== null && !/^https:\/\//i.test(v)) throw metadataError(`${field} must be an https URI`);
      return v;
    };
    return {
      name: name ?? `Registered client (${new URL(redirects[0] as string).host})`.slice(0, 100),
      type: method === 'none' ? 'public' : 'confidential',
      grantTypes: [...new Set(grants as GrantType[])],
      allowedScopes: scopes,
      defaultScopes: scopes,
      redirectUris: redirects as string[],
      tokenEndpointAuthMethod: method as TokenEndpointAuthMethod,
      requireConsent: true,
      clientUri: uri('client_uri'),
      logoUri: uri('logo_uri'),
    };
  }
}
