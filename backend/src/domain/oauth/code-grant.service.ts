// The token endpoint's authorization_code grant (RFC 6749 §4.1.3, RFC 7636 §4.6) and the OpenID Connect
// userinfo endpoint (OIDC Core §5.3). A code opens a session of its own for the client, bound to the browser
// session that approved it (Session.parentSessionId): revoking that sign-in ends the client's tokens too, and
// the refresh token rotates with the same reuse detection and grace window as every other session.
import { auditEntry } from '../audit';
import { Errors } from '../errors';
import type { AccessTokenSigner, Clock, RevocationStore, TokenGenerator, UnitOfWork } from '../ports';
import type { SessionService } from '../session.service';
import type { RequestContext, Session, User } from '../types';
import type { Authorization } from './authorization.types';
import { wantsOpenId } from './authorize-request';
import type { OAuthClientService } from './client.service';
import { OAuthError } from './errors';
import { grantedResource } from './resources';
import { base64urlOfHex, leftHalfBase64url, OFFLINE_ACCESS, scopeClaims } from './oidc';
import type { AuthorizationStore, IdTokenSigner } from './ports';
import type { IssuedTokens } from './token.service';
import type { AuthenticatedClient, OAuthClient } from './types';

export interface CodeGrantSettings {
  accessTokenTtl: number;
  issuer: string;
  /** OAUTH_RESOURCES (RFC 8707). */
  resources: readonly string[];
}

/** RFC 7636 §4.1: 43-128 characters of ALPHA / DIGIT / "-" / "." / "_" / "~". */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

export class CodeGrantService {
  constructor(
    private readonly store: AuthorizationStore,
    private readonly clients: OAuthClientService,
    private readonly sessions: SessionService,
    private readonly uow: UnitOfWork,
    private readonly signer: AccessTokenSigner,
    private readonly idTokens: IdTokenSigner,
    private readonly revocations: RevocationStore,
    private readonly tokens: TokenGenerator,
    private readonly clock: Clock,
    private readonly settings: CodeGrantSettings,
  ) {}

  async exchange({ client }: AuthenticatedClient, input: { code: string | null; redirectUri: string | null; codeVerifier: string | null; resource?: readonly string[] }, ctx: RequestContext): Promise<IssuedTokens> {
    this.clients.assertGrantAllowed(client, 'authorization_code');
    if (!input.code) throw new OAuthError('invalid_request', 'code is required');
    if (!input.codeVerifier) throw new OAuthError('invalid_request', 'code_verifier is required (PKCE)');
    if (!input.redirectUri) throw new OAuthError('invalid_request', 'redirect_uri is required');
    const now = this.clock.now();
    const codeHash = this.tokens.hashToken(input.code);
    const request = await this.store.consumeCode(codeHash, now);
    if (!request) {
      await this.replayed(codeHash, ctx);
      throw invalidGrant('The authorization code is invalid, expired or used');
    }
    // Checked after consuming: a code presented wrongly once is spent (it may have leaked).
    if (request.clientId !== client.clientId) throw invalidGrant('The authorization code was issued to another client');
    if (!request.codeExpiresAt || request.codeExpiresAt <= now || !request.userId || !request.browserSessionId) throw invalidGrant('The authorization code is invalid, expired or used');
    if (request.redirectUri !== input.redirectUri) throw invalidGrant('redirect_uri differs from the authorization request');
    if (!VERIFIER.test(input.codeVerifier) || base64urlOfHex(this.tokens.hashToken(input.codeVerifier)) !== request.codeChallenge) {
      throw invalidGrant('PKCE verification failed (code_verifier)');
    }
    const parent = await this.uow.direct.sessions.findById(request.browserSessionId);
    if (!parent || !this.sessions.isLive(parent, now)) throw invalidGrant('The sign-in that approved this code has ended');
    const user = await this.uow.direct.users.findById(request.userId);
    if (!user || user.status !== 'active' || user.deletedAt) throw invalidGrant('The account is not active');
    // RFC 8707 §2.2: the exchange may name the resource of the authorization request, not another one (the
    // code is spent either way, as for every other refusal after consuming it).
    const resource = grantedResource(input.resource ?? [], this.settings.resources, request.resource);

    const { accessToken, ttl, refreshToken } = await this.issueSession(client, user, parent, { scope: request.scope, resource, method: 'authorization_code' }, ctx, async (s) => {
      if (await this.store.setIssuedSession(request.id, s.id)) return true;
      // The code was replayed while this exchange ran: neither answer gets tokens.
      await this.endSession(s, ctx, client.clientId);
      throw invalidGrant('The authorization code is invalid, expired or used');
    });
    const idToken = wantsOpenId(request.scope) ? await this.idToken(request, user, client, accessToken, ttl) : null;
    return { accessToken, expiresIn: ttl, refreshToken: this.refreshAllowed(client, request.scope) ? refreshToken : null, scope: request.scope, idToken };
  }

