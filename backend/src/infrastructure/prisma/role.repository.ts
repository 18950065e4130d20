// RoleRepository on Prisma: AccessRole rows (permissions and included roles as text arrays) and UserRole
// grants. The lock is a table lock held to the end of the transaction (see RoleRepository.lock).
import type { RoleDefinition } from '../../domain/roles/access';
import type { NewRoleDefinition, RoleRepository } from '../../domain/roles/ports';
import { Prisma } from '../../generated/prisma/client';
import type { Role } from '../../domain/types';
import type { Db } from './client';
import { isUuid } from './mappers';

const toRole = (r: RoleDefinition): RoleDefinition => ({
  name: r.name,
  description: r.description,
  permissions: [...r.permissions].sort(),
  includes: [...r.includes].sort(),
  builtIn: r.builtIn,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

export class PrismaRoleRepository implements RoleRepository {
  constructor(private readonly db: Db) {}

  async lock(): Promise<void> {
    // SHARE ROW EXCLUSIVE conflicts with itself: role changes queue; plain reads (token issuance) do not wait.
    await this.db.$executeRaw`LOCK TABLE "AccessRole" IN SHARE ROW EXCLUSIVE MODE`;
  }

  async list(): Promise<RoleDefinition[]> {
    return (await this.db.accessRole.findMany({ orderBy: { name: 'asc' } })).map(toRole);
  }

  async find(name: string): Promise<RoleDefinition | null> {
    const row = await this.db.accessRole.findUnique({ where: { name } });
    return row ? toRole(row) : null;
  }

  async create(role: NewRoleDefinition): Promise<boolean> {
    try {
      await this.db.accessRole.create({ data: { ...role, builtIn: false } });
      return true;
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') return false;
      throw err;
    }
  }

  async update(name: string, change: Pick<RoleDefinition, 'description' | 'permissions' | 'includes'>): Promise<RoleDefinition | null> {
    const [row] = await this.db.accessRole.updateManyAndReturn({ where: { name }, data: change });
    return row ? toRole(row) : null;
  }

  async delete(name: string): Promise<boolean> {
    // UserRole rows go with it (ON DELETE CASCADE).
    return (await this.db.accessRole.deleteMany({ where: { name, builtIn: false } })).count > 0;
  }

  async assigned(userId: string): Promise<string[]> {
    if (!isUuid(userId)) return [];
    const rows = await this.db.userRole.findMany({ where: { userId }, select: { roleName: true }, orderBy: { roleName: 'asc' } });
    return rows.map((r) => r.roleName);
  }

  async grant(userId: string, roleName: string, grantedBy: string | null): Promise<boolean> {
    const { count } = await this.db.userRole.createMany({ data: [{ userId, roleName, grantedBy }], skipDuplicates: true });
    return count > 0;
  }

  async revoke(userId: string, roleName: string): Promise<boolean> {
    return (await this.db.userRole.deleteMany({ where: { userId, roleName } })).count > 0;
  }

  async revokeAll(userId: string): Promise<number> {
    return (await this.db.userRole.deleteMany({ where: { userId } })).count;
  }

  async holders(roleNames: readonly string[]): Promise<{ userId: string; builtIn: Role; assigned: string[] }[]> {
    if (roleNames.length === 0) return [];
    const names = [...roleNames];
    const builtIn = names.filter((n): n is Role => n === 'user' || n === 'admin');
    const rows = await this.db.user.findMany({
      where: {
        deletedAt: null,
        OR: [...(builtIn.length ? [{ role: { in: builtIn } }] : []), { extraRoles: { some: { roleName: { in: names } } } }],
      },
      select: { id: true, role: true, extraRoles: { select: { roleName: true } } },
    });
    return rows.map((u) => ({ userId: u.id, builtIn: u.role, assigned: u.extraRoles.map((r) => r.roleName).sort() }));
  }

  countActiveAdmins(): Promise<number> {
    return this.db.user.count({ where: { role: 'admin', status: 'active', deletedAt: null } });
  }
}
