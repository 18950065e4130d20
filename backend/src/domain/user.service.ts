// Account reads, administration (approval, rejection, forced logout) and the user's security events.
import { auditEntry } from './audit';
import { DomainError, Errors } from './errors';
import { canonicalEmail, normalizeEmail } from './email';
import type { PasswordPolicy } from './password-policy';
import type { PasswordHasher, TokenGenerator, UnitOfWork, UserAgentParser } from './ports';
import { SessionService } from './session.service';
import type { ActiveSession, AuditEvent, DeviceInfo, RequestContext, User, UserProfile, UserStatus } from './types';

/** A security event with its user agent parsed (the same parser as sessions), for the activity page. */
export type SecurityEventView = AuditEvent & { device: DeviceInfo };

/** Who made an account an admin: the start-up bootstrap or the operator CLI (kept in the audit metadata). */
export type AdminSource = 'ADMIN_EMAIL' | 'cli';

export type AdminBootstrapResult =
  | { outcome: 'created' | 'present'; user: User }
  /** An active admin with that email exists and ADMIN_PASSWORD is not its password: nothing was changed. */
  | { outcome: 'password_ignored'; user: User }
  /** The account is not an active admin: left untouched (not elevated, not activated). */
  | { outcome: 'refused'; user: User; reason: 'not_admin' | 'not_active' };

/** Audit context for actions that come from the process itself rather than from a request. */
export const SYSTEM_CONTEXT: RequestContext = { ipAddress: null, userAgent: null };

