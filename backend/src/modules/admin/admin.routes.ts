// /api/admin: bearer + role admin (one middleware); others get 403 FORBIDDEN.
import { Router, type Request, type Response } from 'express';
import { param, query } from 'express-validator';
import type { AuthService } from '../../domain/auth.service';
import type { TwoFactorService } from '../../domain/two-factor.service';
import type { UserService } from '../../domain/user.service';
import { authenticate, claimsOf, requireRole } from '../../http/authenticate';
import { requestContext } from '../../http/context';
import { profile } from '../../http/mappers';
import { validate } from '../../http/validate';

const userIdParam = param('userId').isUUID().withMessage('userId must be a UUID');

export function adminRoutes({ users, auth, twoFactor }: { users: UserService; auth: AuthService; twoFactor: TwoFactorService }): Router {
  const router = Router();
  router.use(authenticate(auth), requireRole('admin'));

  router.get(
    '/registrations',
    validate([query('status').optional().isIn(['pending', 'active', 'disabled']).withMessage('status must be pending, active or disabled')]),
    async (req: Request, res: Response) => {
      const status = (req.query.status as 'pending' | 'active' | 'disabled' | undefined) ?? 'pending';
      const list = await users.listRegistrations(status);
      res.json({
        registrations: list.map((u) => ({ userId: u.id, email: u.email, username: u.username, status: u.status, createdAt: u.createdAt.toISOString() })),
      });
    },
  );

  // "Find a user" for the admin page (added to the contract): part of an email or username, or an id.
  router.get(
    '/users',
    validate([
      query('query').exists().withMessage('query is required').bail().isString().withMessage('query must be given once').bail()
        .trim().isLength({ min: 1, max: 254 }).withMessage('query must be 1–254 characters'),
    ]),
    async (req: Request, res: Response) => {
      const list = await users.findUsers(String(req.query.query));
      res.json({ users: list.map(profile) });
    },
  );

  const decide = (action: 'approve' | 'reject') => async (req: Request, res: Response) => {
    const fn = action === 'approve' ? users.approveRegistration : users.rejectRegistration;
    const user = await fn.call(users, claimsOf(req).sub, String(req.params.userId), requestContext(req));
    res.json({ user: { id: user.id, email: user.email, username: user.username, role: user.role, status: user.status } });
  };
  router.post('/registrations/:userId/approve', validate([userIdParam]), decide('approve'));
  router.post('/registrations/:userId/reject', validate([userIdParam]), decide('reject'));

  // Account recovery when a user lost authenticator and backup codes (added to the contract).
  router.post('/users/:userId/reset-2fa', validate([userIdParam]), async (req: Request, res: Response) => {
    await twoFactor.adminReset(claimsOf(req).sub, String(req.params.userId), requestContext(req));
    res.json({ enabled: false });
  });

  router.post('/users/:userId/revoke-sessions', validate([userIdParam]), async (req: Request, res: Response) => {
    const revoked = await users.revokeUserSessions(claimsOf(req).sub, String(req.params.userId), requestContext(req));
    res.json({ revoked });
  });
  return router;
}
