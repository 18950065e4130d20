// The OAuth client registry: one service behind the admin API, the `clients` CLI and the token endpoint.
// Secrets are generated here (256 random bits), returned once, stored as SHA-256; a rotation keeps the
// previous secret valid for an overlap so deployments can roll the new one out.
import { auditEntry } from '../audit';
import { DomainError, Errors, type FieldProblem } from '../errors';
import type { Clock, RevocationStore, TokenGenerator, UnitOfWork } from '../ports';
import type { RequestContext } from '../types';
import type { ClientMetadataDocuments } from './client-metadata';
import { ClientMetadataError, OAuthError } from './errors';
import type { ClientSecrets, OAuthClientLookup, OAuthClientStore } from './ports';
import { INTROSPECTION_SCOPE, isScopeToken, isServiceScope, outside } from './scopes';
import { AUTH_METHODS, GRANT_TYPES, type AuthenticatedClient, type ClientRegistration, type GrantType, type NewOAuthClient, type OAuthClient, type OAuthClientPatch, type OAuthClientStorePatch, type RegistrationOrigin } from './types';

export interface OAuthClientSettings {
  /** Seconds the previous secret stays valid after a rotation (OAUTH_SECRET_ROTATION_OVERLAP). */
  secretRotationOverlap: number;
  /** The server's ACCESS_TOKEN_TTL: the longest a client's access tokens may live (see validate()). */
  maxAccessTokenTtl: number;
}

/** Who changes the registry (admin user id, or null for the CLI) and from where. */
export interface Actor {
  userId: string | null;
  ctx: RequestContext;
}

export interface ClientCredentials {
  clientId: string;
  /** null when none was sent (public clients). */
  secret: string | null;
  method: AuthenticatedClient['method'];
}

const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9._~-]{0,99}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_REFRESH_TTL = 366 * 86_400;
/** Where a caller has no request at hand (the fast path's introspection never meets a document client). */
const NO_CONTEXT: RequestContext = { ipAddress: null, userAgent: null };

export class OAuthClientService {
  constructor(
    private readonly store: OAuthClientStore,
    private readonly lookup: OAuthClientLookup,
    private readonly secrets: ClientSecrets,
    private readonly tokens: TokenGenerator,
    private readonly clock: Clock,
    private readonly settings: OAuthClientSettings,
    /** For deactivation: the client's sessions end with it. */
    private readonly uow: UnitOfWork,
    private readonly revocations: RevocationStore,
    /** Client ID Metadata Documents (client_id = https URL); null = not accepted. */
    private readonly documents: ClientMetadataDocuments | null = null,
  ) {}

  /** Document loads under way, by URL: concurrent requests of one new client fetch it once. */
  private readonly loading = new Map<string, Promise<OAuthClient>>();

  // ---- management (admin API, CLI) ----

  /**
   * Registers a client; the secret (confidential clients) is in the result and nowhere else, ever. `origin`:
   * a client registered by RFC 7591 (registration.service.ts), not by an administrator.
   */
  async create(input: ClientRegistration, actor: Actor, origin?: RegistrationOrigin): Promise<{ client: OAuthClient; secret: string | null }> {
    const type = input.type ?? 'confidential';
    const clientId = input.clientId ?? this.generateClientId(input.name);
    const secret = type === 'confidential' ? this.secrets.generate() : null;
    const draft: NewOAuthClient = {
      clientId,
      name: input.name,
      type,
      secretHash: secret === null ? null : this.secrets.hash(secret),
      previousSecretHash: null,
      previousSecretExpiresAt: null,
      grantTypes: [...new Set(input.grantTypes)],
      allowedScopes: [...new Set(input.allowedScopes ?? [])],
      defaultScopes: [...new Set(input.defaultScopes ?? [])],
      redirectUris: [...new Set(input.redirectUris ?? [])],
      accessTokenTtl: input.accessTokenTtl ?? null,
      refreshTokenTtl: input.refreshTokenTtl ?? null,
      active: true,
      postLogoutRedirectUris: [...new Set(input.postLogoutRedirectUris ?? [])],
      backchannelLogoutUri: input.backchannelLogoutUri ?? null,
      tokenEndpointAuthMethod: input.tokenEndpointAuthMethod ?? null,
      // A client registered for the password grant is first party by that declaration (RFC 9700 §2.4).
      requireConsent: input.requireConsent ?? !(input.grantTypes ?? []).includes('password'),
      logoUri: input.logoUri ?? null,
      clientUri: input.clientUri ?? null,
      registration: origin?.registration ?? 'static',
      registrationTokenHash: origin?.registrationTokenHash ?? null,
      metadataExpiresAt: origin?.metadataExpiresAt ?? null,
    };
    this.validate(draft, input.clientId !== undefined);
    const registration = origin ? { registration: origin.registration } : {};
    const client = await this.store.create(draft, auditEntry(actor.userId, 'oauth_client.created', actor.ctx, { clientId, type, ...registration }));
    await this.lookup.changed(clientId);
    return { client, secret };
  }

