// TOTP two-factor authentication: enrolment (pending until a first code is verified), backup codes,
// disabling, and the second login step. Every TOTP code is single use: the last accepted time step is kept
// per user and advanced with a compare-and-set (RFC 6238 §5.2). The secret is stored encrypted and shown
// only once, at enrolment; backup codes are stored as salted slow hashes and shown only when generated.
import { auditEntry } from './audit';
import { DomainError, Errors } from './errors';
import type { LockoutPolicy, ReauthContext } from './lockout';
import type { Clock, Repositories, TokenGenerator, UnitOfWork } from './ports';
import type { SessionService } from './session.service';
import { forgetTrustedDevices } from './trusted-devices';
import { voidOutstandingTokens } from './account-tokens';
import { PasskeyService } from './passkeys/passkey.service';
import type { BackupCodeHasher, QrCodeRenderer, RandomSource, SecondFactor, SecondFactorVerifier, SecretCipher, TotpProvider } from './two-factor.ports';
import type { RequestContext, User } from './types';

/** config.twoFactor: TOTP_ISSUER, MFA_CHALLENGE_TTL, MFA_CHALLENGE_MAX_ATTEMPTS, REAUTH_WINDOW_SECONDS. */
export interface TwoFactorSettings {
  /** Shown in authenticator apps (otpauth label prefix and `issuer` parameter). */
  issuer: string;
  /** Seconds an mfaToken from the password step stays usable (AuthService). */
  challengeTtl: number;
  /** Wrong codes allowed against one mfaToken before it is burnt (AuthService). */
  challengeMaxAttempts: number;
  /** Seconds after sign-in during which enrolment may start without the password (0 = password always). */
  reauthWindow: number;
  /** TRUSTED_DEVICE_TTL (TrustedDeviceService). */
  trustedDeviceTtl: number;
}

/**
 * Who starts an enrolment: the password typed again, or (password null) the session it comes from, which
 * must have signed in within REAUTH_WINDOW_SECONDS. A stolen access token alone is not enough to enrol.
 */
export interface EnrolmentReauth {
  password: string | null;
  sessionId: string | null;
}

export interface TotpEnrolment {
  secret: string;
  otpauthUrl: string;
  qrCodeDataUrl: string;
}

export const BACKUP_CODE_COUNT = 10;
/** No 0/o, 1/l/i: nothing to confuse when read from paper. 31 symbols × 10 = 49.5 bits per code. */
export const BACKUP_CODE_ALPHABET = '23456789abcdefghjkmnpqrstuvwxyz';
const BACKUP_CODE_LENGTH = 10;
const BACKUP_CODE_PATTERN = new RegExp(`^[${BACKUP_CODE_ALPHABET}]{${BACKUP_CODE_LENGTH}}$`);
const TOTP_PATTERN = /^\d{6}$/;

/** Canonical form of a backup code as typed: case-insensitive, hyphens and spaces ignored. */
export function normalizeBackupCode(input: string): string | null {
  const code = input.toLowerCase().replace(/[\s-]+/g, '');
  return BACKUP_CODE_PATTERN.test(code) ? code : null;
}

function normalizeTotpCode(input: string): string | null {
  const code = input.replace(/\s+/g, '');
  return TOTP_PATTERN.test(code) ? code : null;
}

export interface TwoFactorStatus {
  enabled: boolean;
  /** Unused backup codes; null while 2FA is off. */
  backupCodesRemaining: number | null;
}

