// /api/auth/browser handlers: the same AuthService calls as /api/auth, with the refresh token in an HttpOnly
// cookie instead of the JSON body, so page scripts (and any XSS) never see it.
import type { Request, Response } from 'express';
import type { AuthService } from '../../domain/auth.service';
import { DomainError, Errors } from '../../domain/errors';
import type { TokenPair } from '../../domain/types';
import { bearerToken } from '../../http/authenticate';
import { noStore, requestContext } from '../../http/context';
import { publicUser } from '../../http/mappers';
import { clearRefreshCookie, readAllRefreshCookies, readRefreshCookie, setRefreshCookie, type CookieSettings } from './refresh-cookie';
import { readTrustedDeviceCookie, setTrustedDeviceCookie } from './trusted-device-cookie';

/** The token response without the refresh token (it went into the cookie). */
const browserTokens = (t: TokenPair) => ({ accessToken: t.accessToken, tokenType: t.tokenType, expiresIn: t.expiresIn, sessionId: t.sessionId, user: publicUser(t.user) });

export class BrowserAuthHandlers {
  constructor(
    private readonly auth: AuthService,
    private readonly cookie: CookieSettings,
  ) {}

  private issue(req: Request, res: Response, pair: TokenPair, device?: { token: string; expiresAt: Date } | null): void {
    setRefreshCookie(req, res, pair.refreshToken, this.cookie);
    if (device) setTrustedDeviceCookie(req, res, device.token, device.expiresAt, this.cookie);
    noStore(res).json(browserTokens(pair));
  }

  login = async (req: Request, res: Response) => {
    const { email, password, deviceName } = req.body;
    const trustedDeviceToken = readTrustedDeviceCookie(req);
    const result = await this.auth.login({ email, password, deviceName: deviceName || null, trustedDeviceToken }, requestContext(req));
    if ('mfaRequired' in result) noStore(res).json(result);
    else this.issue(req, res, result);
  };

  loginSecondFactor = async (req: Request, res: Response) => {
    const { mfaToken, code, backupCode } = req.body;
    const factor = typeof code === 'string' ? { code } : { backupCode: backupCode as string };
    const pair = await this.auth.completeMfaLogin(mfaToken, factor, requestContext(req), { rememberDevice: req.body.rememberDevice === true });
    // "Remember this device": the token goes only into an HttpOnly cookie, never into the body.
    this.issue(req, res, pair, pair.trustedDevice);
  };

  refresh = async (req: Request, res: Response) => {
    const token = readRefreshCookie(req);
    if (!token) throw Errors.invalidRefreshToken();
    try {
      this.issue(req, res, await this.auth.refresh(token, requestContext(req)));
    } catch (err) {
      // A dead refresh token is of no further use: drop the cookie so the page goes straight to sign-in.
      if (err instanceof DomainError) clearRefreshCookie(req, res, this.cookie);
      throw err;
    }
  };

  /**
   * Ends this session when the access token still works, else the session the refresh cookie names (a page
   * whose access token expired, or was never loaded, must still sign out: issue 22), and always forgets the
   * cookie: signing out of a session that was already revoked elsewhere must still leave the browser signed out.
   */
  logout = async (req: Request, res: Response) => {
    const token = bearerToken(req);
    let ended = false;
    if (token) {
      try {
        await this.auth.logout(this.auth.authenticate(token), requestContext(req));
        ended = true;
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
      }
    }
    // Every session a cookie names ends (duplicates included: ending a planted session is harmless).
    if (!ended) for (const refreshToken of readAllRefreshCookies(req)) await this.auth.logoutByRefreshToken(refreshToken, requestContext(req));
    clearRefreshCookie(req, res, this.cookie);
    res.status(204).end();
  };
}
