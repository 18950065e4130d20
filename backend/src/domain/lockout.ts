// Account lockout: LOGIN_MAX_FAILURES consecutive failures (password or second factor) lock the account
// for LOGIN_LOCK_SECONDS, doubling on each repeat lock up to 24 h. Locks expire by themselves so an
// attacker cannot keep a victim out for good; success resets the counters.
import { auditEntry } from './audit';
import { Errors } from './errors';
import type { Clock, PasswordHasher, UnitOfWork } from './ports';
import type { RequestContext, User } from './types';

/**
 * Checks of the password or a code by a signed-in user (re-authentication). They count with login failures:
 * otherwise a stolen session could guess the password through them without ever locking.
 */
export type ReauthContext = 'change_password' | 'change_email' | '2fa_enable' | '2fa_disable' | '2fa_backup_codes' | 'delete_account' | 'passkey_add' | 'passkey_remove' | 'federation_link';

/** config.lockout: LOGIN_MAX_FAILURES, LOGIN_LOCK_SECONDS. */
export interface LockoutSettings {
  maxFailures: number;
  lockSeconds: number;
}

const MAX_LOCK_SECONDS = 24 * 60 * 60;

export class LockoutPolicy {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly settings: LockoutSettings,
    private readonly hasher: PasswordHasher,
  ) {}

  /** Throws ACCOUNT_LOCKED (with Retry-After seconds) while a lock is in force. */
  assertNotLocked(user: User): void {
    const now = this.clock.now().getTime();
    if (user.lockedUntil && user.lockedUntil.getTime() > now) {
      throw Errors.accountLocked(Math.ceil((user.lockedUntil.getTime() - now) / 1000));
    }
  }

  /**
   * Re-authentication by password (a signed-in user confirming a change): refused while locked, and a wrong
   * password counts toward the lockout like a failed login. The counters are not reset here: the caller
   * calls recordSuccess once every factor it asks for has passed.
   */
  async checkPassword(user: User, password: string, ctx: RequestContext, context: ReauthContext): Promise<void> {
    this.assertNotLocked(user);
    if (await this.hasher.verify(password, user.passwordHash)) return;
    await this.recordFailure(user, 'password', ctx, context);
    throw Errors.invalidCredentials();
  }

  lockDuration(previousLocks: number): number {
    return Math.min(this.settings.lockSeconds * 2 ** Math.min(previousLocks, 30), MAX_LOCK_SECONDS);
  }

  /** Counts one failure (with its audit event) and locks when the threshold is reached. */
  async recordFailure(user: User, factor: 'password' | 'totp' | 'backup_code', ctx: RequestContext, context: ReauthContext | 'login' = 'login'): Promise<void> {
    await this.uow.run(async (r) => {
      const { failedLoginCount, lockCount } = await r.users.recordLoginFailure(user.id);
      await r.audit.record(
        context === 'login'
          ? auditEntry(user.id, 'login.failed', ctx, { factor, consecutiveFailures: failedLoginCount })
          : auditEntry(user.id, 'reauth.failed', ctx, { factor, context, consecutiveFailures: failedLoginCount }),
      );
      if (failedLoginCount < this.settings.maxFailures) return;
      const seconds = this.lockDuration(lockCount);
      const until = new Date(this.clock.now().getTime() + seconds * 1000);
      await r.users.lock(user.id, until);
      await r.audit.record(auditEntry(user.id, 'account.locked', ctx, { lockedUntil: until.toISOString(), lockSeconds: seconds, lockNumber: lockCount + 1 }));
    });
  }

  async recordSuccess(user: User): Promise<void> {
    if (user.failedLoginCount === 0 && user.lockCount === 0 && !user.lockedUntil) return;
    await this.uow.direct.users.resetLoginFailures(user.id);
  }
}