  list(): Promise<OAuthClient[]> {
    return this.store.list();
  }

  /** Scopes any active client may be granted (the RFC 8414 metadata lists them). */
  async supportedScopes(): Promise<string[]> {
    const all = (await this.store.list()).filter((c) => c.active).flatMap((c) => c.allowedScopes);
    return [...new Set(all)].sort();
  }

  async show(clientId: string): Promise<OAuthClient> {
    const client = await this.store.findByClientId(clientId);
    if (!client) throw Errors.notFound('OAuth client');
    return client;
  }

  async update(clientId: string, patch: OAuthClientPatch, actor: Actor): Promise<OAuthClient> {
    const current = await this.show(clientId);
    const next = { ...current, ...dedupe(patch) };
    this.validate(next, true);
    const updated = await this.store.update(clientId, dedupe(patch), auditEntry(actor.userId, 'oauth_client.updated', actor.ctx, { clientId, fields: Object.keys(patch) }));
    if (!updated) throw Errors.notFound('OAuth client');
    await this.lookup.changed(clientId);
    // `active: false` is a deactivation whichever way it is asked for (issue 22, item 6): the client's sessions
    // end here exactly as through deactivate(), so a later re-activation finds nothing to revive.
    if (patch.active === false) await this.endSessions(clientId, actor);
    return updated;
  }

  /**
   * New secret; the old one stays valid for `overlapSeconds` (default OAUTH_SECRET_ROTATION_OVERLAP; 0 ends it
   * at once, e.g. after a leak). A secret older than the previous one is dropped.
   */
  async rotateSecret(clientId: string, actor: Actor, overlapSeconds = this.settings.secretRotationOverlap): Promise<{ client: OAuthClient; secret: string }> {
    if (!Number.isInteger(overlapSeconds) || overlapSeconds < 0 || overlapSeconds > 30 * 86_400) {
      throw Errors.validation([{ field: 'overlapSeconds', message: 'overlapSeconds must be an integer from 0 to 2592000' }]);
    }
    const current = await this.show(clientId);
    if (current.type !== 'confidential' || !current.secretHash) {
      throw Errors.validation([{ field: 'clientId', message: 'A public client has no secret to rotate' }]);
    }
    const secret = this.secrets.generate();
    const keepOld = overlapSeconds > 0;
    const updated = await this.store.replaceSecret(
      clientId,
      {
        secretHash: this.secrets.hash(secret),
        previousSecretHash: keepOld ? current.secretHash : null,
        previousSecretExpiresAt: keepOld ? new Date(this.clock.now().getTime() + overlapSeconds * 1000) : null,
      },
      auditEntry(actor.userId, 'oauth_client.secret_rotated', actor.ctx, { clientId, overlapSeconds }),
    );
    if (!updated) throw Errors.notFound('OAuth client');
    await this.lookup.changed(clientId);
    return { client: updated, secret };
  }

  /**
   * Deactivates the client and ends every session opened through it, so its refresh and access tokens stop
   * working at once; its client_credentials tokens fail too (they are checked against the client's state).
   */
  async deactivate(clientId: string, actor: Actor): Promise<{ client: OAuthClient; sessionsRevoked: number }> {
    await this.show(clientId);
    const updated = await this.store.update(clientId, { active: false }, auditEntry(actor.userId, 'oauth_client.deactivated', actor.ctx, { clientId }));
    if (!updated) throw Errors.notFound('OAuth client');
    await this.lookup.changed(clientId);
    return { client: updated, sessionsRevoked: await this.endSessions(clientId, actor) };
  }

