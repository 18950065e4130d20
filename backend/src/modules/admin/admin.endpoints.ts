// /api/admin: each endpoint declared once (http/endpoint.ts), all for administrators (bearer + role admin;
// others get 403 FORBIDDEN). Thin calls into UserService and TwoFactorService, which the admin CLI calls too.
import type { AdminConsole } from '../../domain/admin-console';
import { Errors } from '../../domain/errors';
import type { TwoFactorService } from '../../domain/two-factor.service';
import type { UserService } from '../../domain/user.service';
import { claimsOf } from '../../http/authenticate';
import { requestContext } from '../../http/context';
import { endpoint, type Endpoint } from '../../http/endpoint';
import { adminSessionView, profile, publicUser } from '../../http/mappers';
import { findUsersQuery, registrationsQuery, userPath } from './admin.validators';

export function adminEndpoints({ users, twoFactor, adminConsole }: { users: UserService; twoFactor: TwoFactorService; adminConsole: AdminConsole }): Endpoint[] {
  return [
    endpoint({
      method: 'GET', path: '/api/admin/registrations', operationId: 'listRegistrations', access: 'admin',
      query: registrationsQuery,
      handler: async (req, res) => {
        const list = await users.listRegistrations(req.query.status ?? 'pending');
        res.json({
          registrations: list.map((u) => ({ userId: u.id, email: u.email, username: u.username, status: u.status, createdAt: u.createdAt.toISOString() })),
        });
      },
    }),
    // "Find a user" for the admin page (added to the contract): part of an email or username, or an id;
    // issue 28 added the status and role filters and paging (the answer then says whether more follow).
    endpoint({
      method: 'GET', path: '/api/admin/users', operationId: 'adminFindUsers', access: 'admin',
      query: findUsersQuery,
      handler: async (req, res) => {
        const { query, status, role, limit, offset } = req.query;
        if (query === undefined && !status && !role) throw Errors.validation([{ field: 'query', message: 'query is required' }]);
        const page = await adminConsole.find({ text: query, status, role }, { limit: limit ? Number(limit) : 20, offset: offset ? Number(offset) : 0 });
        res.json({ users: page.users.map(profile), hasMore: page.hasMore });
      },
    }),
    endpoint({
      method: 'POST', path: '/api/admin/registrations/:userId/approve', operationId: 'approveRegistration', access: 'admin-action',
      params: userPath,
      handler: async (req, res) => {
        res.json({ user: publicUser(await users.approveRegistration(claimsOf(req).sub, req.params.userId, requestContext(req))) });
      },
    }),
    endpoint({
      method: 'POST', path: '/api/admin/registrations/:userId/reject', operationId: 'rejectRegistration', access: 'admin-action',
      params: userPath,
      handler: async (req, res) => {
        res.json({ user: publicUser(await users.rejectRegistration(claimsOf(req).sub, req.params.userId, requestContext(req))) });
      },
    }),
    // Account recovery when a user lost authenticator and backup codes (added to the contract).
    endpoint({
      method: 'POST', path: '/api/admin/users/:userId/reset-2fa', operationId: 'adminResetTwoFactor', access: 'admin-action',
      params: userPath,
      handler: async (req, res) => {
        await twoFactor.adminReset(claimsOf(req).sub, req.params.userId, requestContext(req));
        res.json({ enabled: false });
      },
    }),
    // A user's live sessions with where they are (issue 33), for the admin page's user entry.
    endpoint({
      method: 'GET', path: '/api/admin/users/:userId/sessions', operationId: 'adminListUserSessions', access: 'admin',
      params: userPath,
      handler: async (req, res) => {
        res.json({ sessions: (await users.userSessions(req.params.userId)).map(adminSessionView) });
      },
    }),
    endpoint({
      method: 'POST', path: '/api/admin/users/:userId/revoke-sessions', operationId: 'adminRevokeSessions', access: 'admin-action',
      params: userPath,
      handler: async (req, res) => {
        res.json({ revoked: await users.revokeUserSessions(claimsOf(req).sub, req.params.userId, requestContext(req)) });
      },
    }),
  ];
}
