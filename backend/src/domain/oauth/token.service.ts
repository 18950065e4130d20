// The authorization server's grants (RFC 6749 §4.3 password, §4.4 client_credentials, §6 refresh),
// revocation (RFC 7009) and introspection (RFC 7662), over AuthService and SessionService: OAuth sessions are
// ordinary sessions bound to a client, so every revocation path (logout, admin, reuse...) applies to them.
import { AuthService } from '../auth.service';
import { DomainError, Errors } from '../errors';
import type { AccessTokenSigner, Clock, RevocationStore, TokenGenerator, UnitOfWork } from '../ports';
import { SessionService } from '../session.service';
import { CLIENT_TOKEN_SID_PREFIX, isClientToken, type AccessClaims, type RequestContext, type TokenPair } from '../types';
import { OAuthClientService } from './client.service';
import { OAuthError } from './errors';
import type { ClientTokenRevocations } from './ports';
import { grantedResource, requestedResource } from './resources';
import { formatScope, isServiceScope, outside, parseScope } from './scopes';
import { OIDC_SCOPES } from './oidc';
import type { AuthenticatedClient, OAuthClient } from './types';

export interface OAuthTokenSettings {
  accessTokenTtl: number;
  issuer: string;
  /** OAUTH_RESOURCES: what `resource` may name (RFC 8707). */
  resources: readonly string[];
}

export interface IssuedTokens {
  accessToken: string;
  expiresIn: number;
  refreshToken: string | null;
  scope: string[];
  /** OpenID Connect: the ID token of an authorization-code exchange with `openid`. */
  idToken?: string | null;
}

/** RFC 7662 §2.2: `active` plus, for active tokens, what a resource server needs. */
export type Introspection =
  | { active: false }
  | {
      active: true;
      token_type: 'Bearer' | 'refresh_token';
      scope: string;
      client_id: string | null;
      sub: string;
      exp: number;
      iat: number;
      iss: string;
      aud?: string;
      username?: string;
      sid?: string;
    };

const looksLikeJwt = (token: string) => token.split('.').length === 3;

export class OAuthTokenService {
  constructor(
    private readonly clients: OAuthClientService,
    private readonly auth: AuthService,
    private readonly sessions: SessionService,
    private readonly uow: UnitOfWork,
    private readonly signer: AccessTokenSigner,
    private readonly revocations: RevocationStore,
    private readonly tokens: TokenGenerator,
    private readonly clock: Clock,
    private readonly settings: OAuthTokenSettings,
    private readonly clientTokenRevocations: ClientTokenRevocations,
  ) {}

  async passwordGrant(
    { client }: AuthenticatedClient,
    input: { username: string; password: string; scope: string | null; resource?: readonly string[] },
    ctx: RequestContext,
  ): Promise<IssuedTokens> {
    this.clients.assertGrantAllowed(client, 'password');
    if (client.requireConsent) throw new OAuthError('unauthorized_client', 'The password grant is for first-party clients only');
    const scope = this.clients.grantScopes(client, input.scope === null ? null : parseScope(input.scope), true);
    const resource = requestedResource(input.resource ?? [], this.settings.resources);
    const result = await this.auth.login(
      { email: input.username, password: input.password, deviceName: `oauth:${client.clientId}`.slice(0, 100) },
      ctx,
      { clientId: client.clientId, scope, resource, accessTokenTtl: client.accessTokenTtl, refreshTokenTtl: client.refreshTokenTtl },
    );
    return issued(result as TokenPair, scope);
  }