  /** Ends every session opened through the client (both ways of deactivating come here); returns how many. */
  private async endSessions(clientId: string, actor: Actor): Promise<number> {
    const now = this.clock.now();
    const ids = await this.uow.run(async (r) => {
      const revoked = await r.sessions.revoke({ clientId }, 'client_deactivated', now);
      if (revoked.length) {
        // Sessions of many users: no single owner; the actor is in the metadata.
        await r.audit.record(auditEntry(null, 'session.revoked', actor.ctx, { reason: 'client_deactivated', clientId, actorId: actor.userId, sessionIds: revoked, count: revoked.length }));
      }
      return revoked;
    });
    if (ids.length) await this.revocations.revoke(ids);
    return ids.length;
  }

  /**
   * Start-up registrations: on a registry with no clients at all (fresh install) the first-party public
   * client `web`; then every id of OAUTH_CLIENTS that is missing, as a public client with the password and
   * refresh_token grants (what those ids could do before the registry existed). Existing clients are never
   * changed, so an operator's edits survive restarts. Returns the ids created.
   */
  async bootstrap(publicClientIds: string[]): Promise<string[]> {
    const created: string[] = [];
    const wanted = (await this.store.count()) === 0 ? ['web', ...publicClientIds] : publicClientIds;
    for (const clientId of [...new Set(wanted)]) {
      const draft: NewOAuthClient = {
        clientId,
        name: clientId === 'web' ? 'Web app (first party)' : clientId,
        type: 'public',
        secretHash: null,
        previousSecretHash: null,
        previousSecretExpiresAt: null,
        grantTypes: ['password', 'refresh_token'],
        allowedScopes: [],
        defaultScopes: [],
        redirectUris: [],
        accessTokenTtl: null,
        refreshTokenTtl: null,
        active: true,
        postLogoutRedirectUris: [],
        backchannelLogoutUri: null,
        tokenEndpointAuthMethod: null,
        // Bootstrapped clients use the password grant: first party.
        requireConsent: false,
        logoUri: null,
        clientUri: null,
        registration: 'static',
        registrationTokenHash: null,
        metadataExpiresAt: null,
      };
      this.validate(draft, true);
      if (await this.store.createIfMissing(draft)) created.push(clientId);
    }
    return created;
  }

  // ---- the OAuth endpoints ----

  /**
   * Client authentication (RFC 6749 §2.3). Unknown, inactive, a wrong secret, a confidential client without
   * a secret or a public client with one: all invalid_client, with one message (no probing for client ids).
   */
  async authenticate(cred: ClientCredentials, ctx: RequestContext = NO_CONTEXT): Promise<AuthenticatedClient> {
    const basic = cred.method === 'client_secret_basic';
    const refuse = () => new OAuthError('invalid_client', 'Client authentication failed', basic);
    let client: OAuthClient | null;
    if (this.documents?.isDocumentUrl(cred.clientId)) {
      // A metadata document client is public: a secret is refused before anything is fetched.
      if (cred.secret) throw refuse();
      try {
        client = await this.resolve(cred.clientId, ctx);
      } catch (err) {
        if (err instanceof ClientMetadataError) throw new OAuthError('invalid_client', `The client metadata document cannot be used: ${err.message}`, basic);
        throw err;
      }
    } else {
      client = CLIENT_ID.test(cred.clientId) ? await this.lookup.find(cred.clientId) : null;
    }
    if (!client || !client.active) {
      // Same work as a real comparison, so timing does not tell registered ids apart.
      if (cred.secret) this.secrets.matches(cred.secret, '0'.repeat(64));
      throw refuse();
    }
    if (client.type === 'public') {
      if (cred.secret) throw refuse();
      return { client, method: cred.method === 'client_secret_basic' ? 'client_secret_basic' : 'none' };
    }
    if (!cred.secret || !client.secretHash) throw refuse();
    // A registered method (RFC 7591 token_endpoint_auth_method) is the only one accepted; null = basic or post.
    if (client.tokenEndpointAuthMethod && client.tokenEndpointAuthMethod !== cred.method) throw refuse();
    const current = this.secrets.matches(cred.secret, client.secretHash);
    const previous =
      client.previousSecretHash !== null &&
      client.previousSecretExpiresAt !== null &&
      client.previousSecretExpiresAt > this.clock.now() &&
      this.secrets.matches(cred.secret, client.previousSecretHash);
    if (!current && !previous) throw refuse();
    return { client, method: cred.method };
  }

