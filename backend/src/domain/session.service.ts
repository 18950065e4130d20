// Per-device sessions: creation with LRU eviction, listing, revocation. A session is the unit a refresh
// token and every access token (claim `sid`) belong to; revoking it ends both at once.
import { voidOutstandingTokens } from './account-tokens';
import { auditEntry } from './audit';
import { Errors } from './errors';
import type { Clock, RevocationStore, TokenGenerator, UnitOfWork, UserAgentParser, Repositories } from './ports';
import type { ActiveSession, AuditEventType, RequestContext, RevokeReason, Session, User } from './types';
import type { NewDeviceAlerts } from './new-device-alerts';
import { NOWHERE, type SignInLocations } from './sign-in-locations';

/** config.sessions: REFRESH_TOKEN_TTL, SESSION_IDLE_TTL, MAX_SESSIONS_PER_USER. */
export interface SessionSettings {
  refreshTokenTtl: number;
  idleTtl: number;
  maxPerUser: number;
}

/** An OAuth session: the client it is bound to, the scopes granted, the client's refresh lifetime. */
export interface SessionClient {
  clientId: string;
  scope: string[];
  /** RFC 8707: the resource its access tokens are for; null/absent = our own audience. */
  resource?: string | null;
  /** Seconds; null = REFRESH_TOKEN_TTL. */
  refreshTokenTtl: number | null;
}

export interface CreatedSession {
  session: Session;
  refreshToken: string;
}

/** Longest session name ("Work laptop") a user may set; longer input is a validation error, not cut. */
export const SESSION_NAME_MAX = 64;

