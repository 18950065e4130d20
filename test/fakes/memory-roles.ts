// RoleRepository in memory, with the same rules as the Prisma adapter: the built-in roles exist from the
// start and cannot be deleted; deleting a role drops its grants.
import type { RoleDefinition } from '../../backend/src/domain/roles/access';
import type { NewRoleDefinition, RoleRepository } from '../../backend/src/domain/roles/ports';
import type { Role } from '../../backend/src/domain/types';
import type { MemoryDatabase } from './memory-repositories';

export interface StoredUserRole {
  userId: string;
  roleName: string;
  grantedBy: string | null;
}

/** The rows the migration seeds. */
export function builtInRoles(now = new Date(0)): Map<string, RoleDefinition> {
  const role = (name: string, includes: string[]): RoleDefinition => ({ name, description: null, permissions: [], includes, builtIn: true, createdAt: now, updatedAt: now });
  return new Map([
    ['user', role('user', [])],
    ['admin', role('admin', ['user'])],
  ]);
}

export class MemoryRoleRepository implements RoleRepository {
  constructor(private readonly db: MemoryDatabase, private readonly guard: () => void = () => {}) {}

  private get roles() {
    this.guard();
    return this.db.tables.roles;
  }

  private get grants() {
    this.guard();
    return this.db.tables.userRoles;
  }

  async lock(): Promise<void> {
    this.guard(); // run() is serialised already
  }

  async list(): Promise<RoleDefinition[]> {
    return [...this.roles.values()].map((r) => structuredClone(r)).sort((a, b) => a.name.localeCompare(b.name));
  }

  async find(name: string): Promise<RoleDefinition | null> {
    const row = this.roles.get(name);
    return row ? structuredClone(row) : null;
  }

  async create(role: NewRoleDefinition): Promise<boolean> {
    if (this.roles.has(role.name)) return false;
    const now = this.db.clock.now();
    this.roles.set(role.name, { ...structuredClone(role), builtIn: false, createdAt: now, updatedAt: now });
    return true;
  }

  async update(name: string, change: Pick<RoleDefinition, 'description' | 'permissions' | 'includes'>): Promise<RoleDefinition | null> {
    const row = this.roles.get(name);
    if (!row) return null;
    Object.assign(row, structuredClone(change), { updatedAt: this.db.clock.now() });
    return structuredClone(row);
  }

  async delete(name: string): Promise<boolean> {
    const row = this.roles.get(name);
    if (!row || row.builtIn) return false;
    this.roles.delete(name);
    for (const [k, g] of [...this.grants]) if (g.roleName === name) this.grants.delete(k);
    return true;
  }

  async assigned(userId: string): Promise<string[]> {
    return [...this.grants.values()].filter((g) => g.userId === userId).map((g) => g.roleName).sort();
  }

  async grant(userId: string, roleName: string, grantedBy: string | null): Promise<boolean> {
    const key = `${userId} ${roleName}`;
    if (this.grants.has(key)) return false;
    this.db.assertUserExists(userId, 'UserRole');
    this.grants.set(key, { userId, roleName, grantedBy });
    return true;
  }

  async revoke(userId: string, roleName: string): Promise<boolean> {
    return this.grants.delete(`${userId} ${roleName}`);
  }

  async revokeAll(userId: string): Promise<number> {
    let n = 0;
    for (const [k, g] of [...this.grants]) if (g.userId === userId && this.grants.delete(k)) n++;
    return n;
  }

  async holders(roleNames: readonly string[]): Promise<{ userId: string; builtIn: Role; assigned: string[] }[]> {
    const out = [];
    for (const u of this.db.tables.users.values()) {
      if (u.deletedAt) continue;
      const assigned = await this.assigned(u.id);
      if (roleNames.includes(u.role) || assigned.some((n) => roleNames.includes(n))) out.push({ userId: u.id, builtIn: u.role, assigned });
    }
    return out;
  }

  async countActiveAdmins(): Promise<number> {
    return [...this.db.tables.users.values()].filter((u) => u.role === 'admin' && u.status === 'active' && !u.deletedAt).length;
  }
}