  /**
   * The client's current record from the cache (for tokens presented later); null when unknown. A metadata
   * document client is its stored record, not fetched again here (resolve() does that).
   */
  find(clientId: string): Promise<OAuthClient | null> {
    if (CLIENT_ID.test(clientId) || this.documents?.isDocumentUrl(clientId)) return this.lookup.find(clientId);
    return Promise.resolve(null);
  }

  /**
   * find(), where a client starts a flow (the authorization and token endpoints): a metadata document client
   * whose stored document is missing or past its caching lifetime is fetched (again) first. Throws
   * ClientMetadataError (with the reason) when its document cannot be used.
   */
  async resolve(clientId: string, ctx: RequestContext): Promise<OAuthClient | null> {
    if (!this.documents?.isDocumentUrl(clientId)) return this.find(clientId);
    const stored = await this.lookup.find(clientId);
    if (stored && stored.metadataExpiresAt && stored.metadataExpiresAt > this.clock.now()) return stored;
    let pending = this.loading.get(clientId);
    if (!pending) {
      pending = this.loadDocument(clientId, stored, ctx).finally(() => this.loading.delete(clientId));
      this.loading.set(clientId, pending);
    }
    return pending;
  }

  private async loadDocument(clientId: string, stored: OAuthClient | null, ctx: RequestContext): Promise<OAuthClient> {
    const documents = this.documents!;
    let loaded: Awaited<ReturnType<ClientMetadataDocuments['load']>>;
    try {
      loaded = await documents.load(clientId);
      this.validate({ ...loaded.client, active: true }, false);
    } catch (err) {
      const reason = err instanceof ClientMetadataError ? err.message : err instanceof DomainError && err.code === 'VALIDATION_ERROR' ? 'the document\'s metadata is not acceptable (redirect_uris: https, or http on a loopback host, without a fragment)' : null;
      if (reason === null) throw err;
      await this.uow.direct.audit.record(auditEntry(null, 'oauth_client.metadata_refused', ctx, { clientId, reason }));
      throw new ClientMetadataError(reason);
    }
    const metadataExpiresAt = new Date(this.clock.now().getTime() + loaded.ttlSeconds * 1000);
    const { name, grantTypes, allowedScopes, defaultScopes, redirectUris, tokenEndpointAuthMethod, logoUri, clientUri, requireConsent } = loaded.client;
    const fields = { name, grantTypes, allowedScopes, defaultScopes, redirectUris, tokenEndpointAuthMethod, logoUri, clientUri, requireConsent };
    // An administrator's deactivation survives a refetch: `active` is never written here.
    const patch: OAuthClientStorePatch = { ...fields, metadataExpiresAt };
    const refresh = () => this.store.update(clientId, patch, auditEntry(null, 'oauth_client.updated', ctx, { clientId, registration: 'metadata_document', fields: Object.keys(fields) }));
    let client: OAuthClient | null;
    if (stored) {
      client = await refresh();
    } else {
      const draft: NewOAuthClient = { ...loaded.client, active: true, registration: 'metadata_document', registrationTokenHash: null, metadataExpiresAt };
      try {
        client = await this.store.create(draft, auditEntry(null, 'oauth_client.created', ctx, { clientId, type: 'public', registration: 'metadata_document' }));
      } catch (err) {
        // Another instance (or request) stored it first: refresh that row with what was fetched here.
        if (!(err instanceof DomainError && err.code === 'CLIENT_ID_TAKEN')) throw err;
        client = await refresh();
      }
    }
    await this.lookup.changed(clientId);
    if (!client) throw new ClientMetadataError('the client could not be stored');
    return client;
  }

