// Roles and permissions (issue 28): defining roles, granting them, and what a user may do. The admin API and
// the CLI (`npm run cli -- roles …`) both call this. Granting takes effect at the user's next refresh; a
// change that takes a role or permission away from someone ends that user's sessions in the same transaction
// (reason `permissions_changed`), so every verifier drops their tokens at once through the revocation feed
// (docs/roles.md, "When a change takes effect").
import { auditEntry } from '../audit';
import { DomainError, Errors, type FieldProblem } from '../errors';
import type { Clock, Repositories, RevocationStore, UnitOfWork } from '../ports';
import type { RequestContext, Role, User } from '../types';
import {
  cycleThrough,
  effectiveAccess,
  heldRoles,
  isBuiltInRole,
  lostAccess,
  normalised,
  PERMISSION_MAX_LENGTH,
  PERMISSION_PATTERN,
  ROLE_NAME_PATTERN,
  type EffectiveAccess,
  type RoleDefinition,
} from './access';

/** Who changes roles: an administrator over the API, or the operator at the CLI (no account). */
export interface RoleActor {
  id: string | null;
  source: 'api' | 'cli';
}

export interface RoleInput {
  name: string;
  description?: string | null;
  permissions?: string[];
  includes?: string[];
}

export type RoleChange = Partial<Omit<RoleInput, 'name'>>;

/** A user's roles as the admin API shows them. */
export interface UserAccess extends EffectiveAccess {
  userId: string;
  /** User.role: `user` or `admin`. */
  builtIn: Role;
  /** Roles granted besides the built-in one. */
  assigned: string[];
}

export const ROLE_LIMITS = { permissions: 200, includes: 50, description: 200 } as const;

type Definitions = Map<string, RoleDefinition>;
const byName = (list: RoleDefinition[]): Definitions => new Map(list.map((d) => [d.name, d]));

