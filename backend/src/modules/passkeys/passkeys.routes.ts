// Passkey routes (docs/passkeys.md):
//   /api/user/passkeys            list, registration options/verify, rename, remove (bearer token)
//   /api/auth/passkey             passwordless sign-in options/verify, and the passkey second factor
//   /api/auth/browser/passkey     the same sign-ins with the refresh token in the HttpOnly cookie
import { Router, type RequestHandler } from 'express';
import type { AuthService } from '../../domain/auth.service';
import { Errors } from '../../domain/errors';
import type { PasskeyService } from '../../domain/passkeys/passkey.service';
import { authenticate } from '../../http/authenticate';
import { mfaTokenKey } from '../../http/rate-limit-keys';
import type { RateLimits } from '../../http/rate-limits';
import { retryReadOnce } from '../../http/safe-read';
import { validate } from '../../http/validate';
import type { CookieSettings } from '../browser/refresh-cookie';
import { BrowserPasskeyHandlers, PasskeyHandlers } from './passkeys.handlers';
import {
  passkeyIdParam,
  registrationOptionsRules,
  registrationVerifyRules,
  removeRules,
  renameRules,
  secondFactorOptionsRules,
  secondFactorRules,
  signInRules,
} from './passkeys.validators';

export interface PasskeyRouteDeps {
  passkeys: PasskeyService;
  auth: AuthService;
  /** Per-user limit on the routes that may check the password (options, remove). */
  perUser: RequestHandler;
  /** Per-account limit on the second factor, keyed by the mfaToken as at /login/2fa. */
  perAccount: RateLimits['perAccount'];
}

/** Mounted at /api/user/passkeys. */
export function passkeyAccountRoutes({ passkeys, auth, perUser }: PasskeyRouteDeps): Router {
  const h = new PasskeyHandlers(passkeys, auth);
  const router = Router();
  const id = validate(passkeyIdParam, () => Errors.notFound('Passkey'));
  router.use(authenticate(auth));
  router.get('/', retryReadOnce(h.list));
  router.post('/registration/options', validate(registrationOptionsRules), perUser, h.registrationOptions);
  router.post('/registration/verify', validate(registrationVerifyRules), perUser, h.register);
  router.patch('/:passkeyId', id, validate(renameRules), h.rename);
  router.delete('/:passkeyId', id, validate(removeRules), perUser, h.remove);
  return router;
}

/** Mounted at /api/auth (behind its per-IP limit). */
export function passkeyAuthRoutes({ passkeys, auth, perAccount }: PasskeyRouteDeps): Router {
  const h = new PasskeyHandlers(passkeys, auth);
  const router = Router();
  router.post('/passkey/options', h.signInOptions);
  router.post('/passkey/verify', validate(signInRules), h.signIn);
  router.post('/login/2fa/passkey/options', validate(secondFactorOptionsRules), perAccount(mfaTokenKey), h.secondFactorOptions);
  router.post('/login/2fa/passkey', validate(secondFactorRules), perAccount(mfaTokenKey), h.secondFactor);
  return router;
}

/** Mounted at /api/auth/browser after browserAuthRoutes, whose same-origin check runs first for these too. */
export function browserPasskeyRoutes(deps: { auth: AuthService; cookie: CookieSettings; perAccount: RateLimits['perAccount'] }): Router {
  const h = new BrowserPasskeyHandlers(deps.auth, deps.cookie);
  const router = Router();
  router.post('/passkey/verify', validate(signInRules), h.signIn);
  router.post('/login/2fa/passkey', validate(secondFactorRules), deps.perAccount(mfaTokenKey), h.secondFactor);
  return router;
}
