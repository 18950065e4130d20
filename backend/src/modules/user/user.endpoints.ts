// /api/user endpoints, each declared once (http/endpoint.ts): a bearer token is required for all of them.
// GET /me and GET /sessions are hot routes served by the fast path (user.routes.ts leanUserRoutes).
import type { RequestHandler } from 'express';
import type { AccountDeletion } from '../../domain/account-deletion';
import type { AuthService } from '../../domain/auth.service';
import type { SessionService } from '../../domain/session.service';
import type { UserService } from '../../domain/user.service';
import { Errors } from '../../domain/errors';
import { claimsOf } from '../../http/authenticate';
import { requestContext } from '../../http/context';
import { endpoint, type Endpoint } from '../../http/endpoint';
import { optionalText, text, uuid } from '../../http/fields';
import { profile, securityEvent, sessionView } from '../../http/mappers';
import { decodeCursor, encodeCursor } from './security-events-cursor';
import { changePasswordBody, profileBody, renameSessionBody, securityEventsQuery } from './user.validators';

export interface UserEndpointDeps {
  auth: AuthService;
  users: UserService;
  sessions: SessionService;
  accountDeletion: AccountDeletion;
  /** Per-user limit on requests that check the current password. */
  perUser: RequestHandler;
}

// The contract answers 404 NOT_FOUND for any id that names none of the caller's live sessions, malformed ones included.
const sessionPath = { params: { sessionId: uuid() }, invalidParams: () => Errors.notFound('Session') };

export function userEndpoints({ auth, users, sessions, accountDeletion, perUser }: UserEndpointDeps): Endpoint[] {
  return [
    endpoint({
      method: 'PATCH', path: '/api/user/me', operationId: 'updateProfile', access: 'user',
      body: profileBody,
      handler: async (req, res) => {
        res.json({ user: profile(await users.setDisplayName(claimsOf(req).sub, req.body.username)) });
      },
    }),
    endpoint({
      method: 'POST', path: '/api/user/change-password', operationId: 'changePassword', access: 'user',
      body: changePasswordBody,
      limits: [perUser],
      handler: async (req, res) => {
        const { currentPassword, newPassword } = req.body;
        res.json({ revokedSessions: await auth.changePassword(claimsOf(req), { currentPassword, newPassword }, requestContext(req)) });
      },
    }),
    // Before /sessions/:sessionId, so "others" is not taken for an id.
    endpoint({
      method: 'DELETE', path: '/api/user/sessions/others', operationId: 'revokeOtherSessions', access: 'user',
      handler: async (req, res) => {
        const { sub, sid } = claimsOf(req);
        res.json({ revoked: await sessions.revokeAll(sub, 'revoked_by_user', { type: 'session.revoked', ctx: requestContext(req) }, sid) });
      },
    }),
    endpoint({
      method: 'DELETE', path: '/api/user/sessions/:sessionId', operationId: 'revokeSession', access: 'user',
      ...sessionPath,
      handler: async (req, res) => {
        await sessions.revokeOne(claimsOf(req).sub, req.params.sessionId, requestContext(req));
        res.status(204).end();
      },
    }),
    endpoint({
      method: 'PATCH', path: '/api/user/sessions/:sessionId', operationId: 'renameSession', access: 'user',
      ...sessionPath,
      body: renameSessionBody,
      handler: async (req, res) => {
        const { sub, sid } = claimsOf(req);
        res.json({ session: sessionView(await sessions.rename(sub, req.params.sessionId, req.body.name), sid) });
      },
    }),
    // Ends every session at once; the page then shows the sign-in screen.
    endpoint({
      method: 'POST', path: '/api/user/delete-account', operationId: 'deleteAccount', access: 'user',
      // Code: required only while 2FA is on (AccountDeletion decides): a TOTP code or a backup code.
      body: { password: text(1024), code: optionalText(32) },
      limits: [perUser],
      handler: async (req, res) => {
        const { password, code } = req.body;
        const revokedSessions = await accountDeletion.delete(claimsOf(req).sub, { password, code }, requestContext(req));
        res.json({ deleted: true, revokedSessions });
      },
    }),
    // Keyset pagination: `?limit=50&before=<cursor from nextCursor>`.
    endpoint({
      method: 'GET', path: '/api/user/security-events', operationId: 'listSecurityEvents', access: 'user',
      query: securityEventsQuery,
      handler: async (req, res) => {
        const limit = Number(req.query.limit ?? 50);
        const before = req.query.before === undefined ? undefined : decodeCursor(req.query.before);
        const events = await users.securityEvents(claimsOf(req).sub, { limit: limit + 1, before });
        const page = events.slice(0, limit);
        const last = page[page.length - 1];
        const nextCursor = events.length > limit && last ? encodeCursor(last.createdAt, last.id) : null;
        res.json({ events: page.map(securityEvent), nextCursor });
      },
    }),
  ];
}