export class RoleService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly revocations: RevocationStore,
    private readonly clock: Clock,
  ) {}

  list(): Promise<RoleDefinition[]> {
    return this.uow.direct.roles.list();
  }

  async get(name: string): Promise<RoleDefinition> {
    const role = await this.uow.direct.roles.find(name);
    if (!role) throw Errors.notFound('Role');
    return role;
  }

  /** What a token for `user` carries: every role it holds through User.role and grants, and their permissions. */
  async accessFor(user: Pick<User, 'id' | 'role'>): Promise<EffectiveAccess> {
    const [definitions, assigned] = await Promise.all([this.uow.direct.roles.list(), this.uow.direct.roles.assigned(user.id)]);
    return effectiveAccess(byName(definitions), heldRoles(user.role, assigned));
  }

  async userAccess(userId: string): Promise<UserAccess> {
    return this.accessOf(this.uow.direct, await this.liveUser(this.uow.direct, userId));
  }

  async create(actor: RoleActor, input: RoleInput, ctx: RequestContext): Promise<RoleDefinition> {
    const role = { name: input.name, description: input.description ?? null, permissions: normalised(input.permissions ?? []), includes: normalised(input.includes ?? []) };
    checkDefinition(role);
    return this.uow.run(async (r) => {
      await r.roles.lock();
      const definitions = byName(await r.roles.list());
      if (definitions.has(role.name)) throw roleConflict(`A role named "${role.name}" exists already`);
      this.checkIncludes(definitions, role.name, role.includes);
      if (!(await r.roles.create(role))) throw roleConflict(`A role named "${role.name}" exists already`);
      await r.audit.record(auditEntry(actor.id, 'role.created', ctx, { role: role.name, permissions: role.permissions, includes: role.includes, ...actorMeta(actor) }));
      return (await r.roles.find(role.name)) as RoleDefinition;
    });
  }

  async update(actor: RoleActor, name: string, change: RoleChange, ctx: RequestContext): Promise<RoleDefinition> {
    const { result, revoked } = await this.withRevocations(async (r, now) => {
      await r.roles.lock();
      const before = byName(await r.roles.list());
      const current = before.get(name);
      if (!current) throw Errors.notFound('Role');
      const next = {
        description: change.description === undefined ? current.description : change.description,
        permissions: change.permissions ? normalised(change.permissions) : current.permissions,
        includes: change.includes ? normalised(change.includes) : current.includes,
      };
      checkDefinition({ name, ...next });
      this.checkIncludes(before, name, next.includes);
      const updated = (await r.roles.update(name, next)) as RoleDefinition;
      const after = new Map(before).set(name, updated);
      // Holders of this role or of any role including it may have lost something.
      const touched = [...before.keys()].filter((role) => effectiveAccess(before, [role]).roles.includes(name));
      const holders = await r.roles.holders(touched);
      const ended = await this.endSessionsOfLosers(r, now, actor, ctx, holders.map((h) => ({ ...h, before: effectiveAccess(before, heldRoles(h.builtIn, h.assigned)), after: effectiveAccess(after, heldRoles(h.builtIn, h.assigned)) })));
      const diff = (a: string[], b: string[]) => a.filter((x) => !b.includes(x));
      await r.audit.record(
        auditEntry(actor.id, 'role.updated', ctx, {
          role: name,
          permissionsAdded: diff(next.permissions, current.permissions),
          permissionsRemoved: diff(current.permissions, next.permissions),
          includesAdded: diff(next.includes, current.includes),
          includesRemoved: diff(current.includes, next.includes),
          usersAffected: ended.users,
          ...actorMeta(actor),
        }),
      );
      return { result: updated, revoked: ended.sessionIds };
    });
    if (revoked.length) await this.revocations.revoke(revoked);
    return result;
  }

  async delete(actor: RoleActor, name: string, ctx: RequestContext): Promise<void> {
    const { revoked } = await this.withRevocations(async (r, now) => {
      await r.roles.lock();
      const before = byName(await r.roles.list());
      const role = before.get(name);
      if (!role) throw Errors.notFound('Role');
      if (role.builtIn || isBuiltInRole(name)) throw roleConflict(`The built-in role "${name}" cannot be deleted`);
      const includedBy = [...before.values()].filter((d) => d.includes.includes(name)).map((d) => d.name);
      if (includedBy.length) throw roleConflict(`Role "${name}" is included by ${includedBy.join(', ')}: remove it there first`);
      const holders = await r.roles.holders([name]);
      await r.roles.delete(name);
      const after = new Map(before);
      after.delete(name);
      const ended = await this.endSessionsOfLosers(
        r, now, actor, ctx,
        holders.map((h) => ({ ...h, before: effectiveAccess(before, heldRoles(h.builtIn, h.assigned)), after: effectiveAccess(after, heldRoles(h.builtIn, h.assigned.filter((n) => n !== name))) })),
      );
      await r.audit.record(auditEntry(actor.id, 'role.deleted', ctx, { role: name, permissions: role.permissions, includes: role.includes, usersAffected: ended.users, ...actorMeta(actor) }));
      return { result: undefined, revoked: ended.sessionIds };
    });
    if (revoked.length) await this.revocations.revoke(revoked);
  }

  /**
   * Gives a user a role. `admin` makes the account an administrator (User.role); `user` every account holds.
   * Takes effect at the user's next refresh (or sign-in).
   */
  async grant(actor: RoleActor, userId: string, roleName: string, ctx: RequestContext): Promise<UserAccess> {
    if (roleName === 'user') throw Errors.validation([{ field: 'role', message: 'every account holds the built-in role "user" (or "admin", which includes it)' }]);
    return this.uow.run(async (r) => {
      await r.roles.lock();
      const user = await this.liveUser(r, userId);
      if (!(await r.roles.find(roleName))) throw Errors.notFound('Role');
      let changed: boolean;
      if (roleName === 'admin') {
        changed = user.role !== 'admin';
        if (changed) await r.users.setRole(user.id, 'admin');
      } else {
        changed = await r.roles.grant(user.id, roleName, actor.id);
      }
      if (changed) await r.audit.record(auditEntry(user.id, 'role.granted', ctx, { role: roleName, ...actorMeta(actor) }));
      return this.accessOf(r, roleName === 'admin' ? { ...user, role: 'admin' } : user);
    });
  }

  /**
   * Takes a role from a user. Taking `admin` makes the account a plain user, refused for the last active
   * administrator. Whatever the user lost ends their sessions at once (docs/roles.md).
   */
  async revoke(actor: RoleActor, userId: string, roleName: string, ctx: RequestContext): Promise<UserAccess> {
    if (roleName === 'user') throw Errors.validation([{ field: 'role', message: 'the built-in role "user" cannot be taken away' }]);
    const { result, revoked } = await this.withRevocations(async (r, now) => {
      await r.roles.lock();
      const user = await this.liveUser(r, userId);
      const definitions = byName(await r.roles.list());
      const assigned = await r.roles.assigned(user.id);
      const before = effectiveAccess(definitions, heldRoles(user.role, assigned));
      let builtIn: Role = user.role;
      let after: string[] = assigned;
      if (roleName === 'admin') {
        if (user.role !== 'admin') throw Errors.notFound('Role grant');
        if (user.status === 'active' && (await r.roles.countActiveAdmins()) <= 1) throw Errors.lastAdmin();
        await r.users.setRole(user.id, 'user');
        builtIn = 'user';
      } else {
        if (!(await r.roles.revoke(user.id, roleName))) throw Errors.notFound('Role grant');
        after = assigned.filter((n) => n !== roleName);
      }
      const ended = await this.endSessionsOfLosers(r, now, actor, ctx, [{ userId: user.id, before, after: effectiveAccess(definitions, heldRoles(builtIn, after)) }]);
      await r.audit.record(auditEntry(user.id, 'role.revoked', ctx, { role: roleName, sessionsEnded: ended.sessionIds.length, ...actorMeta(actor) }));
      return { result: await this.accessOf(r, { ...user, role: builtIn }), revoked: ended.sessionIds };
    });
    if (revoked.length) await this.revocations.revoke(revoked);
    return result;
  }

  private async withRevocations<T>(work: (r: Repositories, now: Date) => Promise<{ result: T; revoked: string[] }>) {
    return this.uow.run((r) => work(r, this.clock.now()));
  }

  /** Ends every session of each user who lost a role or permission; one `session.revoked` row per user. */
  private async endSessionsOfLosers(
    r: Repositories,
    now: Date,
    actor: RoleActor,
    ctx: RequestContext,
    users: { userId: string; before: EffectiveAccess; after: EffectiveAccess }[],
  ): Promise<{ sessionIds: string[]; users: number }> {
    const sessionIds: string[] = [];
    let count = 0;
    for (const u of users) {
      if (!lostAccess(u.before, u.after)) continue;
      count += 1;
      const ids = await r.sessions.revoke({ userId: u.userId }, 'permissions_changed', now);
      if (ids.length) {
        await r.audit.record(auditEntry(u.userId, 'session.revoked', ctx, { reason: 'permissions_changed', sessionIds: ids, count: ids.length, ...actorMeta(actor) }));
      }
      sessionIds.push(...ids);
    }
    return { sessionIds, users: count };
  }

  private async liveUser(r: Repositories, userId: string): Promise<User> {
    const user = await r.users.findById(userId);
    if (!user || user.deletedAt) throw Errors.notFound('User');
    return user;
  }

  private async accessOf(r: Repositories, user: Pick<User, 'id' | 'role'>): Promise<UserAccess> {
    const [definitions, assigned] = await Promise.all([r.roles.list(), r.roles.assigned(user.id)]);
    return { userId: user.id, builtIn: user.role, assigned, ...effectiveAccess(byName(definitions), heldRoles(user.role, assigned)) };
  }

  private checkIncludes(definitions: Definitions, name: string, includes: string[]): void {
    const unknown = includes.filter((n) => n !== name && !definitions.has(n));
    if (unknown.length) throw Errors.validation([{ field: 'includes', message: `unknown role(s): ${unknown.join(', ')}` }]);
    const cycle = cycleThrough(definitions, name, includes);
    if (cycle) throw Errors.roleCycle(cycle);
  }
}