  /** Writes a registration's own fields (RFC 7592 update and delete), with the audit event that records it. */
  async updateRegistration(clientId: string, patch: OAuthClientStorePatch, actor: Actor, event: 'oauth_client.updated' | 'oauth_client.deactivated'): Promise<OAuthClient> {
    const current = await this.show(clientId);
    const next = { ...current, ...dedupe(patch) };
    this.validate(next, true);
    const fields = Object.keys(patch).filter((k) => k !== 'registrationTokenHash');
    const updated = await this.store.update(clientId, dedupe(patch), auditEntry(actor.userId, event, actor.ctx, { clientId, registration: current.registration, fields }));
    if (!updated) throw Errors.notFound('OAuth client');
    await this.lookup.changed(clientId);
    if (patch.active === false) await this.endSessions(clientId, actor);
    return updated;
  }

  assertGrantAllowed(client: OAuthClient, grant: GrantType): void {
    if (client.type === 'public' && grant === 'client_credentials') {
      throw new OAuthError('unauthorized_client', 'Public clients cannot use the client_credentials grant');
    }
    if (!client.grantTypes.includes(grant)) throw new OAuthError('unauthorized_client', `This client may not use the ${grant} grant`);
  }

  /**
   * Requested scopes must be allowed; none requested = the client's default scopes. For a user (`forUser`:
   * the password grant) service scopes (scopes.ts SERVICE_SCOPES) are never granted: asked for, they are
   * invalid_scope; among the defaults, they are left out.
   */
  grantScopes(client: OAuthClient, requested: string[] | null, forUser = false): string[] {
    const grantable = (s: string) => client.allowedScopes.includes(s) && !(forUser && isServiceScope(s));
    if (requested === null || requested.length === 0) return client.defaultScopes.filter(grantable);
    if (forUser) {
      const service = requested.filter(isServiceScope);
      if (service.length) throw new OAuthError('invalid_scope', `Scope for services only (client_credentials), not for users: ${service.join(' ')}`);
    }
    const refused = outside(requested, client.allowedScopes);
    if (refused.length) throw new OAuthError('invalid_scope', `Scope not allowed for this client: ${refused.join(' ').slice(0, 200)}`);
    return requested;
  }

  /** RFC 7662 §4: a client learns about its own tokens; about others' (and clientless ones) only with INTROSPECTION_SCOPE. */
  mayIntrospect(caller: OAuthClient, tokenClientId: string | null): boolean {
    return tokenClientId === caller.clientId || caller.allowedScopes.includes(INTROSPECTION_SCOPE);
  }

  // ---- rules ----

  private generateClientId(name: string): string {
    const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'client';
    return `${slug}-${this.tokens.opaqueToken().replace(/[^A-Za-z0-9]/g, '').slice(0, 8).toLowerCase()}`;
  }

