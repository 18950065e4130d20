// /api/auth handlers: parse, call AuthService, map, respond (the NATS handlers call the same service).
import type { Request, Response } from 'express';
import type { AuthService } from '../../domain/auth.service';
import { DomainError } from '../../domain/errors';
import { bearerToken, claimsOf } from '../../http/authenticate';
import { clientGone, noStore, requestContext } from '../../http/context';
import { NO_STORE, sendJson, type HotHandler } from '../../http/hot-route';
import { publicUser, tokenResponse } from '../../http/mappers';
import { refreshTokenOf } from './auth.validators';

export class AuthHandlers {
  constructor(private readonly auth: AuthService) {}

  register = async (req: Request, res: Response) => {
    const { email, password, username } = req.body;
    const user = await this.auth.register({ email, password, username: username ?? null }, requestContext(req));
    res.status(user.status === 'pending' ? 202 : 201).json({ user: publicUser(user) });
  };

  login = async (req: Request, res: Response) => {
    const { email, password, deviceName, trustedDeviceToken } = req.body;
    const ctx = { ...requestContext(req), signal: clientGone(res) };
    const result = await this.auth.login({ email, password, deviceName: deviceName || null, trustedDeviceToken: trustedDeviceToken ?? null }, ctx);
    noStore(res).json('mfaRequired' in result ? result : tokenResponse(result));
  };

  loginSecondFactor = async (req: Request, res: Response) => {
    const { mfaToken, code, backupCode } = req.body;
    const factor = typeof code === 'string' ? { code } : { backupCode: backupCode as string };
    const pair = await this.auth.completeMfaLogin(mfaToken, factor, requestContext(req), { rememberDevice: req.body.rememberDevice === true });
    // The device token goes to the app once, here; it sends it back as `trustedDeviceToken` at /login.
    const device = pair.trustedDevice ? { trustedDeviceToken: pair.trustedDevice.token, trustedDeviceExpiresAt: pair.trustedDevice.expiresAt.toISOString() } : {};
    noStore(res).json({ ...tokenResponse(pair), ...device });
  };

  /** A hot route (auth.routes.ts refreshRoute): body and rate limit done, the field checked here. */
  refresh: HotHandler = async (req, res) => {
    const pair = await this.auth.refresh(refreshTokenOf(req.body), requestContext(req));
    sendJson(req, res, 200, tokenResponse(pair), NO_STORE);
  };

  logout = async (req: Request, res: Response) => {
    await this.auth.logout(claimsOf(req), requestContext(req));
    res.status(204).end();
  };

  logoutAll = async (req: Request, res: Response) => {
    await this.auth.logoutAll(claimsOf(req), requestContext(req));
    res.status(204).end();
  };

  /** For other services: always 200, with the reason when the token is not valid. */
  validate: HotHandler = (req, res) => {
    const token = bearerToken(req);
    if (!token) {
      sendJson(req, res, 200, { valid: false, reason: token === null ? 'UNAUTHENTICATED' : 'INVALID_TOKEN' }, NO_STORE);
      return;
    }
    try {
      const c = this.auth.authenticate(token);
      sendJson(req, res, 200, { valid: true, claims: { sub: c.sub, sid: c.sid, role: c.role, email: c.email, username: c.username ?? null, aal: c.aal, exp: c.exp } }, NO_STORE);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      sendJson(req, res, 200, { valid: false, reason: err.code }, NO_STORE);
    }
  };
}
