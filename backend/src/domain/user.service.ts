// Account reads, administration (approval, rejection, forced logout) and the user's security events.
import { auditEntry } from './audit';
import { DomainError, Errors } from './errors';
import { normalizeEmail } from './auth.service';
import type { PasswordHasher, TokenGenerator, UnitOfWork } from './ports';
import { SessionService } from './session.service';
import type { AuditEvent, RequestContext, User, UserProfile } from './types';

export class UserService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly sessions: SessionService,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenGenerator,
  ) {}

  async getProfile(userId: string): Promise<UserProfile> {
    const user = await this.uow.direct.users.findProfile(userId);
    if (!user) throw Errors.sessionTerminated();
    return user;
  }

  async listRegistrations(status: 'pending' | 'active' | 'disabled', limit = 100): Promise<User[]> {
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
    return this.decide(adminId, userId, 'disabled', ctx);
  }

  private async decide(adminId: string, userId: string, status: 'active' | 'disabled', ctx: RequestContext): Promise<User> {
    return this.uow.run(async (r) => {
      const user = await r.users.findById(userId);
      if (!user || user.status !== 'pending') throw Errors.notFound('Pending registration');
      const updated = await r.users.setStatus(userId, status);
      if (!updated) throw Errors.notFound('Pending registration');
      await r.audit.record(auditEntry(userId, status === 'active' ? 'registration.approved' : 'registration.rejected', ctx, { actorId: adminId }));
      return updated;
    });
  }

  /** Forced logout by an admin; effective at once through the revocation view. */
  async revokeUserSessions(adminId: string, userId: string, ctx: RequestContext): Promise<number> {
    const user = await this.uow.direct.users.findById(userId);
    if (!user) throw Errors.notFound('User');
    return this.sessions.revokeAll(userId, 'admin', { type: 'admin.sessions_revoked', ctx, actorId: adminId });
  }

  /** ADMIN_EMAIL + ADMIN_PASSWORD: make sure an active admin with that email exists (idempotent). */
  async ensureAdmin(emailInput: string, password: string): Promise<User> {
    const email = normalizeEmail(emailInput);
    const existing = await this.uow.direct.users.findByEmail(email);
    if (existing) {
      if (existing.role !== 'admin' || existing.status !== 'active') {
        await this.uow.run(async (r) => {
          await r.users.setRole(existing.id, 'admin');
          await r.users.setStatus(existing.id, 'active');
        });
      }
      return (await this.uow.direct.users.findById(existing.id))!;
    }
    const passwordHash = await this.hasher.hash(password);
    try {
      return await this.uow.run(async (r) => {
        const user = await r.users.create({ id: this.tokens.uuid(), email, username: 'admin', passwordHash, role: 'admin', status: 'active' });
        await r.audit.record({ userId: user.id, type: 'user.registered', ipAddress: null, userAgent: null, metadata: { source: 'ADMIN_EMAIL', role: 'admin' } });
        return user;
      });
    } catch (err) {
      // Another instance (cluster worker) created it at the same moment: theirs is as good as ours.
      if (err instanceof DomainError && err.code === 'EMAIL_TAKEN') return this.ensureAdmin(emailInput, password);
      throw err;
    }
  }

  async securityEvents(userId: string, opts: { limit: number; before?: { createdAt: Date; id: string } }): Promise<AuditEvent[]> {
    return this.uow.direct.audit.listForUser(userId, opts);
  }
}
