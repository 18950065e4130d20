// /api/auth routes. Per-IP limits are mounted by the app on the whole prefix; per-account limits here.
import { Router, type RequestHandler } from 'express';
import type { AuthService } from '../../domain/auth.service';
import { authenticate } from '../../http/authenticate';
import { validate } from '../../http/validate';
import { AuthController } from './auth.controller';
import { jsonBody, readLeanJson, simpleBytes } from '../../http/json-body';
import { step, type LeanHandler } from '../../http/lean-route';
import { loginRules, mfaLoginRules, registerRules } from './validators';

export interface AuthRouteDeps {
  auth: AuthService;
  /** Tighter per-account limit for password and second-factor attempts. */
  perAccount: RequestHandler;
}

/**
 * GET /api/auth/validate, mounted by the app ahead of everything else: it is the hottest route (every call
 * of every relying service), needs no body parsing, and is exempt from the per-IP limit.
 */
export function validateRoute(auth: AuthService): LeanHandler {
  return new AuthController(auth).validate;
}

/**
 * POST /api/auth/refresh on the lean chain (mounted by the app ahead of the app-wide middleware, see
 * http/lean-route.ts), with the steps of the ordinary chain in the same order: JSON body (the lean reader
 * for everyday requests, body-parser for anything else), the per-IP limit, the field check, the rotation.
 */
export function refreshRoute({ auth, perIp, bodyLimit }: { auth: AuthService; perIp: RequestHandler; bodyLimit: string }): LeanHandler {
  const c = new AuthController(auth);
  const parse = jsonBody(bodyLimit);
  const limitBytes = simpleBytes(bodyLimit) ?? 0;
  return async (req, res) => {
    const lean = readLeanJson(req, limitBytes);
    if (lean) req.body = await lean;
    else await step(parse, req, res);
    await step(perIp, req, res);
    await c.refresh(req, res);
  };
}

export function authRoutes({ auth, perAccount }: AuthRouteDeps): Router {
  const c = new AuthController(auth);
  const router = Router();
  router.post('/register', validate(registerRules), c.register);
  router.post('/login', validate(loginRules), perAccount, c.login);
  router.post('/login/2fa', validate(mfaLoginRules), perAccount, c.loginSecondFactor);
  // POST /refresh: refreshRoute above, mounted ahead of this router.
  router.post('/logout', authenticate(auth), c.logout);
  router.post('/logout-all', authenticate(auth), c.logoutAll);
  return router;
}
