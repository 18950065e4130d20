// /api/auth routes. Per-IP limits are mounted by the app on the whole prefix; per-account limits here.
import { Router, type RequestHandler } from 'express';
import type { AuthService } from '../../domain/auth.service';
import { authenticate } from '../../http/authenticate';
import { validate } from '../../http/validate';
import { AuthController } from './auth.controller';
import { loginRules, mfaLoginRules, refreshRules, registerRules } from './validators';

export interface AuthRouteDeps {
  auth: AuthService;
  /** Tighter per-account limit for password and second-factor attempts. */
  perAccount: RequestHandler;
}

/**
 * GET /api/auth/validate, mounted by the app ahead of everything else: it is the hottest route (every call
 * of every relying service), needs no body parsing, and is exempt from the per-IP limit.
 */
export function validateRoute(auth: AuthService): RequestHandler {
  return new AuthController(auth).validate;
}

export function authRoutes({ auth, perAccount }: AuthRouteDeps): Router {
  const c = new AuthController(auth);
  const router = Router();
  router.post('/register', validate(registerRules), c.register);
  router.post('/login', validate(loginRules), perAccount, c.login);
  router.post('/login/2fa', validate(mfaLoginRules), perAccount, c.loginSecondFactor);
  router.post('/refresh', validate(refreshRules), c.refresh);
  router.post('/logout', authenticate(auth), c.logout);
  router.post('/logout-all', authenticate(auth), c.logoutAll);
  return router;
}