  /**
   * Rotates a refresh token of this client. Without `scope` the token keeps the session's scopes (minus any
   * the client may no longer use); with one it may only narrow them, checked before the token rotates.
   */
  async refreshGrant(
    { client }: AuthenticatedClient,
    input: { refreshToken: string; scope: string | null; resource?: readonly string[] },
    ctx: RequestContext,
  ): Promise<IssuedTokens> {
    this.clients.assertGrantAllowed(client, 'refresh_token');
    const requested = input.scope === null ? null : parseScope(input.scope);
    const resources = input.resource ?? [];
    // Refused before the token rotates, so a refused request leaves the client's refresh token as it was.
    if (resources.length) requestedResource(resources, this.settings.resources);
    if ((requested && requested.length) || resources.length) {
      const found = await this.uow.direct.sessions.findByRefreshTokenHash(this.tokens.hashToken(input.refreshToken));
      if (found && found.matched === 'current' && found.session.clientId === client.clientId) {
        const refused = outside(requested ?? [], splitScope(found.session.scope));
        if (refused.length) throw new OAuthError('invalid_scope', `Scope was not granted to this refresh token: ${refused.join(' ').slice(0, 200)}`);
        // RFC 8707 §2.2: the refresh may name the resource granted originally, never another one.
        grantedResource(resources, this.settings.resources, found.session.resource ?? null);
      }
    }
    const pair = await this.auth.refresh(input.refreshToken, ctx, {
      clientId: client.clientId,
      accessTokenTtl: client.accessTokenTtl,
      // A user's session never keeps a service scope (one granted before they were refused for users neither).
      // OpenID Connect's scopes are the code flow's own (authorize-request.ts), held without allowedScopes.
      scopeFor: (granted) =>
        (requested && requested.length ? requested : granted).filter(
          (s) => (client.allowedScopes.includes(s) || (OIDC_SCOPES.includes(s) && client.grantTypes.includes('authorization_code'))) && granted.includes(s) && !isServiceScope(s),
        ),
    });
    return issued(pair, pair.scope ?? []);
  }

  /** An access token whose subject is the client itself; no refresh token (RFC 6749 §4.4.3). */
  async clientCredentialsGrant({ client }: AuthenticatedClient, input: { scope: string | null; resource?: readonly string[] }): Promise<IssuedTokens> {
    this.clients.assertGrantAllowed(client, 'client_credentials');
    const scope = this.clients.grantScopes(client, input.scope === null ? null : parseScope(input.scope));
    const resource = requestedResource(input.resource ?? [], this.settings.resources);
    const ttl = client.accessTokenTtl ?? this.settings.accessTokenTtl;
    const accessToken = await this.signer.sign(
      { sub: client.clientId, sid: `${CLIENT_TOKEN_SID_PREFIX}${this.tokens.uuid()}`, client_id: client.clientId, scope: formatScope(scope) },
      ttl,
      { typ: 'at+jwt', audience: resource },
    );
    return { accessToken, expiresIn: ttl, refreshToken: null, scope };
  }

  /**
   * RFC 7009. Unknown, malformed and expired tokens are not errors (nothing to do). A refresh token or a
   * user's access token ends its session, so the session's other tokens fail at once on every instance; a
   * client_credentials token is revoked alone. A token issued to another client is refused.
   */
  async revoke({ client }: AuthenticatedClient, token: string, ctx: RequestContext): Promise<void> {
    if (looksLikeJwt(token)) {
      const claims = this.verifyQuietly(token);
      if (!claims) return;
      if (claims.client_id !== client.clientId) throw notIssuedTo();
      if (isClientToken(claims)) {
        // Durable first: the in-memory view alone would forget the revocation on restart.
        await this.clientTokenRevocations.record({ tokenId: claims.sid, clientId: client.clientId, revokedAt: this.clock.now(), expiresAt: new Date(claims.exp * 1000) });
        await this.revocations.revoke([claims.sid]);
        return;
      }
      await this.endSession(claims.sid, claims.sub, client, ctx);
      return;
    }
    const found = await this.uow.direct.sessions.findByRefreshTokenHash(this.tokens.hashToken(token));
    // A rotated-away token is not a live token: nothing to revoke (and presenting it here is not a refresh).
    if (!found || found.matched !== 'current') return;
    if (found.session.clientId !== client.clientId) throw notIssuedTo();
    await this.endSession(found.session.id, found.session.userId, client, ctx);
  }

