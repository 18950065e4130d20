// The Device Authorization Grant (RFC 8628) for CLIs and TVs: the client asks for a device code and a short
// user code (§3.1-3.2), the user enters the user code on the account web app's /device page, signed in, and
// approves or denies what the client asked for (§3.3); meanwhile the client polls the token endpoint (§3.4-3.5)
// and gets authorization_pending, slow_down (polled faster than the interval: it grows by 5 s), access_denied,
// expired_token, or its tokens, issued once, through the code flow's issuing (CodeGrantService.issueSession).
import { auditEntry } from '../audit';
import { Errors } from '../errors';
import type { Clock, TokenGenerator, UnitOfWork } from '../ports';
import type { SessionService } from '../session.service';
import type { AccessClaims, AuditEventType, RequestContext, Session } from '../types';
import type { OAuthClientService } from './client.service';
import type { CodeGrantService } from './code-grant.service';
import type { DeviceAuthorization } from './device.types';
import { OAuthError } from './errors';
import type { ConsentStore, DeviceAuthorizationStore } from './ports';
import { requestedResource } from './resources';
import { parseScope } from './scopes';
import type { IssuedTokens } from './token.service';
import { DEVICE_CODE_GRANT, type AuthenticatedClient, type OAuthClient } from './types';

export interface DeviceGrantSettings {
  issuer: string;
  /** OAUTH_RESOURCES (RFC 8707). */
  resources: readonly string[];
  /** Seconds a device code lives (expires_in). */
  codeTtl: number;
  /** Seconds between polls at first (interval). */
  interval: number;
}

/**
 * RFC 8628 §6.1: 20 consonants (no vowels: no words; none of them easily mistaken for another) and 8 of them,
 * 20^8 ≈ 2^34.6 codes; with the per-user limit on entering codes, guessing a live one is hopeless.
 */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
const USER_CODE_LENGTH = 8;
/** RFC 8628 §3.5: each slow_down adds 5 seconds to the interval. */
const SLOW_DOWN_STEP = 5;

/** What the client is told (RFC 8628 §3.2). */
export interface DeviceCodeIssue {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string;
  expiresIn: number;
  interval: number;
}

/** What /device shows the signed-in user before they decide. */
export interface DeviceRequestView {
  client: { clientId: string; name: string; clientUri: string | null; logoUri: string | null; host: string | null };
  scopes: string[];
  resource: string | null;
}

/** The code as typed (any case, with or without the hyphen and spaces) as the 8 letters it names; null if it cannot be one. */
export function normalizeUserCode(input: string): string | null {
  const code = input.toUpperCase().replace(/[\s-]/g, '');
  if (code.length !== USER_CODE_LENGTH || [...code].some((c) => !USER_CODE_ALPHABET.includes(c))) return null;
  return code;
}

export class DeviceGrantService {
  constructor(
    private readonly store: DeviceAuthorizationStore,
    private readonly consents: ConsentStore,
    private readonly clients: OAuthClientService,
    private readonly codeGrant: CodeGrantService,
    private readonly sessions: SessionService,
    private readonly uow: UnitOfWork,
    private readonly tokens: TokenGenerator,
    private readonly clock: Clock,
    private readonly settings: DeviceGrantSettings,
  ) {}

