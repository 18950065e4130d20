// Registration, password login (with the optional second step), refresh-token rotation, logout and
// access-token authentication. Revocation is checked against an in-process view, not the database.
import type { RoleService } from './roles/role.service';
import { auditEntry } from './audit';
import { canonicalEmail, normalizeEmail } from './email';
import { DomainError, Errors } from './errors';
import type { EmailVerification } from './email-verification';
import { LockoutPolicy } from './lockout';
import { normalizePassword, PasswordPolicy } from './password-policy';
import type {
  AccessTokenSigner,
  Clock,
  PasswordHasher,
  RevocationStore,
  TokenGenerator,
  UnitOfWork,
} from './ports';
import { SessionService, type SessionClient } from './session.service';
import { forgetTrustedDevices, type TrustedDeviceService } from './trusted-devices';
import { voidOutstandingTokens } from './account-tokens';
import type { TwoFactorSettings } from './two-factor.service';
import type { SecondFactor, SecondFactorVerifier } from './two-factor.ports';
import type { PasskeyFactor } from './passkeys/passkey.service';
import { isBarred, isClientToken, type AccessClaims, type RequestContext, type Session, type SessionOwner, type TokenPair, type User } from './types';

/** Slices of config.accounts, config.tokens and config.twoFactor. */
export interface AuthSettings {
  accounts: { registrationMode: 'open' | 'approval'; requireEmailVerification: boolean };
  tokens: {
    accessTokenTtl: number;
    /**
     * Seconds after a rotation during which the token just replaced may be presented again and gets the same
     * successor (concurrent tabs, a response lost after the commit). 0 = strict single use.
     */
    refreshReuseGraceSeconds: number;
    /** Most permissions a token carries; above it the `permissions` claim is left out (docs/roles.md). */
    permissionsMax: number;
  };
  twoFactor: Pick<TwoFactorSettings, 'challengeTtl' | 'challengeMaxAttempts'>;
}

export interface MfaRequired {
  mfaRequired: true;
  mfaToken: string;
  /** `passkey` is added when the account has a passkey (docs/passkeys.md). */
  methods: ('totp' | 'backup_code' | 'passkey')[];
}

/** The second step's answer: a TOTP or backup code, or a passkey assertion (WebAuthn response JSON). */
export type LoginSecondFactor = SecondFactor | { passkey: unknown };

export type LoginResult = TokenPair | MfaRequired;

/** OAuth password grant: the session is bound to the client, with its scopes and lifetimes. */
export interface LoginClient extends SessionClient {
  /** Seconds; null = ACCESS_TOKEN_TTL. */
  accessTokenTtl: number | null;
}

/** The access token of an OAuth session: scopes, lifetime, and the resource it is for (RFC 8707 `aud`). */
interface OAuthTokenShape {
  accessTokenTtl: number | null;
  scope: string[];
  resource?: string | null;
}

/** OAuth refresh grant: only a session of this client rotates; the new access token's scopes and lifetime. */
export interface RefreshClient {
  clientId: string;
  accessTokenTtl: number | null;
  /** From the session's granted scopes to this token's (keep or narrow; see OAuthTokenService). */
  scopeFor: (granted: string[]) => string[];
}