  /**
   * RFC 7662: active only while valid right now (signature, expiry, session, client still active) and only
   * when `caller` may learn about the token (§4, OAuthClientService.mayIntrospect): another client's token
   * is `active: false`, exactly as an unknown one, so a caller cannot tell them apart.
   */
  async introspect({ client: caller }: AuthenticatedClient, token: string): Promise<Introspection> {
    if (looksLikeJwt(token)) {
      const claims = this.verifyQuietly(token);
      if (!claims || this.revocations.isRevoked(claims.sid)) return { active: false };
      if (!this.clients.mayIntrospect(caller, claims.client_id ?? null)) return { active: false };
      if (claims.client_id && !(await this.clients.find(claims.client_id))?.active) return { active: false };
      return {
        active: true,
        token_type: 'Bearer',
        scope: claims.scope ?? '',
        client_id: claims.client_id ?? null,
        sub: claims.sub,
        exp: claims.exp,
        iat: claims.iat,
        iss: claims.iss,
        aud: claims.aud,
        ...(isClientToken(claims) ? {} : { username: claims.email, sid: claims.sid }),
      };
    }
    const found = await this.uow.direct.sessions.findByRefreshTokenHash(this.tokens.hashToken(token));
    if (!found || found.matched !== 'current' || !this.sessions.isLive(found.session)) return { active: false };
    const s = found.session;
    if (!this.clients.mayIntrospect(caller, s.clientId)) return { active: false };
    if (s.clientId && !(await this.clients.find(s.clientId))?.active) return { active: false };
    return {
      active: true,
      token_type: 'refresh_token',
      scope: s.scope ?? '',
      client_id: s.clientId,
      sub: s.userId,
      exp: Math.floor(Math.min(s.expiresAt.getTime(), s.idleExpiresAt.getTime()) / 1000),
      // A refresh token is issued at login or at its last rotation.
      iat: Math.floor(s.lastActiveAt.getTime() / 1000),
      iss: this.settings.issuer,
      sid: s.id,
    };
  }

  /**
   * For resource endpoints that accept client_credentials tokens (e.g. a revocation feed): valid signature,
   * not expired, not revoked, client still active, and holding `requiredScope`.
   */
  async authenticateClientToken(token: string, requiredScope?: string): Promise<AccessClaims> {
    const claims = this.signer.verify(token);
    if (!isClientToken(claims) || !claims.client_id) throw Errors.invalidToken('A client credentials token is required');
    if (this.revocations.isRevoked(claims.sid)) throw Errors.sessionTerminated();
    if (!(await this.clients.find(claims.client_id))?.active) throw Errors.invalidToken('The client of this token is not active');
    if (requiredScope && !splitScope(claims.scope ?? null).includes(requiredScope)) throw Errors.forbidden(`Scope ${requiredScope} required`);
    return claims;
  }

  /** Revocation and introspection answer for tokens of registered resources (RFC 8707) as well. */
  private verifyQuietly(token: string): AccessClaims | null {
    try {
      return this.signer.verify(token, { anyResource: true });
    } catch (err) {
      if (err instanceof DomainError) return null;
      throw err;
    }
  }

  private async endSession(sessionId: string, userId: string, client: OAuthClient, ctx: RequestContext): Promise<void> {
    await this.sessions.revokeWhere((r) => r.sessions.revoke({ sessionId, userId }, 'token_revoked', this.clock.now()), {
      userId,
      type: 'session.revoked',
      ctx,
      metadata: { sessionId, reason: 'token_revoked', clientId: client.clientId },
    });
    // Even when the row had already ended, make sure this token is refused here and everywhere.
    await this.revocations.revoke([sessionId]);
  }
}

function issued(pair: TokenPair, scope: string[]): IssuedTokens {
  return { accessToken: pair.accessToken, expiresIn: pair.expiresIn, refreshToken: pair.refreshToken, scope };
}

function splitScope(scope: string | null): string[] {
  return scope ? scope.split(' ').filter(Boolean) : [];
}

const notIssuedTo = () => new OAuthError('unauthorized_client', 'The token was not issued to this client');
