// /api/auth routes. Per-IP limits are mounted by the app on the whole prefix; per-account limits here.
import { Router, type RequestHandler } from 'express';
import type { AuthService } from '../../domain/auth.service';
import { authenticate } from '../../http/authenticate';
import { emailKey, mfaTokenKey } from '../../http/rate-limit-keys';
import type { RateLimits } from '../../http/rate-limits';
import { validate } from '../../http/validate';
import { jsonBody, readLeanJson, simpleBytes } from '../../http/json-body';
import { step, type LeanHandler } from '../../http/lean-route';
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
export function validateRoute(auth: AuthService): LeanHandler {
  return new AuthHandlers(auth).validate;
}

/**
 * POST /api/auth/refresh on the lean chain (mounted by the app ahead of the app-wide middleware, see
 * http/lean-route.ts), with the steps of the ordinary chain in the same order: JSON body (the lean reader
 * for everyday requests, body-parser for anything else), the per-IP limit, the field check, the rotation.
 */
export function refreshRoute({ auth, perIp, bodyLimit }: { auth: AuthService; perIp: RequestHandler; bodyLimit: string }): LeanHandler {
  const h = new AuthHandlers(auth);
  const parse = jsonBody(bodyLimit);
  const limitBytes = simpleBytes(bodyLimit) ?? 0;
  return async (req, res) => {
    const lean = readLeanJson(req, limitBytes);
    if (lean) req.body = await lean;
    else await step(parse, req, res);
    await step(perIp, req, res);
    await h.refresh(req, res);
  };
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
