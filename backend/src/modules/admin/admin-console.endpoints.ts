// The administrator's console over HTTP (issue 28): one user's page and the account-changing actions. All
// `access: 'admin'` like the rest of /api/admin; the actions also need a recent sign-in (and aal 2 when the
// admin has 2FA on) — AdminConsole checks that and answers 403 REAUTH_REQUIRED otherwise.
import type { AdminActor, AdminConsole } from '../../domain/admin-console';
import { Errors } from '../../domain/errors';
import { claimsOf } from '../../http/authenticate';
import { requestContext } from '../../http/context';
import { endpoint, type Endpoint } from '../../http/endpoint';
import { publicUser } from '../../http/mappers';
import type { Request } from 'express';
import { adminUserView } from './admin-console.mappers';
import { userPath } from './admin.validators';

const actor = (req: Request): AdminActor => {
  const claims = claimsOf(req);
  return { source: 'api', id: claims.sub, sessionId: claims.sid };
};

export function adminConsoleEndpoints({ adminConsole }: { adminConsole: AdminConsole }): Endpoint[] {
  const notFound = () => Errors.notFound('User');
  return [
    endpoint({
      method: 'GET', path: '/api/admin/users/:userId', operationId: 'adminGetUser', access: 'admin',
      params: userPath, invalidParams: notFound,
      handler: async (req, res) => {
        res.json(adminUserView(await adminConsole.details(req.params.userId)));
      },
    }),
    endpoint({
      method: 'POST', path: '/api/admin/users/:userId/disable', operationId: 'adminDisableUser', access: 'admin-action',
      params: userPath, invalidParams: notFound,
      handler: async (req, res) => {
        res.json({ user: publicUser(await adminConsole.disable(actor(req), req.params.userId, requestContext(req))) });
      },
    }),
    endpoint({
      method: 'POST', path: '/api/admin/users/:userId/enable', operationId: 'adminEnableUser', access: 'admin-action',
      params: userPath, invalidParams: notFound,
      handler: async (req, res) => {
        res.json({ user: publicUser(await adminConsole.enable(actor(req), req.params.userId, requestContext(req))) });
      },
    }),
    endpoint({
      method: 'POST', path: '/api/admin/users/:userId/password-reset', operationId: 'adminSendPasswordReset', access: 'admin-action',
      params: userPath, invalidParams: notFound,
      handler: async (req, res) => {
        await adminConsole.sendPasswordReset(actor(req), req.params.userId, requestContext(req));
        res.status(202).json({ sent: true });
      },
    }),
    endpoint({
      method: 'DELETE', path: '/api/admin/users/:userId', operationId: 'adminDeleteUser', access: 'admin-action',
      params: userPath, invalidParams: notFound,
      handler: async (req, res) => {
        res.json({ deleted: true, sessionsEnded: await adminConsole.delete(actor(req), req.params.userId, requestContext(req)) });
      },
    }),
  ];
}
