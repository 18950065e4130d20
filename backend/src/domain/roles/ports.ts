// Storage of roles and of the extra roles users hold (infrastructure/prisma/role.repository.ts). The built-in
// role of a user stays User.role; UserRole rows hold the others.
import type { Role } from '../types';
import type { RoleDefinition } from './access';

export type NewRoleDefinition = Pick<RoleDefinition, 'name' | 'description' | 'permissions' | 'includes'>;

export interface RoleRepository {
  /**
   * Serialises changes of role definitions and grants (a lock held until the transaction ends), so two
   * concurrent edits cannot together make a cycle the domain checks for one at a time.
   */
  lock(): Promise<void>;
  /** Every role, by name. */
  list(): Promise<RoleDefinition[]>;
  find(name: string): Promise<RoleDefinition | null>;
  /** False when a role of that name exists. */
  create(role: NewRoleDefinition): Promise<boolean>;
  update(name: string, change: Pick<RoleDefinition, 'description' | 'permissions' | 'includes'>): Promise<RoleDefinition | null>;
  /** Deletes a role and every grant of it; false when there was none. */
  delete(name: string): Promise<boolean>;
  /** The roles the user holds besides User.role, sorted. */
  assigned(userId: string): Promise<string[]>;
  /** False when the user held the role already. */
  grant(userId: string, roleName: string, grantedBy: string | null): Promise<boolean>;
  /** False when the user did not hold it. */
  revoke(userId: string, roleName: string): Promise<boolean>;
  /** Drops every grant the user holds (a deleted account's tombstone keeps none); how many there were. */
  revokeAll(userId: string): Promise<number>;
  /**
   * Users (not deleted) holding any of `roleNames` directly: as User.role (built-in names) or a UserRole row,
   * with their built-in role and their other grants.
   */
  holders(roleNames: readonly string[]): Promise<{ userId: string; builtIn: Role; assigned: string[] }[]>;
  /** Active, not deleted accounts whose User.role is admin. */
  countActiveAdmins(): Promise<number>;
}