  private validate(c: Omit<NewOAuthClient, 'secretHash' | 'previousSecretHash' | 'previousSecretExpiresAt' | 'registration' | 'registrationTokenHash' | 'metadataExpiresAt'>, checkId: boolean): void {
    const problems: FieldProblem[] = [];
    if (checkId && (!CLIENT_ID.test(c.clientId) || UUID.test(c.clientId))) {
      // A UUID-shaped client_id could equal a user id, and client tokens carry the client_id as `sub`.
      problems.push({ field: 'clientId', message: 'clientId must be 1-100 characters of letters, digits, . _ ~ - (not a UUID)' });
    }
    if (typeof c.name !== 'string' || c.name.trim().length === 0 || c.name.length > 100) {
      problems.push({ field: 'name', message: 'name must be 1-100 characters' });
    }
    if (c.type !== 'confidential' && c.type !== 'public') problems.push({ field: 'type', message: 'type must be confidential or public' });
    if (!Array.isArray(c.grantTypes) || c.grantTypes.length === 0 || c.grantTypes.some((g) => !GRANT_TYPES.includes(g))) {
      problems.push({ field: 'grantTypes', message: `grantTypes must be a non-empty list of ${GRANT_TYPES.join(', ')}` });
    } else if (c.type === 'public' && c.grantTypes.includes('client_credentials')) {
      problems.push({ field: 'grantTypes', message: 'A public client cannot use client_credentials' });
    }
    for (const field of ['allowedScopes', 'defaultScopes'] as const) {
      const list = c[field];
      if (!Array.isArray(list) || list.length > 100 || list.some((s) => typeof s !== 'string' || s.length > 100 || !isScopeToken(s))) {
        problems.push({ field, message: `${field} must be a list of scope tokens (printable ASCII, no space, " or \\)` });
      }
    }
    if (Array.isArray(c.defaultScopes) && Array.isArray(c.allowedScopes) && outside(c.defaultScopes, c.allowedScopes).length) {
      problems.push({ field: 'defaultScopes', message: 'defaultScopes must be a subset of allowedScopes' });
    }
    if (!Array.isArray(c.redirectUris) || c.redirectUris.length > 20 || c.redirectUris.some((u) => !isRedirectUri(u))) {
      problems.push({ field: 'redirectUris', message: 'redirectUris must be absolute https URLs (http only for localhost) without a fragment' });
    }
    if (!Array.isArray(c.postLogoutRedirectUris) || c.postLogoutRedirectUris.length > 20 || c.postLogoutRedirectUris.some((u) => !isRedirectUri(u))) {
      problems.push({ field: 'postLogoutRedirectUris', message: 'postLogoutRedirectUris must be absolute https URLs (http only for localhost) without a fragment' });
    }
    for (const field of ['backchannelLogoutUri', 'logoUri', 'clientUri'] as const) {
      if (c[field] !== null && !isRedirectUri(c[field])) problems.push({ field, message: `${field} must be null or an absolute https URL (http only for localhost) without a fragment` });
    }
    if (c.tokenEndpointAuthMethod !== null && !AUTH_METHODS.includes(c.tokenEndpointAuthMethod)) {
      problems.push({ field: 'tokenEndpointAuthMethod', message: `tokenEndpointAuthMethod must be null or one of ${AUTH_METHODS.join(', ')}` });
    } else if (c.tokenEndpointAuthMethod !== null && (c.tokenEndpointAuthMethod === 'none') !== (c.type === 'public')) {
      problems.push({ field: 'tokenEndpointAuthMethod', message: 'Public clients use none; confidential clients client_secret_basic or client_secret_post' });
    }
    if (typeof c.requireConsent !== 'boolean') problems.push({ field: 'requireConsent', message: 'requireConsent must be a boolean' });
    else if (c.requireConsent && Array.isArray(c.grantTypes) && c.grantTypes.includes('password')) {
      // RFC 9700 §2.4: the password grant only for first-party clients (which skip consent).
      problems.push({ field: 'requireConsent', message: 'The password grant is for first-party clients only (requireConsent: false)' });
    }
    if (Array.isArray(c.grantTypes) && c.grantTypes.includes('authorization_code') && Array.isArray(c.redirectUris) && c.redirectUris.length === 0) {
      problems.push({ field: 'redirectUris', message: 'The authorization_code grant needs at least one redirect URI' });
    }
    if (c.accessTokenTtl !== null && (!Number.isInteger(c.accessTokenTtl) || c.accessTokenTtl < 1 || c.accessTokenTtl > this.settings.maxAccessTokenTtl)) {
      // Revocations are remembered for ACCESS_TOKEN_TTL: a longer-lived token could outlive its revocation.
      problems.push({ field: 'accessTokenTtl', message: `accessTokenTtl must be null or 1-${this.settings.maxAccessTokenTtl} seconds (ACCESS_TOKEN_TTL)` });
    }
    if (c.refreshTokenTtl !== null && (!Number.isInteger(c.refreshTokenTtl) || c.refreshTokenTtl < 60 || c.refreshTokenTtl > MAX_REFRESH_TTL)) {
      problems.push({ field: 'refreshTokenTtl', message: `refreshTokenTtl must be null or 60-${MAX_REFRESH_TTL} seconds` });
    }
    if (typeof c.active !== 'boolean') problems.push({ field: 'active', message: 'active must be a boolean' });
    if (problems.length) throw Errors.validation(problems);
  }
}

function isRedirectUri(u: unknown): boolean {
  if (typeof u !== 'string' || u.length > 2000) return false;
  try {
    const url = new URL(u);
    if (url.hash) return false;
    return url.protocol === 'https:' || (url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname));
  } catch {
    return false;
  }
}

function dedupe(patch: OAuthClientPatch): OAuthClientPatch {
  const out: OAuthClientPatch = { ...patch };
  for (const k of ['grantTypes', 'allowedScopes', 'defaultScopes', 'redirectUris', 'postLogoutRedirectUris'] as const) {
    if (Array.isArray(out[k])) (out as Record<string, unknown>)[k] = [...new Set(out[k] as string[])];
  }
  return out;
}