export class UserService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly sessions: SessionService,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenGenerator,
    private readonly policy: PasswordPolicy,
    private readonly userAgents: UserAgentParser,
  ) {}

  async getProfile(userId: string): Promise<UserProfile> {
    const user = await this.uow.direct.users.findProfile(userId);
    if (!user) throw Errors.sessionTerminated();
    return user;
  }

  /** The owner changes (or, with null, removes) the display name given at sign-up; the fresh profile back. */
  async setDisplayName(userId: string, username: string | null): Promise<UserProfile> {
    await this.uow.direct.users.setUsername(userId, username);
    return this.getProfile(userId);
  }

  async listRegistrations(status: UserStatus, limit = 100): Promise<User[]> {
    return this.uow.direct.users.listByStatus(status, limit);
  }

  /** The admin's "find a user": by part of the email or username, or the exact id. */
  async findUsers(text: string, limit = 20): Promise<User[]> {
    const needle = text.trim();
    return needle ? this.uow.direct.users.search(needle, limit) : [];
  }

  async approveRegistration(adminId: string, userId: string, ctx: RequestContext): Promise<User> {
    return this.decide(adminId, userId, 'active', ctx);
  }

  async rejectRegistration(adminId: string, userId: string, ctx: RequestContext): Promise<User> {
    return this.decide(adminId, userId, 'rejected', ctx);
  }

  private async decide(adminId: string, userId: string, status: 'active' | 'rejected', ctx: RequestContext): Promise<User> {
    return this.uow.run(async (r) => {
      const user = await r.users.findById(userId);
      if (!user || user.status !== 'pending') throw Errors.notFound('Pending registration');
      const updated = await r.users.setStatus(userId, status);
      if (!updated) throw Errors.notFound('Pending registration');
      await r.audit.record(auditEntry(userId, status === 'active' ? 'registration.approved' : 'registration.rejected', ctx, { actorId: adminId }));
      return updated;
    });
  }

  /** The admin console's view of a user's live sessions (device, addresses, location), most recent first. */
  async userSessions(userId: string): Promise<ActiveSession[]> {
    const user = await this.uow.direct.users.findById(userId);
    if (!user) throw Errors.notFound('User');
    return this.sessions.listActive(userId);
  }

  /** Forced logout by an admin; effective at once through the revocation view. */
  async revokeUserSessions(adminId: string, userId: string, ctx: RequestContext): Promise<number> {
    const user = await this.uow.direct.users.findById(userId);
    if (!user) throw Errors.notFound('User');
    return this.sessions.revokeAll(userId, 'admin', { type: 'admin.sessions_revoked', ctx, actorId: adminId });
  }

  /**
   * A new active admin whose password the operator chose (CLI `admin create`, ADMIN_EMAIL bootstrap).
   * An existing email is EMAIL_TAKEN: turning an existing account into an admin is promoteToAdmin's job.
   */
  async createAdmin(input: { email: string; password: string; username?: string | null }, source: AdminSource, ctx: RequestContext): Promise<User> {
    const problems = this.policy.check(input.password);
    if (problems.length) throw Errors.validation(problems);
    const email = canonicalEmail(input.email);
    if (!email) throw Errors.validation([{ field: 'email', message: 'email must be a valid email address' }]);
    const passwordHash = await this.hasher.hash(input.password);
    return this.uow.run(async (r) => {
      const user = await r.users.create({ id: this.tokens.uuid(), email, username: input.username ?? 'admin', passwordHash, role: 'admin', status: 'active' });
      await r.audit.record(auditEntry(user.id, 'user.registered', ctx, { source, role: 'admin', status: 'active' }));
      return user;
    });
  }

  /**
   * Makes an existing account an admin (CLI `admin promote`): an explicit operator decision about a named
   * account. A pending or disabled account is refused unless `activate` is given, so one command never
   * does more than the operator asked for.
   */
  async promoteToAdmin(emailInput: string, opts: { activate: boolean }, source: AdminSource, ctx: RequestContext): Promise<{ user: User; changed: boolean }> {
    const existing = await this.uow.direct.users.findByEmail(normalizeEmail(emailInput));
    if (!existing) throw Errors.notFound('User');
    if (existing.status !== 'active' && !opts.activate) {
      throw existing.status === 'pending' ? Errors.accountPending() : Errors.accountDisabled();
    }
    if (existing.role === 'admin' && existing.status === 'active') return { user: existing, changed: false };
    const user = await this.uow.run(async (r) => {
      await r.users.setRole(existing.id, 'admin');
      if (existing.status !== 'active') await r.users.setStatus(existing.id, 'active');
      await r.audit.record(
        auditEntry(existing.id, 'admin.promoted', ctx, { source, previousRole: existing.role, previousStatus: existing.status }),
      );
      const updated = await r.users.findById(existing.id);
      if (!updated) throw Errors.notFound('User');
      return updated;
    });
    return { user, changed: true };
  }

  /**
   * ADMIN_EMAIL + ADMIN_PASSWORD at start. Creates the admin when the email is free. It never changes an
   * existing account: bootstrap cannot tell the operator's account from one an attacker registered with the
   * operator's email before the first start, so elevating (or activating) it would hand the attacker an admin
   * account. Such an account is refused and left as it is; an existing admin keeps its own password.
   */
  async ensureAdmin(emailInput: string, password: string, ctx: RequestContext = SYSTEM_CONTEXT): Promise<AdminBootstrapResult> {
    const email = normalizeEmail(emailInput);
    const existing = await this.uow.direct.users.findByEmail(email);
    if (existing) {
      if (existing.role !== 'admin' || existing.status !== 'active') {
        const reason = existing.role !== 'admin' ? 'not_admin' : 'not_active';
        await this.uow.direct.audit.record(auditEntry(existing.id, 'admin.bootstrap_refused', ctx, { source: 'ADMIN_EMAIL', reason }));
        return { outcome: 'refused', user: existing, reason };
      }
      const same = await this.hasher.verify(password, existing.passwordHash);
      return { outcome: same ? 'present' : 'password_ignored', user: existing };
    }
    try {
      return { outcome: 'created', user: await this.createAdmin({ email, password }, 'ADMIN_EMAIL', ctx) };
    } catch (err) {
      // Another instance (cluster worker) created it at the same moment: look again (it has our password).
      if (err instanceof DomainError && err.code === 'EMAIL_TAKEN') return this.ensureAdmin(emailInput, password, ctx);
      throw err;
    }
  }

  async securityEvents(userId: string, opts: { limit: number; before?: { createdAt: Date; id: string } }): Promise<SecurityEventView[]> {
    const events = await this.uow.direct.audit.listForUser(userId, opts);
    return events.map((e) => ({ ...e, device: this.userAgents.parse(e.userAgent) }));
  }
}
