// The authorization endpoint's decisions (RFC 6749 §4.1, OIDC Core §3.1.2): a request is validated and stored,
// the account web app signs the user in (everything sign-in already does: password, 2FA, trusted devices),
// asks this service what to show, and sends the user's answer; the answer is always a redirect back to the
// client, with `code`, `state` and `iss` (RFC 9207) or with an error.
import { auditEntry } from '../audit';
import { Errors } from '../errors';
import type { Clock, TokenGenerator, UnitOfWork } from '../ports';
import type { SessionService } from '../session.service';
import type { AccessClaims, RequestContext, Session } from '../types';
import type { Authorization } from './authorization.types';
import { authorizeTarget, redirectTo, validateAuthorizeRequest, type AuthorizeParams } from './authorize-request';
import type { OAuthClientService } from './client.service';
import { AuthorizePageError, AuthorizeRedirectError, ClientMetadataError, type AuthorizeErrorCode } from './errors';
import { assurance } from './oidc';
import type { AuthorizationStore, ConsentStore } from './ports';
import type { OAuthClient } from './types';

export interface AuthorizationSettings {
  issuer: string;
  /** Seconds a pending request waits for sign-in and consent. */
  requestTtl: number;
  /** Seconds a code may wait for its exchange (oidc-provider's default, 60). */
  codeTtl: number;
  /** OAUTH_RESOURCES: what `resource` may name (RFC 8707). */
  resources: readonly string[];
}

/** The audit's `resource` (RFC 8707) of a request that named one; absent otherwise, as before resources existed. */
const resourceOf = (request: { resource: string | null }) => (request.resource ? { resource: request.resource } : {});

/** What the web app shows for a pending request. */
export type AuthorizationStep =
  | { step: 'login'; loginHint: string | null; uiLocales: string | null }
  | {
      step: 'consent';
      /** host: a metadata document client's URL host (shown prominently: the name is only the document's claim). */
      client: { clientId: string; name: string; clientUri: string | null; logoUri: string | null; host: string | null };
      scopes: string[];
      /** RFC 8707: the one API the token would be for (null: this server's own). */
      resource: string | null;
      uiLocales: string | null;
    }
  | { step: 'redirect'; redirectTo: string };

/** What the web app may learn about a request before anyone signs in. */
export interface PendingRequestInfo {
  loginHint: string | null;
  uiLocales: string | null;
  promptNone: boolean;
  clientName: string;
}

export class AuthorizationService {
  constructor(
    private readonly store: AuthorizationStore,
    private readonly consents: ConsentStore,
    private readonly clients: OAuthClientService,
    private readonly sessions: SessionService,
    private readonly uow: UnitOfWork,
    private readonly tokens: TokenGenerator,
    private readonly clock: Clock,
    private readonly settings: AuthorizationSettings,
  ) {}