export class SessionService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly revocations: RevocationStore,
    private readonly tokens: TokenGenerator,
    private readonly userAgents: UserAgentParser,
    private readonly clock: Clock,
    private readonly settings: SessionSettings,
    /** Mails the owner about sign-ins from devices the account has not used before (none in some unit tests). */
    private readonly newDevices: NewDeviceAlerts | null = null,
    /** Where sign-ins come from and the anomaly signals on it (issue 33; none in some unit tests). */
    private readonly locations: SignInLocations | null = null,
  ) {}

  /**
   * Opens a session (and records `login.succeeded`) in one transaction. Beyond MAX_SESSIONS_PER_USER the
   * least recently used live sessions are revoked first.
   */
  async create(
    user: User,
    /** parentSessionId: the browser session an authorization code was approved in; this session ends with it. */
    input: { aal: number; deviceName: string | null; method: string; client?: SessionClient; amr?: string[]; parentSessionId?: string },
    ctx: RequestContext,
  ): Promise<CreatedSession> {
    const now = this.clock.now();
    const refreshToken = this.tokens.opaqueToken();
    const lifetime = input.client?.refreshTokenTtl ?? this.settings.refreshTokenTtl;
    const expiresAt = new Date(now.getTime() + lifetime * 1000);
    const device = this.userAgents.parse(ctx.userAgent);
    // A code exchange comes from the client's server, not the user's device: it has no place of its own.
    const location = input.parentSessionId ? null : (this.locations?.locate(ctx.ipAddress) ?? null);
    const evicted: string[] = [];
    const session = await this.uow.run(async (r) => {
      // An app's session (code flow) evicts no device: it is bounded by, and ends with, its parent.
      const live = input.parentSessionId ? [] : await r.sessions.listActive(user.id, now);
      const excess = live.length - this.settings.maxPerUser + 1;
      if (excess > 0) {
        // listActive is newest first: the tail holds the least recently used sessions.
        for (const old of live.slice(-excess)) {
          evicted.push(...(await r.sessions.revoke({ sessionId: old.id }, 'session_limit', now)));
        }
      }
      const created = await r.sessions.create({
        id: this.tokens.uuid(),
        userId: user.id,
        refreshTokenHash: this.tokens.hashToken(refreshToken),
        userAgent: ctx.userAgent,
        ipAddress: ctx.ipAddress,
        deviceName: input.deviceName,
        ...device,
        ...(location ? { countryCode: location.countryCode, city: location.city, region: location.region } : {}),
        aal: input.aal,
        createdAt: now,
        lastActiveAt: now,
        expiresAt,
        idleExpiresAt: this.idleExpiry(now, expiresAt),
        clientId: input.client?.clientId ?? null,
        scope: input.client ? input.client.scope.join(' ') : null,
        resource: input.client?.resource ?? null,
        parentSessionId: input.parentSessionId ?? null,
      });
      // The user's last sign-in (issue 28): a code exchange is the client's, not a sign-in of the user.
      if (!input.parentSessionId) await r.users.recordLogin(user.id, now);
      const clientMeta = input.client ? { clientId: input.client.clientId } : {};
      // A code exchange is no sign-in of a device (the client's server calls; the browser signed in already).
      const place = input.parentSessionId ? NOWHERE : ((await this.locations?.onSignIn(r, user.id, created.id, location, ctx)) ?? NOWHERE);
      const newDevice = input.parentSessionId ? false : ((await this.newDevices?.onSignIn(r, user, created.id, ctx, place)) ?? false);
      const where = location ? { country: location.countryCode, ...(place.newCountry ? { newCountry: true } : {}) } : {};
      await r.audit.record(auditEntry(user.id, 'login.succeeded', ctx, { sessionId: created.id, aal: input.aal, method: input.method, ...(input.amr ? { amr: input.amr } : {}), evictedSessions: evicted.length, ...clientMeta, ...where, ...(newDevice ? { newDevice } : {}) }));
      return created;
    });
    if (evicted.length) await this.revocations.revoke(evicted);
    return { session, refreshToken };
  }

  /** GEO_NEW_COUNTRY_REQUIRES_2FA is on and this sign-in comes from a country the account never used. */
  newCountryRequiresSecondFactor(userId: string, ctx: RequestContext): Promise<boolean> {
    return this.locations?.requiresSecondFactor(this.uow.direct, userId, ctx) ?? Promise.resolve(false);
  }

  /** Why a session ended (null while it is live or unknown): the forced-logout push tells the page. */
  async revocationReason(sessionId: string): Promise<string | null> {
    return (await this.uow.direct.sessions.findById(sessionId))?.revokedReason ?? null;
  }

  idleDeadline(now: Date): Date {
    return new Date(now.getTime() + this.settings.idleTtl * 1000);
  }

  private idleExpiry(now: Date, absoluteExpiry: Date): Date {
    return new Date(Math.min(this.idleDeadline(now).getTime(), absoluteExpiry.getTime()));
  }

  listActive(userId: string): Promise<ActiveSession[]> {
    return this.uow.direct.sessions.listActive(userId, this.clock.now());
  }

  /**
   * Names one of the caller's live sessions; a blank name clears it. Surrounding white space is dropped and
   * control characters are refused (the name is shown in lists). Another user's session is NOT_FOUND.
   */
  async rename(userId: string, sessionId: string, input: string | null): Promise<Session> {
    const name = (input ?? '').normalize('NFC').trim();
    if ([...name].length > SESSION_NAME_MAX) throw Errors.validation([{ field: 'name', message: `name must be at most ${SESSION_NAME_MAX} characters` }]);
    if (/\p{Cc}/u.test(name)) throw Errors.validation([{ field: 'name', message: 'name must not contain control characters' }]);
    const now = this.clock.now();
    const session = await this.uow.direct.sessions.rename(userId, sessionId, name || null, now);
    if (!session) throw Errors.notFound('Session');
    return session;
  }

  /** Revokes one of the caller's sessions; another user's session is NOT_FOUND, never FORBIDDEN. */
  async revokeOne(userId: string, sessionId: string, ctx: RequestContext): Promise<void> {
    const revoked = await this.revokeWhere(
      async (r) => {
        const session = await r.sessions.findById(sessionId);
        if (!session || session.userId !== userId || !this.isLive(session)) throw Errors.notFound('Session');
        return r.sessions.revoke({ sessionId, userId }, 'revoked_by_user', this.clock.now());
      },
      { userId, type: 'session.revoked', ctx, metadata: { sessionId } },
    );
    if (revoked.length === 0) throw Errors.notFound('Session');
  }

  /**
   * Revokes every live session of the user except `keepSessionId` (when given). Returns how many. Every
   * caller is a "sign out everywhere" (the user's, or an admin's forced logout): the mailed links go too, so
   * a pending change of address or a reset link an intruder asked for cannot outlive it.
   */
  async revokeAll(
    userId: string,
    reason: RevokeReason,
    audit: { type: AuditEventType; ctx: RequestContext; actorId?: string },
    keepSessionId?: string,
  ): Promise<number> {
    const revoked = await this.revokeWhere(
      (r) => r.sessions.revoke({ userId, exceptSessionId: keepSessionId }, reason, this.clock.now()),
      { userId, type: audit.type, ctx: audit.ctx, metadata: { reason, ...(audit.actorId ? { actorId: audit.actorId } : {}) } },
      async (r) => {
        await voidOutstandingTokens(r, userId, 'sessions_revoked', audit.ctx);
      },
    );
    return revoked.length;
  }

  /**
   * Runs a revocation and its audit event in one transaction, then updates the in-process revocation
   * view (and other instances) so access tokens of those sessions fail at once.
   */
  async revokeWhere(
    revoke: (r: Repositories) => Promise<string[]>,
    audit: { userId: string; type: AuditEventType; ctx: RequestContext; metadata?: Record<string, unknown> },
    extra?: (r: Repositories, revoked: string[]) => Promise<void>,
  ): Promise<string[]> {
    const revoked = await this.uow.run(async (r) => {
      const ids = await revoke(r);
      await r.audit.record(auditEntry(audit.userId, audit.type, audit.ctx, { ...audit.metadata, sessionIds: ids, count: ids.length }));
      if (extra) await extra(r, ids);
      return ids;
    });
    if (revoked.length) await this.revocations.revoke(revoked);
    return revoked;
  }

  isLive(session: Session, now = this.clock.now()): boolean {
    return !session.revokedAt && session.expiresAt > now && session.idleExpiresAt > now;
  }
}