  /** RFC 8628 §3.1-3.2: scope and resource checked as on /oauth/authorize; the client must have the grant. */
  async authorize({ client }: AuthenticatedClient, input: { scope: string | null; resource: readonly string[] }, ctx: RequestContext): Promise<DeviceCodeIssue> {
    this.clients.assertGrantAllowed(client, DEVICE_CODE_GRANT);
    const scope = this.clients.grantScopes(client, input.scope === null ? null : parseScope(input.scope), true);
    const resource = requestedResource(input.resource, this.settings.resources);
    const deviceCode = this.tokens.opaqueToken();
    const userCode = this.userCode();
    const now = this.clock.now();
    const id = this.tokens.uuid();
    await this.store.create({
      id,
      clientId: client.clientId,
      scope,
      resource,
      interval: this.settings.interval,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.settings.codeTtl * 1000),
      deviceCodeHash: this.tokens.hashToken(deviceCode),
      userCodeHash: this.tokens.hashToken(userCode),
    });
    await this.audit(null, 'oauth.device.requested', ctx, { clientId: client.clientId, scope, ...(resource ? { resource } : {}), deviceAuthorizationId: id });
    const shown = `${userCode.slice(0, 4)}-${userCode.slice(4)}`;
    const page = `${this.settings.issuer.replace(/\/+$/, '')}/device`;
    return {
      deviceCode,
      userCode: shown,
      verificationUri: page,
      verificationUriComplete: `${page}?user_code=${shown}`,
      expiresIn: this.settings.codeTtl,
      interval: this.settings.interval,
    };
  }

  /** What the user is asked to approve; a code that names no pending request is refused (and recorded). */
  async lookup(userCode: string, claims: AccessClaims, ctx: RequestContext): Promise<DeviceRequestView> {
    await this.browserSession(claims);
    const { request, client } = await this.open(userCode, claims, ctx);
    return {
      client: { clientId: client.clientId, name: client.name, clientUri: client.clientUri, logoUri: client.logoUri, host: client.registration === 'metadata_document' ? new URL(client.clientId).hostname : null },
      scopes: request.scope,
      resource: request.resource,
    };
  }

  /** RFC 8628 §3.3: the user's answer. Approving remembers the consent (Connected apps lists the client). */
  async decide(userCode: string, claims: AccessClaims, approve: boolean, ctx: RequestContext): Promise<{ approved: boolean }> {
    const session = await this.browserSession(claims);
    const { request, client } = await this.open(userCode, claims, ctx);
    const now = this.clock.now();
    const decided = await this.store.decide(request.id, { status: approve ? 'approved' : 'denied', userId: claims.sub, browserSessionId: session.id, decidedAt: now });
    // Two tabs answering the same code: the second finds it answered.
    if (!decided) throw Errors.notFound('Device code');
    const meta = { clientId: client.clientId, scope: request.scope, ...(request.resource ? { resource: request.resource } : {}), deviceAuthorizationId: request.id };
    if (approve) {
      await this.consents.grant(claims.sub, client.clientId, request.scope, now);
      await this.audit(claims.sub, 'oauth.device.approved', ctx, { ...meta, sessionId: session.id });
    } else {
      await this.audit(claims.sub, 'oauth.device.denied', ctx, meta);
    }
    return { approved: approve };
  }

  /** RFC 8628 §3.4-3.5: the token request with grant_type urn:ietf:params:oauth:grant-type:device_code. */
  async poll({ client }: AuthenticatedClient, deviceCode: string, ctx: RequestContext): Promise<IssuedTokens> {
    this.clients.assertGrantAllowed(client, DEVICE_CODE_GRANT);
    const request = deviceCode.length <= 200 ? await this.store.findByDeviceCode(this.tokens.hashToken(deviceCode)) : null;
    if (!request || request.clientId !== client.clientId) throw invalidGrant('The device code is invalid');
    const now = this.clock.now();
    if (request.status === 'consumed') {
      await this.replayed(request, ctx);
      throw invalidGrant('The device code was used already');
    }
    if (request.expiresAt <= now) throw new OAuthError('expired_token', 'The device code has expired: start again');
    if (request.status === 'denied') throw new OAuthError('access_denied', 'The user denied the request');
    if (request.status === 'pending') {
      const tooSoon = request.lastPolledAt !== null && now.getTime() - request.lastPolledAt.getTime() < request.interval * 1000;
      const interval = tooSoon ? request.interval + SLOW_DOWN_STEP : request.interval;
      await this.store.recordPoll(request.id, now, interval);
      if (tooSoon) throw new OAuthError('slow_down', `Polled too often: wait ${interval} seconds between requests`);
      throw new OAuthError('authorization_pending', 'The user has not answered yet');
    }
    if (!(await this.store.consume(request.id))) throw invalidGrant('The device code was used already');
    const parent = request.browserSessionId ? await this.uow.direct.sessions.findById(request.browserSessionId) : null;
    if (!parent || !this.sessions.isLive(parent, now)) throw invalidGrant('The sign-in that approved this device has ended');
    const user = await this.uow.direct.users.findById(request.userId!);
    if (!user || user.status !== 'active' || user.deletedAt) throw invalidGrant('The account is not active');
    const { accessToken, ttl, refreshToken } = await this.codeGrant.issueSession(client, user, parent, { scope: request.scope, resource: request.resource, method: 'device_code' }, ctx, async (s) => {
      await this.store.setIssuedSession(request.id, s.id);
      return true;
    });
    return { accessToken, expiresIn: ttl, refreshToken: this.codeGrant.mayRefresh(client, request.scope) ? refreshToken : null, scope: request.scope };
  }

  // ---- steps ----

  /** 8 letters of the alphabet from a 256-bit random token, by rejection (60 = 3 × 20 of 64 values: no bias). */
  private userCode(): string {
    const digits = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    let code = '';
    while (code.length < USER_CODE_LENGTH) {
      for (const c of this.tokens.opaqueToken()) {
        const v = digits.indexOf(c);
        if (v >= 0 && v < 60) code += USER_CODE_ALPHABET[v % 20];
        if (code.length === USER_CODE_LENGTH) break;
      }
    }
    return code;
  }

  private async open(userCode: string, claims: AccessClaims, ctx: RequestContext): Promise<{ request: DeviceAuthorization; client: OAuthClient }> {
    const code = typeof userCode === 'string' ? normalizeUserCode(userCode) : null;
    const request = code ? await this.store.findByUserCode(this.tokens.hashToken(code)) : null;
    const client = request && request.status === 'pending' && request.expiresAt > this.clock.now() ? await this.clients.find(request.clientId) : null;
    if (!request || !client || !client.active) {
      await this.audit(claims.sub, 'oauth.device.code_refused', ctx, {});
      throw Errors.notFound('Device code');
    }
    return { request, client };
  }

  /** The web app's own browser session (a first-party token, live), as for the consent screen. */
  private async browserSession(claims: AccessClaims): Promise<Session> {
    if (claims.client_id) throw Errors.forbidden('Only the account web app answers device requests');
    const session = await this.uow.direct.sessions.findById(claims.sid);
    if (!session || session.userId !== claims.sub || !this.sessions.isLive(session)) throw Errors.sessionTerminated();
    return session;
  }

  /** A device code presented after its tokens were issued may have leaked: its tokens end (as a code's do). */
  private async replayed(request: DeviceAuthorization, ctx: RequestContext): Promise<void> {
    await this.audit(request.userId, 'oauth.device.replayed', ctx, { clientId: request.clientId, deviceAuthorizationId: request.id, sessionId: request.issuedSessionId });
    if (!request.issuedSessionId) return;
    const session = await this.uow.direct.sessions.findById(request.issuedSessionId);
    if (session && !session.revokedAt) await this.codeGrant.endReplayed(session, ctx, request.clientId, 'device_code_replayed');
  }

  private audit(userId: string | null, type: AuditEventType, ctx: RequestContext, metadata: Record<string, unknown>): Promise<void> {
    return this.uow.direct.audit.record(auditEntry(userId, type, ctx, metadata));
  }
}

const invalidGrant = (message: string) => new OAuthError('invalid_grant', message);
