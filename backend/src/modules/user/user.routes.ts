// /api/user: everything here requires a bearer token.
import { Router, type RequestHandler } from 'express';
import type { AccountDeletion } from '../../domain/account-deletion';
import type { AuthService } from '../../domain/auth.service';
import type { SessionService } from '../../domain/session.service';
import type { UserService } from '../../domain/user.service';
import { authenticate } from '../../http/authenticate';
import type { LeanHandler } from '../../http/lean-route';
import { validate } from '../../http/validate';
import { retryReadOnce } from '../../http/safe-read';
import { UserHandlers } from './user.handlers';
import { Errors } from '../../domain/errors';
import { changePasswordRules, deleteAccountRules, renameSessionRules, securityEventsRules, sessionIdParam } from './user.validators';

export interface UserRouteDeps {
  users: UserService;
  auth: AuthService;
  sessions: SessionService;
  accountDeletion: AccountDeletion;
  /** Per-user limit on requests that check the current password. */
  perUser: RequestHandler;
}

/** GET /api/user/me and /api/user/sessions for the lean chain (http/lean-route.ts); each authenticates itself. */
export function leanUserRoutes({ users, auth, sessions, accountDeletion }: Omit<UserRouteDeps, 'perUser'>): { me: LeanHandler; sessions: LeanHandler } {
  const h = new UserHandlers(users, auth, sessions, accountDeletion);
  // Safe reads: tried once more after a connection error, as on the ordinary chain (safe-read.ts).
  return { me: retryReadOnce(h.me), sessions: retryReadOnce(h.listSessions) };
}

export function userRoutes({ users, auth, sessions, accountDeletion, perUser }: UserRouteDeps): Router {
  const h = new UserHandlers(users, auth, sessions, accountDeletion);
  const router = Router();
  router.use(authenticate(auth));
  // GET /me and GET /sessions: leanUserRoutes above, mounted ahead of this router.
  router.post('/change-password', validate(changePasswordRules), perUser, h.changePassword);
  // Before /:sessionId, so "others" is not taken for an id.
  router.delete('/sessions/others', h.revokeOtherSessions);
  // The contract answers 404 NOT_FOUND for any id that names none of the caller's live sessions, malformed ones included.
  router.delete('/sessions/:sessionId', validate(sessionIdParam, () => Errors.notFound('Session')), h.revokeSession);
  router.patch('/sessions/:sessionId', validate(sessionIdParam, () => Errors.notFound('Session')), validate(renameSessionRules), h.renameSession);
  router.post('/delete-account', validate(deleteAccountRules), perUser, h.deleteAccount);
  router.get('/security-events', validate(securityEventsRules), retryReadOnce(h.securityEvents));
  return router;
}
