// /api/admin: bearer + role admin (one middleware); others get 403 FORBIDDEN.
import { Router } from 'express';
import type { AuthService } from '../../domain/auth.service';
import type { TwoFactorService } from '../../domain/two-factor.service';
import type { UserService } from '../../domain/user.service';
import { authenticate, requireRole } from '../../http/authenticate';
import { validate } from '../../http/validate';
import { retryReadOnce } from '../../http/safe-read';
import { AdminHandlers } from './admin.handlers';
import { findUsersRules, registrationsRules, userIdParam } from './admin.validators';

export function adminRoutes({ users, auth, twoFactor }: { users: UserService; auth: AuthService; twoFactor: TwoFactorService }): Router {
  const h = new AdminHandlers(users, twoFactor);
  const router = Router();
  router.use(authenticate(auth), requireRole('admin'));
  router.get('/registrations', validate(registrationsRules), retryReadOnce(h.listRegistrations));
  router.get('/users', validate(findUsersRules), retryReadOnce(h.findUsers));
  router.post('/registrations/:userId/approve', validate([userIdParam]), h.approveRegistration);
  router.post('/registrations/:userId/reject', validate([userIdParam]), h.rejectRegistration);
  router.post('/users/:userId/reset-2fa', validate([userIdParam]), h.resetTwoFactor);
  router.post('/users/:userId/revoke-sessions', validate([userIdParam]), h.revokeUserSessions);
  return router;
}
