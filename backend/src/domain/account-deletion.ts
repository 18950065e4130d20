// "Leaving": a user deletes their own account. What happens, in one transaction:
// - every live session is revoked (reason `account_deleted`) and the revocation is broadcast at once, so
//   access tokens stop working on every instance, as with any other revocation;
// - the user row becomes a tombstone (UserRepository.anonymise): the email is replaced, so the address can
//   register again; name, password hash, TOTP secret go; backup codes, pending MFA challenges, trusted
//   devices (they hold an IP and a device description), granted roles, mailed tokens (reset, verification, "this wasn't
//   me") and known-device fingerprints are deleted;
// - every mail about the account is deleted from the outbox: mail still waiting to go out (a reset link, a
//   new-device alert queued while the SMTP server was down) is never sent to the address afterwards. The
//   product sends no "your account was deleted" mail, so nothing is queued in its place;
// - device data (user agent, IPs, names) is wiped from the user's sessions, and IP address and user agent
//   from every audit row of the user. The audit rows themselves stay, owned by the tombstone's id, which no
//   longer leads to a person (docs/security.md, "Deleting an account");
// - a `user.deleted` audit row, which the outbox publishes as USER_DELETED.
import { auditEntry } from './audit';
import { Errors } from './errors';
import type { Clock, Repositories, UnitOfWork } from './ports';
import type { SessionService } from './session.service';
import type { TwoFactorService } from './two-factor.service';
import type { RequestContext, User } from './types';

/**
 * What UserRepository.anonymise writes over a deleted account's row (every adapter writes exactly this).
 * `.invalid` is reserved (RFC 2606): the tombstone address can never receive mail or be registered, and an
 * empty hash is never a bcrypt hash, so no password matches it.
 */
export function tombstone(id: string, now: Date): Omit<User, 'id' | 'totpLastUsedStep' | 'createdAt' | 'updatedAt'> {
  return {
    email: `deleted-${id}@deleted.invalid`,
    username: null,
    passwordHash: '',
    status: 'disabled',
    role: 'user',
    twoFactorEnabled: false,
    totpSecretEncrypted: null,
    failedLoginCount: 0,
    lockCount: 0,
    lockedUntil: null,
    passwordChangedAt: null,
    emailVerified: false,
    lastLoginAt: null,
    deletedAt: now,
  };
}

/** Audit context of the deletion record itself: where it came from is personal data too. */
const ANONYMOUS: RequestContext = { ipAddress: null, userAgent: null };

export class AccountDeletion {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly sessions: SessionService,
    private readonly twoFactor: TwoFactorService,
    private readonly clock: Clock,
  ) {}

  /** Needs the password, and a TOTP or backup code when 2FA is on. Returns how many sessions ended. */
  async delete(userId: string, input: { password: string; code?: string | null }, ctx: RequestContext): Promise<number> {
    const user = await this.uow.direct.users.findById(userId);
    if (!user || user.deletedAt) throw Errors.sessionTerminated();
    const secondFactor = await this.twoFactor.reauthenticate(user, input, ctx, 'delete_account');
    return this.erase(userId, ctx, { method: secondFactor?.method ?? 'password' }, async (r) => {
      await secondFactor?.commit(r);
    });
  }

  /**
   * An administrator's (or the CLI's) deletion (issue 28): the same erasure, without the owner's password.
   * The actor goes into the `user.deleted` row, which stays readable under the tombstone's id.
   */
  async deleteByAdmin(userId: string, actor: Record<string, unknown>, ctx: RequestContext, guard?: (r: Repositories) => Promise<void>): Promise<number> {
    const user = await this.uow.direct.users.findById(userId);
    if (!user || user.deletedAt) throw Errors.notFound('User');
    return this.erase(userId, ctx, { method: 'admin', ...actor }, guard);
  }

  private async erase(userId: string, ctx: RequestContext, meta: Record<string, unknown>, first?: (r: Repositories) => Promise<void>): Promise<number> {
    const now = this.clock.now();
    const revoked = await this.sessions.revokeWhere(
      (r) => r.sessions.revoke({ userId }, 'account_deleted', now),
      { userId, type: 'session.revoked', ctx, metadata: { reason: 'account_deleted' } },
      async (r, sessionIds) => {
        await first?.(r);
        if (!(await r.users.anonymise(userId, now))) throw Errors.sessionTerminated();
        await r.backupCodes.deleteAll(userId);
        await r.mfaChallenges.deleteForUser(userId);
        await r.trustedDevices.deleteAll(userId);
        await r.accountTokens.deleteForUser(userId);
        await r.mail.deleteForUser(userId);
        await r.knownDevices.deleteForUser(userId);
        await r.passkeys.deleteAll(userId);
        // Granted roles say who someone was allowed to be; the tombstone is no one.
        await r.roles.revokeAll(userId);
        // The upstream identity is no longer this (anonymised) account's: signing in with it may make a new one.
        await r.federatedIdentities.deleteAll(userId);
        await r.knownCountries.deleteForUser(userId);
        await r.sessions.anonymiseForUser(userId);
        await r.audit.anonymiseForUser(userId);
        await r.audit.record(auditEntry(userId, 'user.deleted', ANONYMOUS, { ...meta, sessionIds, count: sessionIds.length }));
      },
    );
    return revoked.length;
  }
}