  /**
   * Validates a request. Throws AuthorizePageError while the redirect URI is not trusted; later refusals are
   * answered as a redirect. On success, the handle the web app continues with (in its URL, never a token).
   */
  async begin(params: AuthorizeParams, ctx: RequestContext): Promise<{ handle: string } | { redirectTo: string }> {
    const target = authorizeTarget(params, params.client_id ? await this.resolveClient(params.client_id, ctx) : null);
    let request;
    try {
      request = validateAuthorizeRequest(params, target, this.settings.resources);
    } catch (err) {
      if (!(err instanceof AuthorizeRedirectError)) throw err;
      await this.audit(null, 'oauth.authorization.refused', ctx, { clientId: target.client.clientId, error: err.code });
      return { redirectTo: this.errorRedirect(target.redirectUri, params.state ?? null, err.code, err.message) };
    }
    const handle = this.tokens.opaqueToken();
    const now = this.clock.now();
    await this.store.create({
      id: this.tokens.uuid(),
      handleHash: this.tokens.hashToken(handle),
      clientId: request.client.clientId,
      redirectUri: request.redirectUri,
      scope: request.scope,
      state: request.state,
      nonce: request.nonce,
      codeChallenge: request.codeChallenge,
      prompt: request.prompt,
      maxAge: request.maxAge,
      loginHint: request.loginHint,
      uiLocales: request.uiLocales,
      resource: request.resource,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.settings.requestTtl * 1000),
    });
    return { handle };
  }

  /** For the sign-in page in front of a request: hint, languages, whether it must not interact. */
  async pending(handle: string): Promise<PendingRequestInfo> {
    const { request, client } = await this.open(handle);
    return { loginHint: request.loginHint, uiLocales: request.uiLocales, promptNone: request.prompt.includes('none'), clientName: client.name };
  }

  /** prompt=none and nobody is signed in on this browser: login_required at the redirect URI (OIDC Core §3.1.2.6). */
  async loginRequired(handle: string, ctx: RequestContext): Promise<{ redirectTo: string }> {
    const { request } = await this.open(handle);
    if (!request.prompt.includes('none')) throw Errors.validation([{ field: 'handle', message: 'Only a prompt=none request ends with login_required' }]);
    return { redirectTo: await this.refuse(request, null, 'login_required', 'The user is not signed in', ctx) };
  }

  /** What the signed-in user sees next: sign in again, the consent screen, or (consent remembered) the redirect. */
  async next(handle: string, claims: AccessClaims, ctx: RequestContext): Promise<AuthorizationStep> {
    const { request, client } = await this.open(handle);
    const session = await this.browserSession(claims);
    if (this.mustSignInAgain(request, session)) {
      if (request.prompt.includes('none')) return { step: 'redirect', redirectTo: await this.refuse(request, claims.sub, 'login_required', 'A fresh sign-in is required', ctx) };
      return { step: 'login', loginHint: request.loginHint, uiLocales: request.uiLocales };
    }
    if (await this.needsConsent(request, client, claims.sub)) {
      if (request.prompt.includes('none')) return { step: 'redirect', redirectTo: await this.refuse(request, claims.sub, 'consent_required', 'The user has not granted these scopes', ctx) };
      return {
        step: 'consent',
        client: { clientId: client.clientId, name: client.name, clientUri: client.clientUri, logoUri: client.logoUri, host: client.registration === 'metadata_document' ? new URL(client.clientId).hostname : null },
        scopes: request.scope,
        resource: request.resource,
        uiLocales: request.uiLocales,
      };
    }
    return { step: 'redirect', redirectTo: await this.issueCode(request, session, ctx, 'remembered') };
  }

  /** The user's answer on the consent screen: approve (remembered for next time) or deny (access_denied). */
  async decide(handle: string, claims: AccessClaims, approve: boolean, ctx: RequestContext): Promise<{ redirectTo: string }> {
    const { request, client } = await this.open(handle);
    const session = await this.browserSession(claims);
    if (!approve) {
      await this.audit(claims.sub, 'oauth.consent.denied', ctx, { clientId: client.clientId, scope: request.scope, ...resourceOf(request) });
      return { redirectTo: await this.refuse(request, claims.sub, 'access_denied', 'The user denied the request', ctx, false) };
    }
    // A decision is only taken on a sign-in the request accepts (prompt=login, max_age).
    if (this.mustSignInAgain(request, session)) throw Errors.reauthRequired();
    if (client.requireConsent) {
      await this.consents.grant(claims.sub, client.clientId, request.scope, this.clock.now());
      await this.audit(claims.sub, 'oauth.consent.granted', ctx, { clientId: client.clientId, scope: request.scope, ...resourceOf(request) });
    }
    return { redirectTo: await this.issueCode(request, session, ctx, 'approved') };
  }

  // ---- steps ----

  /** The client, its metadata document fetched when due; a document that cannot be used is shown on the page. */
  private async resolveClient(clientId: string, ctx: RequestContext): Promise<OAuthClient | null> {
    try {
      return await this.clients.resolve(clientId, ctx);
    } catch (err) {
      if (err instanceof ClientMetadataError) throw new AuthorizePageError('invalid_client', `The application's metadata document cannot be used: ${err.message}`);
      throw err;
    }
  }

  private async open(handle: string): Promise<{ request: Authorization; client: OAuthClient }> {
    const request = typeof handle === 'string' && handle.length <= 100 ? await this.store.findByHandle(this.tokens.hashToken(handle)) : null;
    // A request answered already (code issued or refused) or expired is gone: the user starts again at the app.
    if (!request || request.codeExpiresAt || request.expiresAt <= this.clock.now()) throw Errors.notFound('Authorization request');
    const client = await this.clients.find(request.clientId);
    if (!client || !client.active) throw Errors.notFound('Authorization request');
    return { request, client };
  }

  /** The web app's own browser session (a first-party token, live). */
  private async browserSession(claims: AccessClaims): Promise<Session> {
    if (claims.client_id) throw Errors.forbidden('Only the account web app answers authorization requests');
    const session = await this.uow.direct.sessions.findById(claims.sid);
    if (!session || session.userId !== claims.sub || !this.sessions.isLive(session)) throw Errors.sessionTerminated();
    return session;
  }

  /** prompt=login: a sign-in after the request began; max_age: a sign-in at most that many seconds ago. */
  private mustSignInAgain(request: Authorization, session: Session): boolean {
    if (request.prompt.includes('login') && session.createdAt < request.createdAt) return true;
    return request.maxAge !== null && this.clock.now().getTime() - session.createdAt.getTime() > request.maxAge * 1000;
  }

  private async needsConsent(request: Authorization, client: OAuthClient, userId: string): Promise<boolean> {
    if (!client.requireConsent) return false;
    if (request.prompt.includes('consent')) return true;
    const remembered = await this.consents.find(userId, client.clientId);
    return !remembered || request.scope.some((s) => !remembered.scopes.includes(s));
  }

  private async issueCode(request: Authorization, session: Session, ctx: RequestContext, how: 'approved' | 'remembered'): Promise<string> {
    const code = this.tokens.opaqueToken();
    const now = this.clock.now();
    const { amr, acr } = assurance(session.aal);
    const issued = await this.store.issueCode(request.id, {
      codeHash: this.tokens.hashToken(code),
      userId: session.userId,
      browserSessionId: session.id,
      scope: request.scope,
      authTime: session.createdAt,
      amr,
      acr,
      codeExpiresAt: new Date(now.getTime() + this.settings.codeTtl * 1000),
    });
    // Two tabs answering the same request: the second finds it answered.
    if (!issued) throw Errors.notFound('Authorization request');
    await this.audit(session.userId, 'oauth.code.issued', ctx, { clientId: request.clientId, scope: request.scope, ...resourceOf(request), sessionId: session.id, consent: how });
    return redirectTo(request.redirectUri, { code, state: request.state, iss: this.settings.issuer });
  }

  /** Ends a request with an error at the client's redirect URI (the request cannot be answered again). */
  private async refuse(request: Authorization, userId: string | null, code: AuthorizeErrorCode, message: string, ctx: RequestContext, audit = true): Promise<string> {
    await this.store.issueCode(request.id, {
      // No code exists: a random hash nobody can present, stamped so the handle is spent.
      codeHash: this.tokens.hashToken(this.tokens.opaqueToken()),
      userId,
      browserSessionId: null,
      scope: [],
      authTime: this.clock.now(),
      amr: [],
      acr: 'none',
      codeExpiresAt: this.clock.now(),
    });
    if (audit) await this.audit(userId, 'oauth.authorization.refused', ctx, { clientId: request.clientId, error: code });
    return this.errorRedirect(request.redirectUri, request.state, code, message);
  }

  private errorRedirect(redirectUri: string, state: string | null, code: AuthorizeErrorCode, message: string): string {
    return redirectTo(redirectUri, { error: code, error_description: safeText(message), state, iss: this.settings.issuer });
  }

  private audit(userId: string | null, type: Parameters<typeof auditEntry>[1], ctx: RequestContext, metadata: Record<string, unknown>): Promise<void> {
    return this.uow.direct.audit.record(auditEntry(userId, type, ctx, metadata));
  }
}

/** RFC 6749 §4.1.2.1: error_description is %x20-21 / %x23-5B / %x5D-7E. */
function safeText(s: string): string {
  return s.replace(/[^\x20-\x21\x23-\x5B\x5D-\x7E]/g, '?').slice(0, 300);
}