export class AuthService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly sessions: SessionService,
    private readonly lockout: LockoutPolicy,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
    private readonly signer: AccessTokenSigner,
    private readonly revocations: RevocationStore,
    private readonly tokens: TokenGenerator,
    private readonly secondFactor: SecondFactorVerifier,
    private readonly clock: Clock,
    private readonly settings: AuthSettings,
    private readonly trustedDevices: TrustedDeviceService,
    private readonly verification: EmailVerification | null = null,
    /** Passwordless sign-in and the passkey second factor (none in some unit tests). */
    private readonly passkeys: PasskeyFactor | null = null,
    /** Roles and permissions for first-party tokens (issue 28); none: tokens carry `role` only. */
    private readonly roles: Pick<RoleService, 'accessFor'> | null = null,
  ) {}

  async register(
    input: { email: string; password: string; username: string | null },
    ctx: RequestContext,
  ): Promise<User> {
    const problems = this.policy.check(input.password);
    if (problems.length) throw Errors.validation(problems);
    const email = canonicalEmail(input.email);
    if (!email) throw Errors.validation([{ field: 'email', message: 'email must be a valid email address' }]);
    const passwordHash = await this.hasher.hash(input.password);
    const status = this.settings.accounts.registrationMode === 'approval' ? 'pending' : 'active';
    return this.uow.run(async (r) => {
      const user = await r.users.create({ id: this.tokens.uuid(), email, username: input.username, passwordHash, role: 'user', status });
      await r.audit.record(auditEntry(user.id, 'user.registered', ctx, { status }));
      await this.verification?.queue(r, user.id, user.email);
      return user;
    });
  }

  async login(
    /** trustedDeviceToken: from "remember this device" on this device; skips the second factor while live. */
    input: { email: string; password: string; deviceName: string | null; trustedDeviceToken?: string | null },
    ctx: RequestContext,
    client?: LoginClient,
  ): Promise<LoginResult> {
    const user = await this.verifyPassword(input.email, input.password, ctx);
    if (user.twoFactorEnabled) {
      // The OAuth password grant has no second step: refuse before any challenge is created.
      if (client) throw Errors.mfaRequiredElsewhere();
      // A remembered device stands in for the code (the password was just checked): the session counts as
      // two-factor, as the device proved the factor when it was remembered (docs/two-factor.md).
      const device = await this.trustedDevices.recognise(user.id, input.trustedDeviceToken ?? null);
      // GEO_NEW_COUNTRY_REQUIRES_2FA: from a country the account never used, the device does not stand in (issue 33).
      if (!device || (await this.sessions.newCountryRequiresSecondFactor(user.id, ctx))) return this.startMfaChallenge(user, input.deviceName, ctx);
      await this.lockout.recordSuccess(user);
      const pair = await this.openSession(user, 2, input.deviceName ?? device.deviceName, 'trusted_device', ctx);
      await this.trustedDevices.used(device, pair.sessionId);
      return pair;
    }
    await this.lockout.recordSuccess(user);
    return this.openSession(user, 1, input.deviceName, 'password', ctx, client);
  }

  /**
   * Checks email + password with lockout and account status. Unknown emails cost one dummy bcrypt
   * comparison, like known ones, and fail with the same INVALID_CREDENTIALS.
   */
  async verifyPassword(emailInput: string, password: string, ctx: RequestContext): Promise<User> {
    const user = await this.uow.direct.users.findByEmail(normalizeEmail(emailInput));
    // A deleted account's tombstone is nobody's account: it answers like an unknown email.
    if (!user || user.deletedAt) {
      await this.hasher.verifyDummy(password, ctx.signal);
      await this.uow.direct.audit.record(auditEntry(null, 'login.failed', ctx, { reason: 'unknown_account' }));
      throw Errors.invalidCredentials();
    }
    this.lockout.assertNotLocked(user);
    // An abandoned login (ctx.signal) whose compare never ran rejects here: no failure, no success, no audit.
    if (!(await this.hasher.verify(password, user.passwordHash, ctx.signal))) {
      await this.lockout.recordFailure(user, 'password', ctx);
      throw Errors.invalidCredentials();
    }
    // Parallel attempts may have locked the account while bcrypt ran on a stale read: re-check on fresh
    // state, or a burst of guesses would get past LOGIN_MAX_FAILURES (and recordSuccess see old counters).
    const current = await this.uow.direct.users.findById(user.id);
    if (!current) throw Errors.invalidCredentials();
    this.lockout.assertNotLocked(current);
    // Status is revealed only to someone who knows the password.
    if (current.status === 'pending') throw Errors.accountPending();
    if (isBarred(current.status)) throw Errors.accountDisabled();
    if (this.settings.accounts.requireEmailVerification && !current.emailVerified) throw Errors.emailNotVerified();
    return current;
  }

  private async startMfaChallenge(user: User, deviceName: string | null, ctx: RequestContext): Promise<MfaRequired> {
    const mfaToken = this.tokens.opaqueToken();
    const now = this.clock.now();
    await this.uow.direct.mfaChallenges.create({
      id: this.tokens.uuid(),
      userId: user.id,
      tokenHash: this.tokens.hashToken(mfaToken),
      ipAddress: ctx.ipAddress,
      userAgent: ctx.userAgent,
      deviceName,
      expiresAt: new Date(now.getTime() + this.settings.twoFactor.challengeTtl * 1000),
    });
    const passkey = (await this.passkeys?.hasPasskeys(user.id)) ?? false;
    return { mfaRequired: true, mfaToken, methods: passkey ? ['totp', 'backup_code', 'passkey'] : ['totp', 'backup_code'] };
  }

  /**
   * Passwordless sign-in with a discoverable passkey (user verification required): a full-strength session
   * (aal 2, amr hwk/swk) on the same path as a password sign-in (session limit, new-device alert,
   * `login.succeeded`). No second factor is asked: the passkey is possession and the verified user both.
   * A password lockout does not block it (the lockout is against password guessing, which a passkey is not).
   */
  async loginWithPasskey(response: unknown, input: { deviceName: string | null }, ctx: RequestContext): Promise<TokenPair> {
    if (!this.passkeys) throw Errors.passkeyInvalid();
    const { user, amr } = await this.passkeys.verifySignIn(response, ctx);
    if (user.status === 'pending') throw Errors.accountPending();
    if (isBarred(user.status)) throw Errors.accountDisabled();
    if (this.settings.accounts.requireEmailVerification && !user.emailVerified) throw Errors.emailNotVerified();
    return this.openSession(user, 2, input.deviceName, 'passkey', ctx, undefined, [amr]);
  }

  /**
   * A sign-in through an upstream OpenID Connect provider (FederationService matched the link): a normal
   * session on the password sign-in's path (session limit, new-device alert, `login.succeeded` with method
   * `federated`), recorded as `login.federated` with the provider. The upstream stands in for the password
   * only: an account with 2FA still answers its second factor (the same MFA challenge as after a password).
   */
  async loginFederated(user: User, input: { provider: string; amr: string[]; deviceName: string | null }, ctx: RequestContext): Promise<LoginResult> {
    if (user.status === 'pending') throw Errors.accountPending();
    if (isBarred(user.status)) throw Errors.accountDisabled();
    if (this.settings.accounts.requireEmailVerification && !user.emailVerified) throw Errors.emailNotVerified();
    const upstreamAmr = input.amr.length ? { upstreamAmr: input.amr } : {};
    if (user.twoFactorEnabled) {
      await this.uow.direct.audit.record(auditEntry(user.id, 'login.federated', ctx, { provider: input.provider, mfaRequired: true, ...upstreamAmr }));
      return this.startMfaChallenge(user, input.deviceName, ctx);
    }
    const pair = await this.openSession(user, 1, input.deviceName, 'federated', ctx);
    await this.uow.direct.audit.record(auditEntry(user.id, 'login.federated', ctx, { provider: input.provider, sessionId: pair.sessionId, ...upstreamAmr }));
    return pair;
  }

  /** WebAuthn options for the passkey second factor of a live MFA challenge (the user's passkeys only). */
  async passkeySecondFactorOptions(mfaToken: string): Promise<Record<string, unknown>> {
    const { challenge } = await this.liveMfaChallenge(mfaToken);
    if (!this.passkeys) throw Errors.passkeyInvalid();
    return this.passkeys.secondFactorOptions(challenge.userId, challenge.id);
  }

  private async liveMfaChallenge(mfaToken: string) {
    const now = this.clock.now();
    const challenge = await this.uow.direct.mfaChallenges.findByTokenHash(this.tokens.hashToken(mfaToken));
    if (!challenge || challenge.consumedAt || challenge.expiresAt <= now || challenge.attempts >= this.settings.twoFactor.challengeMaxAttempts) {
      throw Errors.invalidToken('MFA token is invalid or expired');
    }
    const user = await this.uow.direct.users.findById(challenge.userId);
    if (!user || !user.twoFactorEnabled) throw Errors.invalidToken('MFA token is invalid or expired');
    return { challenge, user };
  }

  /** Second login step: the mfaToken is bound to one user, short-lived, and consumed on success. */
  async completeMfaLogin(
    mfaToken: string,
    factor: LoginSecondFactor,
    ctx: RequestContext,
    /** rememberDevice: also return a trusted-device token for this device (null when TRUSTED_DEVICE_TTL is 0). */
    opts: { rememberDevice?: boolean } = {},
  ): Promise<TokenPair & { trustedDevice?: { token: string; expiresAt: Date } | null }> {
    const { challenge, user } = await this.liveMfaChallenge(mfaToken);
    this.lockout.assertNotLocked(user);
    if (user.status !== 'active') throw user.status === 'pending' ? Errors.accountPending() : Errors.accountDisabled();
    let method: 'totp' | 'backup_code' | 'passkey';
    let amr: string[] | undefined;
    try {
      if ('passkey' in factor) {
        if (!this.passkeys) throw Errors.passkeyInvalid();
        amr = ['pwd', await this.passkeys.verifySecondFactor(user, challenge.id, factor.passkey, ctx)];
        method = 'passkey';
      } else {
        method = await this.secondFactor.verifySecondFactor(user, factor, ctx);
      }
    } catch (err) {
      // A failed passkey burns an attempt of the challenge but is no guess at a secret: no lockout count.
      if (err instanceof DomainError && err.code === 'PASSKEY_INVALID') await this.uow.direct.mfaChallenges.recordAttempt(challenge.id);
      if (err instanceof DomainError && err.code === 'MFA_INVALID_CODE') {
        await this.uow.direct.mfaChallenges.recordAttempt(challenge.id);
        await this.lockout.recordFailure(user, 'code' in factor ? 'totp' : 'backup_code', ctx);
      }
      throw err;
    }
    if (!(await this.uow.direct.mfaChallenges.consume(challenge.id, this.clock.now()))) {
      throw Errors.invalidToken('MFA token is invalid or expired');
    }
    await this.lockout.recordSuccess(user);
    const pair = await this.openSession(user, 2, challenge.deviceName, method, ctx, undefined, amr);
    if (!opts.rememberDevice) return pair;
    return { ...pair, trustedDevice: await this.trustedDevices.remember(user, pair.sessionId, challenge.deviceName, ctx) };
  }

  /** `amr`: RFC 8176 methods of a passkey sign-in, in the first access token and `login.succeeded`. */
  private async openSession(user: User, aal: number, deviceName: string | null, method: string, ctx: RequestContext, client?: LoginClient, amr?: string[]): Promise<TokenPair> {
    const { session, refreshToken } = await this.sessions.create(user, { aal, deviceName, method, client, amr }, ctx);
    const pair = await this.tokenPair(user, session, refreshToken, client ? { accessTokenTtl: client.accessTokenTtl, scope: client.scope, resource: client.resource ?? null } : undefined, amr);
    return amr ? { ...pair, amr } : pair;
  }

  /**
   * The access token never outlives its session (absolute or idle expiry): so a session that has ended has
   * no valid token left, and revocation only ever needs to consider live sessions.
   */
  private async tokenPair(
    user: SessionOwner,
    session: Pick<Session, 'id' | 'aal' | 'expiresAt' | 'idleExpiresAt' | 'clientId'>,
    refreshToken: string,
    oauth?: OAuthTokenShape,
    amr?: string[],
  ): Promise<TokenPair> {
    const now = this.clock.now().getTime();
    const sessionLeft = Math.floor((Math.min(session.expiresAt.getTime(), session.idleExpiresAt.getTime()) - now) / 1000);
    const ttl = Math.max(1, Math.min(oauth?.accessTokenTtl ?? this.settings.tokens.accessTokenTtl, sessionLeft));
    const base = { sub: user.id, sid: session.id, role: user.role, aal: session.aal, email: user.email, username: user.username, ...(amr ? { amr } : {}), ...(session.clientId ? {} : await this.accessClaims(user)) };
    const claims = session.clientId && oauth ? { ...base, client_id: session.clientId, scope: oauth.scope.join(' ') } : base;
    // RFC 9068: a token issued to an OAuth client is typed at+jwt and may be for a registered resource.
    const accessToken = session.clientId && oauth ? await this.signer.sign(claims, ttl, { typ: 'at+jwt', audience: oauth.resource ?? null }) : await this.signer.sign(claims, ttl);
    const pair: TokenPair = { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: ttl, sessionId: session.id, user };
    return oauth ? { ...pair, scope: oauth.scope } : pair;
  }

  /**
   * `roles` and, when the set is small enough, `permissions` (docs/roles.md). Only first-party tokens carry
   * them: an OAuth client's token is limited to its scopes, and must not hand the client the user's powers.
   */
  private async accessClaims(user: SessionOwner): Promise<{ roles?: string[]; permissions?: string[] }> {
    if (!this.roles) return {};
    const access = await this.roles.accessFor(user);
    return access.permissions.length <= this.settings.tokens.permissionsMax ? access : { roles: access.roles };
  }

  /**
   * Rotates a refresh token. The compare-and-set in the repository lets exactly one of concurrent calls
   * rotate. The successor is derived from the presented token, so a loser of that race (or a client retrying
   * after a lost response) presenting the immediately previous token within REFRESH_REUSE_GRACE_SECONDS gets
   * the same successor and a fresh access token. Any other rotated token — older ones, the previous one after
   * the window, or after its successor has itself been rotated — is reuse (likely theft): the session is
   * revoked.
   */
  async refresh(refreshToken: string, ctx: RequestContext, client?: RefreshClient): Promise<TokenPair> {
    const now = this.clock.now();
    const oldHash = this.tokens.hashToken(refreshToken);
    const next = this.tokens.successorToken(refreshToken);
    const nextHash = this.tokens.hashToken(next);
    // The repository clamps the new idle expiry to the session's absolute expiry, and rotates only a session
    // bound to this client (none for /api/auth): a token of another client stays untouched and is refused.
    const idleExpiresAt = this.sessions.idleDeadline(now);
    const rotated = await this.uow.direct.sessions.rotate(oldHash, nextHash, now, idleExpiresAt, client?.clientId ?? null);
    const scopeFor = (session: Pick<Session, 'scope' | 'resource'>): OAuthTokenShape | undefined =>
      client
        ? {
            accessTokenTtl: client.accessTokenTtl,
            scope: client.scopeFor(session.scope ? session.scope.split(' ').filter(Boolean) : []),
            // RFC 8707: the session keeps its resource (OAuthTokenService refuses another before rotating).
            resource: session.resource ?? null,
          }
        : undefined;
    if (rotated) {
      const user = rotated.owner;
      if (user.status !== 'active') {
        await this.sessions.revokeWhere((r) => r.sessions.revoke({ sessionId: rotated.id }, 'admin', now), {
          userId: rotated.userId, type: 'session.revoked', ctx, metadata: { reason: 'account_inactive' },
        });
        throw Errors.invalidRefreshToken();
      }
      return this.tokenPair(user, rotated, next, scopeFor(rotated));
    }
    const found = await this.uow.direct.sessions.findByRefreshTokenHash(oldHash);
    if (!found || found.matched === 'current') throw Errors.invalidRefreshToken();
    // The grace replay is only for the client the token was issued to; from anyone else it is reuse.
    const sameClient = found.session.clientId === (client?.clientId ?? null);
    const replay = sameClient ? await this.graceReplay(found.session, nextHash, now) : null;
    if (replay) return this.tokenPair(replay, found.session, next, scopeFor(found.session));
    if (!found.session.revokedAt) {
      await this.sessions.revokeWhere((r) => r.sessions.revoke({ sessionId: found.session.id }, 'refresh_token_reused', now), {
        userId: found.session.userId, type: 'refresh_token.reused', ctx, metadata: { sessionId: found.session.id },
      });
    }
    throw Errors.refreshTokenReused();
  }

  /**
   * The owner, when presenting this (rotated) token is a replay inside the grace window: its successor is
   * still the session's current token (so it is the immediately previous token and the successor has not
   * been used), the rotation happened at most REFRESH_REUSE_GRACE_SECONDS ago (rotation stamps
   * lastActiveAt), and session and account are live. Null means: treat as reuse.
   */
  private async graceReplay(session: Session, successorHash: string, now: Date): Promise<SessionOwner | null> {
    const graceMs = this.settings.tokens.refreshReuseGraceSeconds * 1000;
    if (graceMs <= 0 || session.refreshTokenHash !== successorHash) return null;
    if (!this.sessions.isLive(session, now) || now.getTime() - session.lastActiveAt.getTime() > graceMs) return null;
    const user = await this.uow.direct.users.findById(session.userId);
    if (!user || user.status !== 'active') return null;
    return { id: user.id, email: user.email, username: user.username, role: user.role, status: user.status };
  }

  async logout(claims: AccessClaims, ctx: RequestContext): Promise<void> {
    await this.sessions.revokeWhere(
      (r) => r.sessions.revoke({ sessionId: claims.sid, userId: claims.sub }, 'logout', this.clock.now()),
      { userId: claims.sub, type: 'logout', ctx, metadata: { sessionId: claims.sid } },
    );
    // Even if the row was already revoked, make sure this instance refuses the token from now on.
    await this.revocations.revoke([claims.sid]);
  }

  /**
   * Sign-out with a refresh token alone (the browser's cookie when its access token is missing or expired,
   * issue 22): the session the token names ends, as a logout would. A rotated token names its session too (a
   * tab that lost a refresh race still signs the browser out). Tokens of an OAuth client's session are not
   * honoured (the cookie transport holds first-party tokens only). False when the token names no live session.
   */
  async logoutByRefreshToken(refreshToken: string, ctx: RequestContext): Promise<boolean> {
    const found = await this.uow.direct.sessions.findByRefreshTokenHash(this.tokens.hashToken(refreshToken));
    if (!found || found.session.clientId !== null || !this.sessions.isLive(found.session)) return false;
    const { id: sessionId, userId } = found.session;
    const ended = await this.sessions.revokeWhere(
      (r) => r.sessions.revoke({ sessionId, userId }, 'logout', this.clock.now()),
      { userId, type: 'logout', ctx, metadata: { sessionId, via: 'refresh_token' } },
    );
    return ended.length > 0;
  }

  async logoutAll(claims: AccessClaims, ctx: RequestContext): Promise<number> {
    return this.sessions.revokeAll(claims.sub, 'logout_all', { type: 'logout', ctx });
  }

  /** Verifies an access token: signature, iss, aud, exp, then the in-memory revocation view. */
  authenticate(accessToken: string): AccessClaims {
    const claims = this.signer.verify(accessToken);
    // A client_credentials token has a client, not a user, as subject: it never passes as a user's token.
    if (isClientToken(claims)) throw Errors.invalidToken('A client credentials token does not identify a user');
    if (this.revocations.isRevoked(claims.sid)) throw Errors.sessionTerminated();
    return claims;
  }

  async changePassword(
    claims: AccessClaims,
    input: { currentPassword: string; newPassword: string },
    ctx: RequestContext,
  ): Promise<number> {
    const user = await this.uow.direct.users.findById(claims.sub);
    if (!user) throw Errors.sessionTerminated();
    await this.lockout.checkPassword(user, input.currentPassword, ctx, 'change_password');
    await this.lockout.recordSuccess(user);
    const problems = this.policy.check(input.newPassword, 'newPassword');
    if (problems.length) throw Errors.validation(problems);
    if (normalizePassword(input.newPassword) === normalizePassword(input.currentPassword)) {
      throw Errors.validation([{ field: 'newPassword', message: 'New password must differ from the current one' }]);
    }
    const hash = await this.hasher.hash(input.newPassword);
    const now = this.clock.now();
    const revoked = await this.sessions.revokeWhere(
      (r) => r.sessions.revoke({ userId: user.id, exceptSessionId: claims.sid }, 'password_changed', now),
      { userId: user.id, type: 'password.changed', ctx, metadata: { keptSessionId: claims.sid } },
      // A new password forgets every remembered device: whoever learnt the old one may have trusted theirs.
      async (r) => {
        await r.users.updatePassword(user.id, hash, now);
        await forgetTrustedDevices(r, user.id, 'password_changed', ctx);
        // And every mailed link: a pending change of address an intruder requested must not outlive it.
        await voidOutstandingTokens(r, user.id, 'password_changed', ctx);
      },
    );
    return revoked.length;
  }
}
