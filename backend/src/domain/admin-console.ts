// The administrator's console (issue 28): find users, one user's whole picture, and the account-changing
// actions (disable, re-enable, reject, password-reset mail, delete). The HTTP routes and the CLI both call
// this, so the rules live here once:
// - an admin acting over the API must have signed in recently (REAUTH_WINDOW_SECONDS, with the second factor
//   when they use 2FA): the HTTP layer applies RecentAdminSignIn (admin-reauth.ts) to every admin action;
// - the last active admin cannot be disabled or deleted (the roles work guards demotion the same way);
// - every action is audited with who did it (`actorId`, or `source: cli`).
import { voidOutstandingTokens } from './account-tokens';
import type { AccountDeletion } from './account-deletion';
import type { AccountRecoveryService } from './account-recovery.service';
import { auditEntry } from './audit';
import { normalizeEmail } from './email';
import { Errors } from './errors';
import type { FederatedIdentity } from './federation/types';
import type { Clock, Repositories, UnitOfWork } from './ports';
import type { RoleService, UserAccess } from './roles/role.service';
import type { SessionService } from './session.service';
import { isBarred, type RequestContext, type User, type UserStatus } from './types';
import type { SecurityEventView, UserService } from './user.service';

/** An administrator over the API (with the session they act from), or the operator at the CLI. */
export type AdminActor = { source: 'api'; id: string; sessionId: string } | { source: 'cli' };

/** The console's filters; all optional, combined with AND. `role` matches User.role or a granted role. */
export interface UserSearch {
  text?: string;
  status?: UserStatus;
  role?: string;
}

export interface AdminUserDetails {
  user: User;
  access: UserAccess;
  twoFactor: { enabled: boolean; backupCodesRemaining: number | null };
  passkeys: number;
  providers: FederatedIdentity[];
  /** The last 20 security events, newest first. */
  events: SecurityEventView[];
}

export const RECENT_EVENTS = 20;

export class AdminConsole {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly sessions: SessionService,
    private readonly users: UserService,
    private readonly roles: RoleService,
    private readonly recovery: AccountRecoveryService,
    private readonly deletion: AccountDeletion,
    private readonly clock: Clock,
  ) {}

  /** One page of matching users (by email), and whether there are more after it. */
  async find(criteria: UserSearch, page: { limit: number; offset: number }): Promise<{ users: User[]; hasMore: boolean }> {
    const rows = await this.uow.direct.users.find({ ...criteria, text: criteria.text?.trim() || undefined }, page.limit + 1, page.offset);
    return { users: rows.slice(0, page.limit), hasMore: rows.length > page.limit };
  }

  async details(userId: string): Promise<AdminUserDetails> {
    const d = this.uow.direct;
    const user = await this.liveUser(d, userId);
    const [access, codes, passkeys, providers, events] = await Promise.all([
      this.roles.userAccess(userId),
      user.twoFactorEnabled ? d.backupCodes.listUnused(userId) : Promise.resolve(null),
      d.passkeys.countForUser(userId),
      d.federatedIdentities.listForUser(userId),
      this.users.securityEvents(userId, { limit: RECENT_EVENTS }),
    ]);
    return { user, access, twoFactor: { enabled: user.twoFactorEnabled, backupCodesRemaining: codes ? codes.length : null }, passkeys, providers, events };
  }

  /** The CLI names accounts by email. */
  async userByEmail(email: string): Promise<User> {
    const user = await this.uow.direct.users.findByEmail(normalizeEmail(email));
    if (!user || user.deletedAt) throw Errors.notFound('User');
    return user;
  }

  /**
   * Disables the account and ends every session at once (reason `account_disabled`, through the same
   * revocation path as a forced logout, so verifiers drop the tokens from the feed). Disabling a disabled
   * account changes nothing.
   */
  async disable(actor: AdminActor, userId: string, ctx: RequestContext): Promise<User> {
    const before = await this.liveUser(this.uow.direct, userId);
    if (isBarred(before.status)) return before;
    const now = this.clock.now();
    await this.sessions.revokeWhere(
      async (r) => {
        const user = await this.liveUser(r, userId);
        await this.assertNotLastAdmin(r, user, 'The last active administrator cannot be disabled');
        await r.users.setStatus(userId, 'disabled');
        return r.sessions.revoke({ userId }, 'account_disabled', now);
      },
      { userId, type: 'account.disabled', ctx, metadata: { reason: 'account_disabled', previousStatus: before.status, ...actorMeta(actor) } },
      async (r) => {
        // Mailed links (a reset, a change of address) must not outlive the decision either.
        await voidOutstandingTokens(r, userId, 'sessions_revoked', ctx);
      },
    );
    return this.liveUser(this.uow.direct, userId);
  }

  /** Re-enables a disabled account (the user signs in again; nothing of theirs was deleted). */
  async enable(actor: AdminActor, userId: string, ctx: RequestContext): Promise<User> {
    return this.uow.run(async (r) => {
      const user = await this.liveUser(r, userId);
      if (user.status === 'active') return user;
      if (user.status === 'pending') throw Errors.accountPending();
      const updated = await r.users.setStatus(userId, 'active');
      if (!updated) throw Errors.notFound('User');
      await r.audit.record(auditEntry(userId, 'account.enabled', ctx, actorMeta(actor)));
      return updated;
    });
  }

  /** Rejects a pending registration: status `rejected` (signing in answers ACCOUNT_DISABLED; enable undoes it). */
  async reject(actor: AdminActor, userId: string, ctx: RequestContext): Promise<User> {
    return this.uow.run(async (r) => {
      const user = await r.users.findById(userId);
      if (!user || user.status !== 'pending') throw Errors.notFound('Pending registration');
      const updated = await r.users.setStatus(userId, 'rejected');
      if (!updated) throw Errors.notFound('Pending registration');
      await r.audit.record(auditEntry(userId, 'registration.rejected', ctx, actorMeta(actor)));
      return updated;
    });
  }

  async sendPasswordReset(actor: AdminActor, userId: string, ctx: RequestContext): Promise<void> {
    await this.recovery.requestPasswordResetFor(userId, actorMeta(actor), ctx);
  }

  /** Deletes the account as its owner's own deletion does (domain/account-deletion.ts). */
  async delete(actor: AdminActor, userId: string, ctx: RequestContext): Promise<number> {
    return this.deletion.deleteByAdmin(userId, actorMeta(actor), ctx, async (r) => {
      const user = await this.liveUser(r, userId);
      await this.assertNotLastAdmin(r, user, 'The last active administrator cannot be deleted');
    });
  }


  private async assertNotLastAdmin(r: Repositories, user: User, message: string): Promise<void> {
    if (user.role === 'admin' && user.status === 'active' && (await r.roles.countActiveAdmins()) <= 1) throw Errors.lastAdmin(message);
  }

  private async liveUser(r: Repositories, userId: string): Promise<User> {
    const user = await r.users.findById(userId);
    if (!user || user.deletedAt) throw Errors.notFound('User');
    return user;
  }
}

const actorMeta = (actor: AdminActor): Record<string, unknown> => (actor.source === 'cli' ? { source: 'cli' } : { source: 'api', actorId: actor.id });
