// What the admin API shows of roles and of a user's roles.
import { effectiveAccess, type RoleDefinition } from '../../domain/roles/access';
import type { UserAccess } from '../../domain/roles/role.service';

/** A role with its own permissions and included roles, and what it grants in all (`effectivePermissions`). */
export function roleView(role: RoleDefinition, all: readonly RoleDefinition[]) {
  const access = effectiveAccess(new Map(all.map((d) => [d.name, d])), [role.name]);
  return {
    name: role.name,
    description: role.description,
    builtIn: role.builtIn,
    permissions: role.permissions,
    includes: role.includes,
    effectivePermissions: access.permissions,
    createdAt: role.createdAt.toISOString(),
    updatedAt: role.updatedAt.toISOString(),
  };
}

export const userAccessView = (a: UserAccess) => ({ userId: a.userId, builtIn: a.builtIn, assigned: a.assigned, roles: a.roles, permissions: a.permissions });
