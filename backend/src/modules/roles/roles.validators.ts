// Shapes of /api/admin/roles bodies and paths (http/fields.ts). The rules on values (name and permission
// patterns, unknown roles, cycles) are RoleService's, which checks them whatever the shape let through.
import { ROLE_LIMITS } from '../../domain/roles/role.service';
import { field, uuid } from '../../http/fields';

const stringList = (max: number) => field<string[] | undefined>((c, name) => c.optional().isArray({ max }).withMessage(`${name} must be a list of at most ${max} strings`).bail()
  .custom((v: unknown[]) => v.every((x) => typeof x === 'string')).withMessage(`${name} must be a list of strings`));
const description = () => field<string | null | undefined>((c, name) => c.optional({ values: 'undefined' })
  .custom((v) => v === null || (typeof v === 'string' && v.length <= ROLE_LIMITS.description)).withMessage(`${name} must be a string of at most ${ROLE_LIMITS.description} characters, or null`));
const roleName = () => field<string>((c, name) => c.exists({ values: 'null' }).withMessage(`${name} is required`).bail()
  .isString().withMessage(`${name} must be a string`).bail().isLength({ min: 1, max: 64 }).withMessage(`${name} must be 1–64 characters`));

export const rolePath = { name: field<string>((c, name) => c.isString().isLength({ min: 1, max: 64 }).withMessage(`${name} must be 1–64 characters`)) };
export const userPath = { userId: uuid() };
export const userRolePath = { userId: uuid(), name: rolePath.name };

export const createRoleBody = {
  name: roleName(),
  description: description(),
  permissions: stringList(ROLE_LIMITS.permissions),
  includes: stringList(ROLE_LIMITS.includes),
};

export const updateRoleBody = {
  description: description(),
  permissions: stringList(ROLE_LIMITS.permissions),
  includes: stringList(ROLE_LIMITS.includes),
  name: field<undefined>((c, name) => c.not().exists().withMessage(`${name} cannot be changed`)),
};

export const grantRoleBody = { role: roleName() };
