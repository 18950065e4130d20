// UserRepository on Prisma. Counters and the TOTP step are changed by single conditional statements so
// concurrent requests cannot lose updates or both pass a check.
import { Prisma } from '../../generated/prisma/client';
import { Errors } from '../../domain/errors';
import type { UserRepository } from '../../domain/ports';
import type { NewUser, Role, User, UserProfile, UserStatus } from '../../domain/types';
import type { Db } from './client';
import { isUuid, toUser } from './mappers';
import { tombstone } from '../../domain/account-deletion';
import type { ProfileCache } from '../cache/profile-cache';

/**
 * Which unique key a P2002 hit. With driver adapters Prisma 7 reports the constraint under
 * meta.driverAdapterError.cause.constraint ({ index } on PostgreSQL), not the classic meta.target.
 * Unknown shapes count as email: besides it only the random uuid primary key is unique.
 */
function isEmailConflict(meta: Record<string, unknown> | undefined): boolean {
  const constraint = (meta?.driverAdapterError as { cause?: { constraint?: { index?: string; fields?: string[] } } } | undefined)?.cause
    ?.constraint;
  if (constraint?.index) return constraint.index === 'User_email_key';
  if (constraint?.fields) return constraint.fields.includes('email');
  const target = meta?.target;
  if (Array.isArray(target) || typeof target === 'string') return target.includes('email');
  return true;
}

const PROFILE_COLUMNS = { id: true, email: true, username: true, role: true, status: true, twoFactorEnabled: true, emailVerified: true, lastLoginAt: true, createdAt: true } as const;

export class PrismaUserRepository implements UserRepository {
  constructor(
    private readonly db: Db,
    private readonly cache: ProfileCache | null = null,
    /** Users whose profile this transaction changed: the unit of work invalidates them again after commit. */
    private readonly touched: Set<string> | null = null,
  ) {}

  /** Called before and after each profile write (and the unit of work again after commit). */
  private changed(id: string): void {
    this.cache?.invalidate([id]);
    this.touched?.add(id);
  }

  async findById(id: string): Promise<User | null> {
    if (!isUuid(id)) return null;
    const row = await this.db.user.findUnique({ where: { id } });
    return row ? toUser(row) : null;
  }

  async findProfile(id: string): Promise<UserProfile | null> {
    if (!isUuid(id)) return null;
    const cached = this.cache?.get(id);
    if (cached) return cached;
    const profile = await this.db.user.findUnique({ where: { id }, select: PROFILE_COLUMNS });
    if (profile) this.cache?.set(id, profile);
    return profile;
  }

  async findByEmail(email: string): Promise<User | null> {
    const row = await this.db.user.findUnique({ where: { email } });
    return row ? toUser(row) : null;
  }