const actorMeta = (actor: RoleActor) => ({ source: actor.source, ...(actor.id ? { actorId: actor.id } : {}) });

const roleConflict = (message: string) => new DomainError('ROLE_CONFLICT', message);

/** The rules of names and permissions, for every caller (the HTTP layer checks the same shapes first). */
function checkDefinition(role: { name: string; description: string | null; permissions: string[]; includes: string[] }): void {
  const problems: FieldProblem[] = [];
  if (!ROLE_NAME_PATTERN.test(role.name)) problems.push({ field: 'name', message: 'name must be 1–64 characters: a lower-case letter, then letters, digits, "_", "." or "-"' });
  if (role.description !== null && role.description.length > ROLE_LIMITS.description) problems.push({ field: 'description', message: `description must be at most ${ROLE_LIMITS.description} characters` });
  const bad = role.permissions.filter((p) => p.length > PERMISSION_MAX_LENGTH || !PERMISSION_PATTERN.test(p));
  if (bad.length) problems.push({ field: 'permissions', message: `permissions must look like "orders:read" (resource:action, lower case): ${bad.slice(0, 5).join(', ')}` });
  if (role.permissions.length > ROLE_LIMITS.permissions) problems.push({ field: 'permissions', message: `at most ${ROLE_LIMITS.permissions} permissions` });
  const badIncludes = role.includes.filter((n) => !ROLE_NAME_PATTERN.test(n));
  if (badIncludes.length) problems.push({ field: 'includes', message: `includes must name roles: ${badIncludes.slice(0, 5).join(', ')}` });
  if (role.includes.length > ROLE_LIMITS.includes) problems.push({ field: 'includes', message: `at most ${ROLE_LIMITS.includes} included roles` });
  if (problems.length) throw Errors.validation(problems);
}
