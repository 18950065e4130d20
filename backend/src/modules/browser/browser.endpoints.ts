// /api/auth/browser: the same sign-in, 2FA, refresh and logout as /api/auth, for a web page, each endpoint
// declared once (http/endpoint.ts). The refresh token travels in an HttpOnly cookie; the access token is
// returned in the body and kept in memory by the page. Native apps keep using /api/auth. Cross-site requests
// are refused before anything else runs. The app counts these against the per-IP limit.
import type { Request, Response } from 'express';
import type { AuthService } from '../../domain/auth.service';
import { DomainError, Errors } from '../../domain/errors';
import type { TokenPair } from '../../domain/types';
import { bearerToken } from '../../http/authenticate';
import { noStore, requestContext } from '../../http/context';
import { endpoint, type Endpoint } from '../../http/endpoint';
import { field } from '../../http/fields';
import { publicUser } from '../../http/mappers';
import { emailKey, mfaTokenKey } from '../../http/rate-limit-keys';
import type { RateLimits } from '../../http/rate-limits';
import { loginBody, mfaLoginBody, oneSecondFactor, secondFactorOf } from '../auth/auth.validators';
import { clearRefreshCookie, readAllRefreshCookies, readRefreshCookie, setRefreshCookie, type CookieSettings } from './refresh-cookie';
import { sameOriginOnly } from './same-origin';
import { readTrustedDeviceCookie, setTrustedDeviceCookie } from './trusted-device-cookie';

export interface BrowserAuthDeps {
  auth: AuthService;
  cookie: CookieSettings;
  /** Per-account limit on password and second-factor attempts, as on /api/auth. */
  perAccount: RateLimits['perAccount'];
  /** CORS_ORIGINS: other origins of the operator's own that may use the cookie endpoints. */
  trustedOrigins?: readonly string[];
}

/** The token response without the refresh token (it went into the cookie). */
const browserTokens = (t: TokenPair) => ({ accessToken: t.accessToken, tokenType: t.tokenType, expiresIn: t.expiresIn, sessionId: t.sessionId, user: publicUser(t.user) });

export function browserAuthEndpoints({ auth, cookie, perAccount, trustedOrigins = [] }: BrowserAuthDeps): Endpoint[] {
  const pre = [sameOriginOnly(trustedOrigins)];
  const issue = (req: Request, res: Response, pair: TokenPair, device?: { token: string; expiresAt: Date } | null): void => {
    setRefreshCookie(req, res, pair.refreshToken, cookie);
    if (device) setTrustedDeviceCookie(req, res, device.token, device.expiresAt, cookie);
    noStore(res).json(browserTokens(pair));
  };
  return [
    endpoint({
      method: 'POST', path: '/api/auth/browser/login', operationId: 'browserLogin', access: 'public', pre,
      body: loginBody,
      limits: [perAccount(emailKey('email'))],
      handler: async (req, res) => {
        const { email, password, deviceName } = req.body;
        const trustedDeviceToken = readTrustedDeviceCookie(req);
        const result = await auth.login({ email, password, deviceName: deviceName || null, trustedDeviceToken }, requestContext(req));
        if ('mfaRequired' in result) noStore(res).json(result);
        else issue(req, res, result);
      },
    }),
    endpoint({
      method: 'POST', path: '/api/auth/browser/login/2fa', operationId: 'browserLoginSecondFactor', access: 'public', pre,
      body: mfaLoginBody,
      checks: oneSecondFactor,
      limits: [perAccount(mfaTokenKey)],
      handler: async (req, res) => {
        const pair = await auth.completeMfaLogin(req.body.mfaToken, secondFactorOf(req.body), requestContext(req), { rememberDevice: req.body.rememberDevice === true });
        // "Remember this device": the token goes only into an HttpOnly cookie, never into the body.
        issue(req, res, pair, pair.trustedDevice);
      },
    }),
    endpoint({
      method: 'POST', path: '/api/auth/browser/refresh', operationId: 'browserRefresh', access: 'public', pre,
      // ?ifSignedIn=true: a page that only wants to know whether this browser is signed in gets 204 when there
      // is no cookie at all, instead of a 401 the browser's console shows on every signed-out page load.
      query: { ifSignedIn: field<'true' | undefined>((c) => c.optional().isIn(['true']).withMessage('ifSignedIn must be true when given')) },
      handler: async (req, res) => {
        const token = readRefreshCookie(req);
        if (!token && req.query.ifSignedIn === 'true') {
          noStore(res).status(204).end();
          return;
        }
        if (!token) throw Errors.invalidRefreshToken();
        try {
          issue(req, res, await auth.refresh(token, requestContext(req)));
        } catch (err) {
          // A dead refresh token is of no further use: drop the cookie so the page goes straight to sign-in.
          if (err instanceof DomainError) clearRefreshCookie(req, res, cookie);
          throw err;
        }
      },
    }),
    // Ends this session when the access token still works, else the session the refresh cookie names (a page
    // whose access token expired, or was never loaded, must still sign out), and always forgets the cookie:
    // signing out of a session that was already revoked elsewhere must still leave the browser signed out.
    endpoint({
      method: 'POST', path: '/api/auth/browser/logout', operationId: 'browserLogout', access: 'public', pre,
      handler: async (req, res) => {
        const token = bearerToken(req);
        let ended = false;
        if (token) {
          try {
            await auth.logout(auth.authenticate(token), requestContext(req));
            ended = true;
          } catch (err) {
            if (!(err instanceof DomainError)) throw err;
          }
        }
        // Every session a cookie names ends (duplicates included: ending a planted session is harmless).
        if (!ended) for (const refreshToken of readAllRefreshCookies(req)) await auth.logoutByRefreshToken(refreshToken, requestContext(req));
        clearRefreshCookie(req, res, cookie);
        res.status(204).end();
      },
    }),
  ];
}
