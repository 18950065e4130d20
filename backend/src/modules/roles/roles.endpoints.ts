// /api/admin/roles and /api/admin/users/{userId}/roles (issue 28): role definitions and grants, for
// administrators only like the rest of /api/admin. Thin calls into RoleService, which the CLI
// (roles.cli.ts) calls too; every change is audited there.
import type { Request } from 'express';
import { Errors } from '../../domain/errors';
import type { RoleActor, RoleService } from '../../domain/roles/role.service';
import { claimsOf } from '../../http/authenticate';
import { requestContext } from '../../http/context';
import { endpoint, type Endpoint } from '../../http/endpoint';
import { objectBodyRequired } from '../oauth/oauth-clients.validators';
import { roleView, userAccessView } from './roles.mappers';
import { createRoleBody, grantRoleBody, rolePath, updateRoleBody, userPath, userRolePath } from './roles.validators';

const actor = (req: Request): RoleActor => ({ id: claimsOf(req).sub, source: 'api' });

/** Only the fields that were sent: an absent one is left as it is. */
const sent = <T extends object>(body: T): Partial<T> => Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)) as Partial<T>;

export function roleEndpoints({ roles }: { roles: RoleService }): Endpoint[] {
  const base = '/api/admin/roles';
  const withAll = async (role: Parameters<typeof roleView>[0]) => roleView(role, await roles.list());
  return [
    endpoint({
      method: 'GET', path: base, operationId: 'adminListRoles', access: 'admin',
      handler: async (_req, res) => {
        const all = await roles.list();
        res.json({ roles: all.map((r) => roleView(r, all)) });
      },
    }),
    endpoint({
      method: 'POST', path: base, operationId: 'adminCreateRole', access: 'admin-action',
      pre: [objectBodyRequired],
      body: createRoleBody,
      handler: async (req, res) => {
        const { name, description, permissions, includes } = req.body;
        const role = await roles.create(actor(req), { name, description, permissions, includes }, requestContext(req));
        res.status(201).json({ role: await withAll(role) });
      },
    }),
    endpoint({
      method: 'GET', path: `${base}/:name`, operationId: 'adminGetRole', access: 'admin',
      params: rolePath, invalidParams: () => Errors.notFound('Role'),
      handler: async (req, res) => {
        res.json({ role: await withAll(await roles.get(req.params.name)) });
      },
    }),
    endpoint({
      method: 'PATCH', path: `${base}/:name`, operationId: 'adminUpdateRole', access: 'admin-action',
      pre: [objectBodyRequired],
      params: rolePath, invalidParams: () => Errors.notFound('Role'),
      body: updateRoleBody,
      handler: async (req, res) => {
        const { description, permissions, includes } = req.body;
        const role = await roles.update(actor(req), req.params.name, sent({ description, permissions, includes }), requestContext(req));
        res.json({ role: await withAll(role) });
      },
    }),
    endpoint({
      method: 'DELETE', path: `${base}/:name`, operationId: 'adminDeleteRole', access: 'admin-action',
      params: rolePath, invalidParams: () => Errors.notFound('Role'),
      handler: async (req, res) => {
        await roles.delete(actor(req), req.params.name, requestContext(req));
        res.status(204).end();
      },
    }),
    endpoint({
      method: 'GET', path: '/api/admin/users/:userId/roles', operationId: 'adminGetUserRoles', access: 'admin',
      params: userPath, invalidParams: () => Errors.notFound('User'),
      handler: async (req, res) => {
        res.json(userAccessView(await roles.userAccess(req.params.userId)));
      },
    }),
    endpoint({
      method: 'POST', path: '/api/admin/users/:userId/roles', operationId: 'adminGrantRole', access: 'admin-action',
      params: userPath, invalidParams: () => Errors.notFound('User'),
      body: grantRoleBody,
      handler: async (req, res) => {
        res.json(userAccessView(await roles.grant(actor(req), req.params.userId, req.body.role, requestContext(req))));
      },
    }),
    endpoint({
      method: 'DELETE', path: '/api/admin/users/:userId/roles/:name', operationId: 'adminRevokeRole', access: 'admin-action',
      params: userRolePath, invalidParams: () => Errors.notFound('Role grant'),
      handler: async (req, res) => {
        res.json(userAccessView(await roles.revoke(actor(req), req.params.userId, req.params.name, requestContext(req))));
      },
    }),
  ];
}
