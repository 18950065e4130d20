// /api/auth/browser: the same sign-in, 2FA, refresh and logout as /api/auth, for a web page. The refresh
// token travels in an HttpOnly cookie; the access token is returned in the body and kept in memory by the
// page. Native apps keep using /api/auth. Cross-site requests are refused before anything else runs.
import { Router } from 'express';
import type { AuthService } from '../../domain/auth.service';
import { emailKey, mfaTokenKey } from '../../http/rate-limit-keys';
import type { RateLimits } from '../../http/rate-limits';
import { validate } from '../../http/validate';
import { loginRules, mfaLoginRules } from '../auth/auth.validators';
import { BrowserAuthHandlers } from './browser.handlers';
import type { CookieSettings } from './refresh-cookie';
import { sameOriginOnly } from './same-origin';

export interface BrowserAuthDeps {
  auth: AuthService;
  cookie: CookieSettings;
  /** Per-account limit on password and second-factor attempts, as on /api/auth. */
  perAccount: RateLimits['perAccount'];
  /** CORS_ORIGINS: other origins of the operator's own that may use the cookie endpoints. */
  trustedOrigins?: readonly string[];
}

export function browserAuthRoutes({ auth, cookie, perAccount, trustedOrigins = [] }: BrowserAuthDeps): Router {
  const h = new BrowserAuthHandlers(auth, cookie);
  const router = Router();
  router.use(sameOriginOnly(trustedOrigins));
  router.post('/login', validate(loginRules), perAccount(emailKey('email')), h.login);
  router.post('/login/2fa', validate(mfaLoginRules), perAccount(mfaTokenKey), h.loginSecondFactor);
  router.post('/refresh', h.refresh);
  router.post('/logout', h.logout);
  return router;
}