export class TwoFactorService implements SecondFactorVerifier {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly totp: TotpProvider,
    private readonly cipher: SecretCipher,
    private readonly qr: QrCodeRenderer,
    private readonly backupHasher: BackupCodeHasher,
    private readonly tokens: Pick<TokenGenerator, 'uuid'>,
    private readonly random: RandomSource,
    private readonly clock: Clock,
    private readonly settings: TwoFactorSettings,
    /** Ends the sessions that never proved the new factor when enrolment completes (with fan-out). */
    private readonly sessions: SessionService,
    /** Checks the password of re-authentications; wrong passwords and codes count toward the login lockout. */
    private readonly lockout: LockoutPolicy,
  ) {}

  /**
   * Starts enrolment: a new secret is stored (encrypted) as pending, replacing any earlier pending one.
   * 2FA stays off until verify() succeeds. The only time the secret leaves the server. Needs the password
   * (a wrong one counts toward the lockout, as on every re-authentication) unless the session signed in
   * within REAUTH_WINDOW_SECONDS: otherwise a stolen access token could enrol an authenticator of the
   * thief's and lock the owner out.
   */
  async enable(userId: string, reauth: EnrolmentReauth, ctx: RequestContext): Promise<TotpEnrolment> {
    const current = await this.requireUser(this.uow.direct, userId);
    if (current.twoFactorEnabled) throw Errors.mfaAlreadyEnabled();
    if (reauth.password !== null) {
      await this.lockout.checkPassword(current, reauth.password, ctx, '2fa_enable');
      await this.lockout.recordSuccess(current);
    } else {
      await this.assertRecentSignIn(reauth.sessionId);
    }
    const secret = this.totp.generateSecret();
    const user = await this.uow.run(async (r) => {
      const found = await this.requireUser(r, userId);
      if (found.twoFactorEnabled) throw Errors.mfaAlreadyEnabled();
      await r.users.setTotpSecret(userId, this.cipher.encrypt(secret, userId), false);
      return found;
    });
    const otpauthUrl = this.totp.keyUri(user.email, this.settings.issuer, secret);
    const qrCodeDataUrl = await this.qr.toDataUrl(otpauthUrl);
    return { secret, otpauthUrl, qrCodeDataUrl };
  }

  /**
   * Completes enrolment with a first code from the app; returns the backup codes (shown once). The calling
   * session (`sessionId`) has now proved the password and the new factor: it is raised to aal 2. Every other
   * session of the user ends (`two_factor_enabled`): none of them proved the factor, and one may be the
   * intruder the user is locking out. Returns how many ended.
   */
  async verify(userId: string, codeInput: string, ctx: RequestContext, sessionId: string | null = null): Promise<{ backupCodes: string[]; revokedSessions: number }> {
    const user = await this.requireUser(this.uow.direct, userId);
    if (user.twoFactorEnabled) throw Errors.mfaAlreadyEnabled();
    if (!user.totpSecretEncrypted) throw Errors.mfaNotEnabled();
    const pendingSecret = user.totpSecretEncrypted;
    const step = this.matchTotp(user, codeInput);
    if (step === null) throw Errors.mfaInvalidCode();
    const { codes, hashed } = await this.newBackupCodes();
    const now = this.clock.now();
    // One transaction: the factor turns on, this session is raised, the others end, and the single
    // `2fa.enabled` event lists them (sessionIds, count); the revocation view learns of them after commit.
    const revoked = await this.sessions.revokeWhere(
      async (r) => {
        // The compare-and-set comes first: it refuses a replayed step and serialises concurrent verifies.
        if (!(await r.users.advanceTotpStep(userId, step))) throw Errors.mfaInvalidCode();
        const current = await this.requireUser(r, userId);
        if (current.twoFactorEnabled) throw Errors.mfaAlreadyEnabled();
        // enable() was called again meanwhile: the code belongs to a secret that is no longer pending.
        if (current.totpSecretEncrypted !== pendingSecret) throw Errors.mfaInvalidCode();
        await r.users.setTotpSecret(userId, pendingSecret, true);
        await r.backupCodes.replaceAll(userId, hashed);
        if (sessionId) await r.sessions.setAal(sessionId, 2, now);
        return r.sessions.revoke(sessionId ? { userId, exceptSessionId: sessionId } : { userId }, 'two_factor_enabled', now);
      },
      { userId, type: '2fa.enabled', ctx, metadata: { backupCodes: hashed.length, keptSessionId: sessionId } },
      // A 2FA change is a credential change: mailed links (a pending change of address) are voided.
      async (r) => {
        await voidOutstandingTokens(r, userId, '2fa_enabled', ctx);
      },
    );
    return { backupCodes: codes, revokedSessions: revoked.length };
  }

  /** Turns 2FA off: needs the password and a TOTP or backup code. Clears the secret and backup codes. */
  async disable(userId: string, input: { password: string; code: string }, ctx: RequestContext): Promise<void> {
    const user = await this.requireUser(this.uow.direct, userId);
    if (!user.twoFactorEnabled || !user.totpSecretEncrypted) throw Errors.mfaNotEnabled();
    const secondFactor = (await this.reauthenticate(user, input, ctx, '2fa_disable'))!;
    await this.uow.run(async (r) => {
      await secondFactor.commit(r);
      const current = await this.requireUser(r, userId);
      if (!current.twoFactorEnabled) throw Errors.mfaNotEnabled();
      if (secondFactor.method === 'backup_code') {
        await r.audit.record(auditEntry(userId, '2fa.backup_code_used', ctx, { context: 'disable', remaining: 0 }));
      }
      // setTotpSecret leaves totpLastUsedStep as it is (UserRepository adapters): spent steps stay spent.
      await r.users.setTotpSecret(userId, null, false);
      await r.backupCodes.deleteAll(userId);
      await r.audit.record(auditEntry(userId, '2fa.disabled', ctx, { method: secondFactor.method }));
      await forgetTrustedDevices(r, userId, '2fa_disabled', ctx);
      await voidOutstandingTokens(r, userId, '2fa_disabled', ctx);
    });
  }

  /**
   * Re-authentication for a grave step (turning 2FA off, deleting the account): the password and, when 2FA
   * is on, a TOTP or backup code. Wrong ones count toward the lockout. Returns the second factor, to be
   * consumed by `commit` inside the caller's transaction; null when the account has no 2FA.
   */
  async reauthenticate(user: User, input: { password: string; code?: string | null }, ctx: RequestContext, context: ReauthContext): Promise<PreparedFactor | null> {
    if (user.twoFactorEnabled && !input.code) {
      throw Errors.validation([{ field: 'code', message: 'code is required while two-factor authentication is on' }]);
    }
    await this.lockout.checkPassword(user, input.password, ctx, context);
    let secondFactor: PreparedFactor | null = null;
    if (user.twoFactorEnabled && input.code) {
      try {
        secondFactor = await this.prepareFactor(user, input.code);
      } catch (err) {
        if (err instanceof DomainError && err.code === 'MFA_INVALID_CODE') {
          await this.lockout.recordFailure(user, normalizeTotpCode(input.code) !== null ? 'totp' : 'backup_code', ctx, context);
        }
        throw err;
      }
    }
    await this.lockout.recordSuccess(user);
    return secondFactor;
  }

  /** Replaces every backup code (the old ones stop working); needs the password. */
  async regenerateBackupCodes(userId: string, password: string, ctx: RequestContext): Promise<{ backupCodes: string[] }> {
    const user = await this.requireUser(this.uow.direct, userId);
    if (!user.twoFactorEnabled) throw Errors.mfaNotEnabled();
    await this.lockout.checkPassword(user, password, ctx, '2fa_backup_codes');
    await this.lockout.recordSuccess(user);
    const { codes, hashed } = await this.newBackupCodes();
    await this.uow.run(async (r) => {
      const current = await this.requireUser(r, userId);
      if (!current.twoFactorEnabled) throw Errors.mfaNotEnabled();
      await r.backupCodes.replaceAll(userId, hashed);
      await r.audit.record(auditEntry(userId, '2fa.backup_codes_regenerated', ctx, { backupCodes: hashed.length }));
    });
    return { backupCodes: codes };
  }

  /**
   * Recovery for a user who lost both the authenticator and the backup codes: an admin turns 2FA off (after
   * checking the person out of band). The user signs in with the password and can enrol again. Passkeys are
   * second factors too and go with it (docs/passkeys.md): one may be on the device the user lost.
   */
  async adminReset(adminId: string, userId: string, ctx: RequestContext): Promise<void> {
    const user = await this.uow.direct.users.findById(userId);
    if (!user) throw Errors.notFound('User');
    await this.uow.run(async (r) => {
      await r.users.setTotpSecret(userId, null, false);
      await r.backupCodes.deleteAll(userId);
      await r.audit.record(auditEntry(userId, '2fa.disabled', ctx, { method: 'admin_reset', actorId: adminId, wasEnabled: user.twoFactorEnabled }));
      await PasskeyService.removeAll(r, userId, ctx, 'admin_2fa_reset');
      await forgetTrustedDevices(r, userId, 'admin_2fa_reset', ctx);
      await voidOutstandingTokens(r, userId, 'admin_2fa_reset', ctx);
    });
  }

  /** Second login step (called by AuthService.completeMfaLogin, which handles lockout and the challenge). */
  async verifySecondFactor(user: User, factor: SecondFactor, ctx: RequestContext): Promise<'totp' | 'backup_code'> {
    if (!user.twoFactorEnabled || !user.totpSecretEncrypted) throw Errors.mfaInvalidCode();
    const prepared = 'code' in factor ? this.prepareTotp(user, factor.code) : await this.prepareBackupCode(user, factor.backupCode);
    await this.uow.run(async (r) => {
      await prepared.commit(r);
      if (prepared.method === 'backup_code') {
        await r.audit.record(auditEntry(user.id, '2fa.backup_code_used', ctx, { context: 'login', remaining: prepared.remaining }));
      }
    });
    return prepared.method;
  }

  // --- internals -------------------------------------------------------------------------------------------

  /** Enrolment without the password: only from a session that signed in within REAUTH_WINDOW_SECONDS. */
  private async assertRecentSignIn(sessionId: string | null): Promise<void> {
    const windowMs = this.settings.reauthWindow * 1000;
    const session = sessionId && windowMs > 0 ? await this.uow.direct.sessions.findById(sessionId) : null;
    // createdAt is when the password (and the second factor, if any) was given for this session; refresh
    // rotations keep the session and so never make it "recent" again.
    if (!session || this.clock.now().getTime() - session.createdAt.getTime() > windowMs) throw Errors.reauthRequired();
  }

  /** Whether 2FA is on and, when it is, how many unused backup codes are left (the page warns when few are). */
  async status(userId: string): Promise<TwoFactorStatus> {
    const user = await this.requireUser(this.uow.direct, userId);
    if (!user.twoFactorEnabled) return { enabled: false, backupCodesRemaining: null };
    return { enabled: true, backupCodesRemaining: (await this.uow.direct.backupCodes.listUnused(userId)).length };
  }

  private async requireUser(r: Repositories, userId: string): Promise<User> {
    const user = await r.users.findById(userId);
    if (!user) throw Errors.sessionTerminated();
    return user;
  }

  /** The time step the code matches (±1 step, after the last used one), or null. */
  private matchTotp(user: User, codeInput: string): number | null {
    const code = normalizeTotpCode(codeInput);
    if (code === null || !user.totpSecretEncrypted) return null;
    const secret = this.cipher.decrypt(user.totpSecretEncrypted, user.id);
    return this.totp.verify(secret, code, this.clock.now(), user.totpLastUsedStep);
  }

  /** A 6-digit input is a TOTP code; anything else is tried as a backup code. */
  private async prepareFactor(user: User, code: string): Promise<PreparedFactor> {
    return normalizeTotpCode(code) !== null ? this.prepareTotp(user, code) : await this.prepareBackupCode(user, code);
  }

  /**
   * Checks a TOTP code without consuming it; `commit` (inside the caller's transaction) consumes its step
   * with the compare-and-set, so two concurrent uses of one code cannot both succeed.
   */
  private prepareTotp(user: User, code: string): PreparedFactor {
    const step = this.matchTotp(user, code);
    if (step === null) throw Errors.mfaInvalidCode();
    return {
      method: 'totp',
      remaining: null,
      commit: async (r) => {
        if (!(await r.users.advanceTotpStep(user.id, step))) throw Errors.mfaInvalidCode();
      },
    };
  }

  /**
   * Finds the unused backup code matching the input. The slow comparisons run outside any transaction
   * and all of them run (no early exit), so timing does not tell which code matched.
   */
  private async prepareBackupCode(user: User, input: string): Promise<PreparedFactor> {
    const code = normalizeBackupCode(input);
    if (code === null) throw Errors.mfaInvalidCode();
    const unused = await this.uow.direct.backupCodes.listUnused(user.id);
    const matches = await Promise.all(unused.map((c) => this.backupHasher.verify(code, c.codeHash)));
    const index = matches.indexOf(true);
    if (index < 0) throw Errors.mfaInvalidCode();
    const match = unused[index];
    return {
      method: 'backup_code',
      remaining: unused.length - 1,
      commit: async (r) => {
        if (!(await r.backupCodes.markUsed(match.id, this.clock.now()))) throw Errors.mfaInvalidCode();
      },
    };
  }

  private async newBackupCodes(): Promise<{ codes: string[]; hashed: { id: string; codeHash: string }[] }> {
    const raw = Array.from({ length: BACKUP_CODE_COUNT }, () => this.randomBackupCode());
    const hashed = await Promise.all(raw.map(async (code) => ({ id: this.tokens.uuid(), codeHash: await this.backupHasher.hash(code) })));
    return { codes: raw.map((c) => `${c.slice(0, BACKUP_CODE_LENGTH / 2)}-${c.slice(BACKUP_CODE_LENGTH / 2)}`), hashed };
  }

  private randomBackupCode(): string {
    let code = '';
    for (let i = 0; i < BACKUP_CODE_LENGTH; i++) code += BACKUP_CODE_ALPHABET[this.random.int(BACKUP_CODE_ALPHABET.length)];
    return code;
  }
}

export interface PreparedFactor {
  method: 'totp' | 'backup_code';
  /** Unused backup codes left after this one (backup codes only). */
  remaining: number | null;
  /** Consumes the factor atomically; throws MFA_INVALID_CODE when it was used concurrently. */
  commit(r: Repositories): Promise<void>;
}