  /**
   * The client's own session, issued from the browser session that approved (Session.parentSessionId), and
   * its RFC 9068 access token: what a code exchange and a device code (device-grant.service.ts) both issue,
   * so both get the same session model, refresh rotation with reuse detection, and audit (login.succeeded).
   * `bind` records the session on the grant's row before any token is signed (false or a throw: no tokens).
   */
  async issueSession(
    client: OAuthClient,
    user: User,
    parent: Session,
    grant: { scope: string[]; resource: string | null; method: string },
    ctx: RequestContext,
    bind: (session: Session) => Promise<boolean>,
  ): Promise<{ session: Session; accessToken: string; ttl: number; refreshToken: string }> {
    const { session, refreshToken } = await this.sessions.create(
      user,
      {
        aal: parent.aal,
        deviceName: `oauth:${client.clientId}`.slice(0, 100),
        method: grant.method,
        client: { clientId: client.clientId, scope: grant.scope, resource: grant.resource, refreshTokenTtl: client.refreshTokenTtl },
        parentSessionId: parent.id,
      },
      ctx,
    );
    if (!(await bind(session))) throw invalidGrant('The grant was used already');
    const ttl = this.accessTtl(client, session);
    const accessToken = await this.signer.sign(
      { sub: user.id, sid: session.id, role: user.role, aal: session.aal, email: user.email, username: user.username, client_id: client.clientId, scope: grant.scope.join(' ') },
      ttl,
      { typ: 'at+jwt', audience: grant.resource },
    );
    return { session, accessToken, ttl, refreshToken };
  }

  /** A refresh token goes with the access token when the client may refresh (see refreshAllowed). */
  mayRefresh(client: OAuthClient, scope: string[]): boolean {
    return this.refreshAllowed(client, scope);
  }

  /** Ends a session issued by a grant that was replayed (its reason says which grant). */
  async endReplayed(session: Session, ctx: RequestContext, clientId: string, reason: 'authorization_code_replayed' | 'device_code_replayed'): Promise<void> {
    await this.sessions.revokeWhere((r) => r.sessions.revoke({ sessionId: session.id }, reason, this.clock.now()), {
      userId: session.userId,
      type: 'session.revoked',
      ctx,
      metadata: { sessionId: session.id, reason, clientId },
    });
    await this.revocations.revoke([session.id]);
  }

  /** OIDC Core §5.3: the claims of the token's scopes; only for tokens of the code flow with `openid`. */
  async userinfo(accessToken: string, authenticate: (token: string) => { sub: string; client_id?: string; scope?: string }): Promise<Record<string, unknown>> {
    const claims = authenticate(accessToken);
    const scope = (claims.scope ?? '').split(' ').filter(Boolean);
    if (!claims.client_id || !scope.includes('openid')) throw Errors.forbidden('The access token lacks the openid scope');
    const user = await this.uow.direct.users.findById(claims.sub);
    if (!user || user.deletedAt || user.status !== 'active') throw Errors.invalidToken('The account is not active');
    return scopeClaims(user, scope);
  }

  /**
   * OIDC Core §11: with `openid`, a refresh token only for offline_access; a plain OAuth request gets one when
   * the client has the refresh_token grant. Either way the client must be configured for refresh_token.
   */
  private refreshAllowed(client: OAuthClient, scope: string[]): boolean {
    return client.grantTypes.includes('refresh_token') && (scope.includes(OFFLINE_ACCESS) || !wantsOpenId(scope));
  }

  private accessTtl(client: OAuthClient, session: Session): number {
    const left = Math.floor((Math.min(session.expiresAt.getTime(), session.idleExpiresAt.getTime()) - this.clock.now().getTime()) / 1000);
    return Math.max(1, Math.min(client.accessTokenTtl ?? this.settings.accessTokenTtl, left));
  }

  private async idToken(request: Authorization, user: User, client: OAuthClient, accessToken: string, ttl: number): Promise<string> {
    const iat = Math.floor(this.clock.now().getTime() / 1000);
    return this.idTokens.sign({
      ...scopeClaims(user, request.scope),
      iss: this.settings.issuer,
      sub: user.id,
      aud: client.clientId,
      exp: iat + ttl,
      iat,
      auth_time: Math.floor(request.authTime!.getTime() / 1000),
      ...(request.nonce !== null ? { nonce: request.nonce } : {}),
      acr: request.acr,
      amr: request.amr,
      // The browser session (OIDC Front/Back-Channel Logout `sid`): what a logout of that sign-in names.
      sid: request.browserSessionId,
      at_hash: leftHalfBase64url(this.tokens.hashToken(accessToken)),
    });
  }

  /** RFC 6749 §4.1.2: a code presented twice revokes the tokens issued from it. */
  private async replayed(codeHash: string, ctx: RequestContext): Promise<void> {
    const used = await this.store.findByCode(codeHash);
    if (!used || !used.consumedAt) return;
    const sessionId = await this.store.markReplayed(used.id);
    await this.uow.direct.audit.record(auditEntry(used.userId, 'oauth.code.replayed', ctx, { clientId: used.clientId, sessionId }));
    if (!sessionId) return;
    const session = await this.uow.direct.sessions.findById(sessionId);
    if (session) await this.endSession(session, ctx, used.clientId);
  }

  private endSession(session: Session, ctx: RequestContext, clientId: string): Promise<void> {
    return this.endReplayed(session, ctx, clientId, 'authorization_code_replayed');
  }
}

const invalidGrant = (message: string) => new OAuthError('invalid_grant', message);
