// Roles and permissions as plain data (issue 28): names, the closure over included roles, cycles. No I/O:
// RoleService loads the definitions and decides; tokens and the admin API show what `effectiveAccess` gives.

/** `orders:read`, `billing.invoices:*`: a resource and an action (or `*`), lower case. */
export const PERMISSION_PATTERN = /^[a-z0-9_.-]+:[a-z0-9_.*-]+$/;
/** Role names: lower case, start with a letter, at most 64 characters. */
export const ROLE_NAME_PATTERN = /^[a-z][a-z0-9_.-]{0,63}$/;
export const PERMISSION_MAX_LENGTH = 128;

/** The roles every account holds one of (User.role): they always exist and cannot be deleted. */
export const BUILT_IN_ROLES = ['user', 'admin'] as const;

export interface RoleDefinition {
  name: string;
  description: string | null;
  /** Sorted, without duplicates. */
  permissions: string[];
  /** Names of the roles this one includes (sorted, without duplicates). */
  includes: string[];
  builtIn: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** What a user may do: every role held (directly or through inclusion) and every permission of those. */
export interface EffectiveAccess {
  roles: string[];
  permissions: string[];
}

export const isBuiltInRole = (name: string): boolean => (BUILT_IN_ROLES as readonly string[]).includes(name);

/** Sorted and de-duplicated: stored and compared in one form. */
export const normalised = (list: readonly string[]): string[] => [...new Set(list)].sort();

/**
 * The closure of `held` over included roles. Unknown names count as held but grant nothing; a cycle (which
 * the service never stores, but a concurrent change could in theory leave) ends the walk instead of looping.
 */
export function effectiveAccess(definitions: ReadonlyMap<string, RoleDefinition>, held: readonly string[]): EffectiveAccess {
  const roles = new Set<string>();
  const permissions = new Set<string>();
  const pending = [...held];
  while (pending.length) {
    const name = pending.pop() as string;
    if (roles.has(name)) continue;
    roles.add(name);
    const def = definitions.get(name);
    if (!def) continue;
    for (const p of def.permissions) permissions.add(p);
    pending.push(...def.includes);
  }
  return { roles: [...roles].sort(), permissions: [...permissions].sort() };
}

/**
 * The path of a cycle that giving `name` the includes `includes` would create (`a → b → a`), or null.
 * Only a path back to `name` can be new: the other roles' includes are unchanged and had none.
 */
export function cycleThrough(definitions: ReadonlyMap<string, RoleDefinition>, name: string, includes: readonly string[]): string[] | null {
  const visit = (current: string, path: string[], seen: Set<string>): string[] | null => {
    if (current === name) return [...path, current];
    if (seen.has(current)) return null;
    seen.add(current);
    for (const next of definitions.get(current)?.includes ?? []) {
      const found = visit(next, [...path, current], seen);
      if (found) return found;
    }
    return null;
  };
  const seen = new Set<string>();
  for (const start of includes) {
    const found = visit(start, [name], seen);
    if (found) return found;
  }
  return null;
}

/** True when `after` lacks a role or a permission that `before` had: the change takes something away. */
export function lostAccess(before: EffectiveAccess, after: EffectiveAccess): boolean {
  const roles = new Set(after.roles);
  const permissions = new Set(after.permissions);
  return before.roles.some((r) => !roles.has(r)) || before.permissions.some((p) => !permissions.has(p));
}

/** The roles (besides the built-in one) a user holds, as the closure starts from. */
export const heldRoles = (builtIn: string, assigned: readonly string[]): string[] => normalised([builtIn, ...assigned]);
