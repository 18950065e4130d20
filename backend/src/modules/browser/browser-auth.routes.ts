// /api/auth/browser: the same sign-in, 2FA, refresh and logout as /api/auth, for a web page. The refresh
// token travels in an HttpOnly cookie instead of the JSON body, so page scripts (and any XSS) never see it;
// the access token is returned in the body and kept in memory by the page. Native apps keep using /api/auth.
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { AuthService } from '../../domain/auth.service';
import { DomainError, Errors } from '../../domain/errors';
import type { TokenPair } from '../../domain/types';
import { bearerToken } from '../../http/authenticate';
import { noStore, requestContext } from '../../http/context';
import { publicUser } from '../../http/mappers';
import { validate } from '../../http/validate';
import { loginRules, mfaLoginRules } from '../auth/validators';
import { clearRefreshCookie, readRefreshCookie, setRefreshCookie, type CookieSettings } from './refresh-cookie';
import { sameOriginOnly } from './same-origin';

export interface BrowserAuthDeps {
  auth: AuthService;
  cookie: CookieSettings;
  /** Per-account limit on password and second-factor attempts, as on /api/auth. */
  perAccount: RequestHandler;
  /** CORS_ORIGINS: other origins of the operator's own that may use the cookie endpoints. */
  trustedOrigins?: readonly string[];
}

/** The token response without the refresh token (it went into the cookie). */
const browserTokens = (t: TokenPair) => ({ accessToken: t.accessToken, tokenType: t.tokenType, expiresIn: t.expiresIn, sessionId: t.sessionId, user: publicUser(t.user) });

export function browserAuthRoutes({ auth, cookie, perAccount, trustedOrigins = [] }: BrowserAuthDeps): Router {
  const router = Router();
  router.use(sameOriginOnly(trustedOrigins));

  const issue = (req: Request, res: Response, pair: TokenPair) => {
    setRefreshCookie(req, res, pair.refreshToken, cookie);
    noStore(res).json(browserTokens(pair));
  };

  router.post('/login', validate(loginRules), perAccount, async (req: Request, res: Response) => {
    const { email, password, deviceName } = req.body;
    const result = await auth.login({ email, password, deviceName: deviceName || null }, requestContext(req));
    if ('mfaRequired' in result) noStore(res).json(result);
    else issue(req, res, result);
  });

  router.post('/login/2fa', validate(mfaLoginRules), perAccount, async (req: Request, res: Response) => {
    const { mfaToken, code, backupCode } = req.body;
    const factor = typeof code === 'string' ? { code } : { backupCode: backupCode as string };
    issue(req, res, await auth.completeMfaLogin(mfaToken, factor, requestContext(req)));
  });

  router.post('/refresh', async (req, res) => {
    const token = readRefreshCookie(req);
    if (!token) throw Errors.invalidRefreshToken();
    try {
      issue(req, res, await auth.refresh(token, requestContext(req)));
    } catch (err) {
      // A dead refresh token is of no further use: drop the cookie so the page goes straight to sign-in.
      if (err instanceof DomainError) clearRefreshCookie(req, res, cookie);
      throw err;
    }
  });

  // Ends this session when the access token still works, and always forgets the cookie: signing out of a
  // session that was already revoked elsewhere must still leave the browser signed out.
  router.post('/logout', async (req, res) => {
    const token = bearerToken(req);
    if (token) {
      try {
        await auth.logout(auth.authenticate(token), requestContext(req));
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
      }
    }
    clearRefreshCookie(req, res, cookie);
    res.status(204).end();
  });
  return router;
}
