// /api/auth/browser handlers: the same AuthService calls as /api/auth, with the refresh token in an HttpOnly
// cookie instead of the JSON body, so page scripts (and any XSS) never see it.
import type { Request, Response } from 'express';
import type { AuthService } from '../../domain/auth.service';
import { DomainError, Errors } from '../../domain/errors';
import type { TokenPair } from '../../domain/types';
import { bearerToken } from '../../http/authenticate';
import { noStore, requestContext } from '../../http/context';
import { publicUser } from '../../http/mappers';
import { clearRefreshCookie, readRefreshCookie, setRefreshCookie, type CookieSettings } from './refresh-cookie';

/** The token response without the refresh token (it went into the cookie). */
const browserTokens = (t: TokenPair) => ({ accessToken: t.accessToken, tokenType: t.tokenType, expiresIn: t.expiresIn, sessionId: t.sessionId, user: publicUser(t.user) });

export class BrowserAuthHandlers {
  constructor(
    private readonly auth: AuthService,
    private readonly cookie: CookieSettings,
  ) {}

  private issue(req: Request, res: Response, pair: TokenPair): void {
    setRefreshCookie(req, res, pair.refreshToken, this.cookie);
    noStore(res).json(browserTokens(pair));
  }

  login = async (req: Request, res: Response) => {
    const { email, password, deviceName } = req.body;
    const result = await this.auth.login({ email, password, deviceName: deviceName || null }, requestContext(req));
    if ('mfaRequired' in result) noStore(res).json(result);
    else this.issue(req, res, result);
  };

  loginSecondFactor = async (req: Request, res: Response) => {
    const { mfaToken, code, backupCode } = req.body;
    const factor = typeof code === 'string' ? { code } : { backupCode: backupCode as string };
    this.issue(req, res, await this.auth.completeMfaLogin(mfaToken, factor, requestContext(req)));
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
   * Ends this session when the access token still works, and always forgets the cookie: signing out of a
   * session that was already revoked elsewhere must still leave the browser signed out.
   */
  logout = async (req: Request, res: Response) => {
    const token = bearerToken(req);
    if (token) {
      try {
        await this.auth.logout(this.auth.authenticate(token), requestContext(req));
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
      }
    }
    clearRefreshCookie(req, res, this.cookie);
    res.status(204).end();
  };
}
