// /api/auth routes. Per-IP limits are mounted by the app on the whole prefix; per-account limits here.
import { Router } from 'express';
import type { AuthService } from '../../domain/auth.service';
import { authenticate } from '../../http/authenticate';
import { emailKey, mfaTokenKey } from '../../http/rate-limit-keys';
import type { RateLimits } from '../../http/rate-limits';
import { validate } from '../../http/validate';
import type { HotHandler } from '../../http/hot-route';
import { AuthHandlers } from './auth.handlers';
import { loginRules, mfaLoginRules, registerRules } from './auth.validators';

export interface AuthRouteDeps {
  auth: AuthService;
  /** Tighter per-account limit for password and second-factor attempts, keyed per route below. */
  perAccount: RateLimits['perAccount'];
}

/**
 * GET /api/auth/validate, mounted by the app ahead of everything else: it is the hottest route (every call
 * of every relying service), needs no body parsing, and is exempt from the per-IP limit.
 */
export function validateRoute(auth: AuthService): HotHandler {
  return new AuthHandlers(auth).validate;
}

/**
 * POST /api/auth/refresh, a hot route (http/hot-route.ts): the app declares it with the steps of the ordinary
 * chain (JSON body, then the per-IP limit); the field check and the rotation are the handler's.
 */
export function refreshRoute(auth: AuthService): HotHandler {
  return new AuthHandlers(auth).refresh;
}

export function authRoutes({ auth, perAccount }: AuthRouteDeps): Router {
  const h = new AuthHandlers(auth);
  const router = Router();
  router.post('/register', validate(registerRules), h.register);
  router.post('/login', validate(loginRules), perAccount(emailKey('email')), h.login);
  router.post('/login/2fa', validate(mfaLoginRules), perAccount(mfaTokenKey), h.loginSecondFactor);
  // POST /refresh: refreshRoute above, mounted ahead of this router.
  router.post('/logout', authenticate(auth), h.logout);
  router.post('/logout-all', authenticate(auth), h.logoutAll);
  return router;
}