  async create(user: NewUser): Promise<User> {
    try {
      const { id, email, username, passwordHash, role, status } = user; // only known fields reach Prisma
      const emailVerified = user.emailVerified ?? false;
      return toUser(await this.db.user.create({ data: { id, email, username, passwordHash, role, status, emailVerified } }));
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002' && isEmailConflict(err.meta)) {
        throw Errors.emailTaken();
      }
      throw err;
    }
  }

  async updatePassword(id: string, passwordHash: string, changedAt: Date): Promise<void> {
    await this.db.user.update({ where: { id }, data: { passwordHash, passwordChangedAt: changedAt } });
  }

  async setStatus(id: string, status: UserStatus): Promise<User | null> {
    if (!isUuid(id)) return null;
    this.changed(id);
    // updateManyAndReturn: one round-trip, and no P2025 exception when the user does not exist.
    const [row] = await this.db.user.updateManyAndReturn({ where: { id }, data: { status } });
    this.changed(id);
    return row ? toUser(row) : null;
  }

  async setRole(id: string, role: Role): Promise<void> {
    this.changed(id);
    await this.db.user.update({ where: { id }, data: { role } });
    this.changed(id);
  }

  async setUsername(id: string, username: string | null): Promise<void> {
    if (!isUuid(id)) return;
    this.changed(id);
    await this.db.user.updateMany({ where: { id }, data: { username } });
    this.changed(id);
  }

  async recordLogin(id: string, at: Date): Promise<void> {
    this.changed(id);
    await this.db.user.updateMany({ where: { id }, data: { lastLoginAt: at } });
    this.changed(id);
  }

  /** Oldest first: this serves the approval queue. Deleted accounts (tombstones) are nobody's business. */
  async listByStatus(status: UserStatus, limit: number): Promise<User[]> {
    const rows = await this.db.user.findMany({ where: { status, deletedAt: null }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: limit });
    return rows.map(toUser);
  }

  async search(text: string, limit: number): Promise<User[]> {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text);
    const rows = await this.db.user.findMany({
      where: {
        deletedAt: null,
        OR: [
          { email: { contains: text, mode: 'insensitive' } },
          { username: { contains: text, mode: 'insensitive' } },
          ...(uuid ? [{ id: text.toLowerCase() }] : []),
        ],
      },
      orderBy: [{ email: 'asc' }],
      take: limit,
    });
    return rows.map(toUser);
  }

  async find(criteria: { text?: string; status?: UserStatus; role?: string }, limit: number, offset: number): Promise<User[]> {
    const { text, status, role } = criteria;
    const builtIn: Role | null = role === 'user' || role === 'admin' ? role : null;
    const rows = await this.db.user.findMany({
      where: {
        deletedAt: null,
        ...(status ? { status } : {}),
        AND: [
          ...(text
            ? [{
                OR: [
                  { email: { contains: text, mode: 'insensitive' as const } },
                  { username: { contains: text, mode: 'insensitive' as const } },
                  ...(isUuid(text) ? [{ id: text.toLowerCase() }] : []),
                ],
              }]
            : []),
          ...(role
            ? [{ OR: [...(builtIn ? [{ role: builtIn }] : []), { extraRoles: { some: { roleName: role } } }] }]
            : []),
        ],
      },
      orderBy: [{ email: 'asc' }, { id: 'asc' }],
      skip: offset,
      take: limit,
    });
    return rows.map(toUser);
  }

  async recordLoginFailure(id: string): Promise<{ failedLoginCount: number; lockCount: number }> {
    return this.db.user.update({
      where: { id },
      data: { failedLoginCount: { increment: 1 } },
      select: { failedLoginCount: true, lockCount: true },
    });
  }

  async lock(id: string, until: Date): Promise<void> {
    await this.db.user.update({
      where: { id },
      data: { lockedUntil: until, lockCount: { increment: 1 }, failedLoginCount: 0 },
    });
  }

  async resetLoginFailures(id: string): Promise<void> {
    await this.db.user.update({ where: { id }, data: { failedLoginCount: 0, lockCount: 0, lockedUntil: null } });
  }

  /** Leaves totpLastUsedStep alone: steps are wall-clock based, so an old one still blocks replays. */
  async setTotpSecret(id: string, encryptedSecret: string | null, enabled: boolean): Promise<void> {
    this.changed(id);
    await this.db.user.update({ where: { id }, data: { totpSecretEncrypted: encryptedSecret, twoFactorEnabled: enabled } });
    this.changed(id);
  }

  async anonymise(id: string, now: Date): Promise<boolean> {
    if (!isUuid(id)) return false;
    this.changed(id);
    const { count } = await this.db.user.updateMany({ where: { id, deletedAt: null }, data: tombstone(id, now) });
    this.changed(id);
    return count === 1;
  }

  async advanceTotpStep(id: string, step: number): Promise<boolean> {
    const { count } = await this.db.user.updateMany({
      where: { id, OR: [{ totpLastUsedStep: null }, { totpLastUsedStep: { lt: step } }] },
      data: { totpLastUsedStep: step },
    });
    return count === 1;
  }

  async setEmailVerified(id: string): Promise<void> {
    this.changed(id);
    await this.db.user.update({ where: { id }, data: { emailVerified: true } });
  }

  async changeEmail(id: string, email: string): Promise<void> {
    this.changed(id);
    try {
      await this.db.user.update({ where: { id }, data: { email, emailVerified: true } });
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002' && isEmailConflict(err.meta)) {
        throw Errors.emailTaken();
      }
      throw err;
    }
  }
}
