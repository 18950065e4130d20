// Passkey handlers: thin calls into PasskeyService (management) and AuthService (sign-in, second factor).
// The browser variants put the refresh token into the HttpOnly cookie instead of the body, as
// /api/auth/browser does for password sign-in.
import type { Request, Response } from 'express';
import type { AuthService } from '../../domain/auth.service';
import type { PasskeyService } from '../../domain/passkeys/passkey.service';
import type { Passkey } from '../../domain/passkeys/types';
import type { TokenPair } from '../../domain/types';
import { claimsOf } from '../../http/authenticate';
import { noStore, requestContext } from '../../http/context';
import { publicUser, tokenResponse } from '../../http/mappers';
import { setRefreshCookie, type CookieSettings } from '../browser/refresh-cookie';
import { setTrustedDeviceCookie } from '../browser/trusted-device-cookie';

/** Whitelisted fields of a passkey: never the public key or counter. */
export const passkeyView = (p: Passkey) => ({
  id: p.id,
  name: p.name,
  createdAt: p.createdAt.toISOString(),
  lastUsedAt: p.lastUsedAt?.toISOString() ?? null,
  deviceType: p.deviceType,
  /** Backup-eligible and backed up: a synced passkey. */
  synced: p.deviceType === 'multiDevice' && p.backedUp,
  transports: p.transports,
});

const password = (req: Request): string | null => (typeof req.body?.password === 'string' ? req.body.password : null);
const withAmr = (pair: TokenPair) => (pair.amr ? { amr: pair.amr } : {});

export class PasskeyHandlers {
  constructor(
    private readonly passkeys: PasskeyService,
    private readonly auth: AuthService,
  ) {}

  list = async (req: Request, res: Response) => {
    const passkeys = await this.passkeys.list(claimsOf(req).sub);
    noStore(res).json({ passkeys: passkeys.map(passkeyView) });
  };

  registrationOptions = async (req: Request, res: Response) => {
    const { sub, sid } = claimsOf(req);
    const options = await this.passkeys.registrationOptions(sub, { password: password(req), sessionId: sid }, requestContext(req));
    noStore(res).json({ options });
  };

  register = async (req: Request, res: Response) => {
    const { sub, sid } = claimsOf(req);
    const name = typeof req.body.name === 'string' ? req.body.name : null;
    const passkey = await this.passkeys.register(sub, sid, req.body.credential, name, requestContext(req));
    noStore(res).status(201).json({ passkey: passkeyView(passkey) });
  };

  rename = async (req: Request, res: Response) => {
    const passkey = await this.passkeys.rename(claimsOf(req).sub, String(req.params.passkeyId), String(req.body.name), requestContext(req));
    noStore(res).json({ passkey: passkeyView(passkey) });
  };

  remove = async (req: Request, res: Response) => {
    const { sub, sid } = claimsOf(req);
    await this.passkeys.remove(sub, String(req.params.passkeyId), { password: password(req), sessionId: sid }, requestContext(req));
    res.status(204).end();
  };

  signInOptions = async (_req: Request, res: Response) => {
    noStore(res).json({ options: await this.passkeys.signInOptions() });
  };

  signIn = async (req: Request, res: Response) => {
    const pair = await this.auth.loginWithPasskey(req.body.credential, { deviceName: req.body.deviceName || null }, requestContext(req));
    noStore(res).json({ ...tokenResponse(pair), ...withAmr(pair) });
  };

  secondFactorOptions = async (req: Request, res: Response) => {
    noStore(res).json({ options: await this.auth.passkeySecondFactorOptions(String(req.body.mfaToken)) });
  };

  secondFactor = async (req: Request, res: Response) => {
    const pair = await this.auth.completeMfaLogin(String(req.body.mfaToken), { passkey: req.body.credential }, requestContext(req), { rememberDevice: req.body.rememberDevice === true });
    const device = pair.trustedDevice ? { trustedDeviceToken: pair.trustedDevice.token, trustedDeviceExpiresAt: pair.trustedDevice.expiresAt.toISOString() } : {};
    noStore(res).json({ ...tokenResponse(pair), ...withAmr(pair), ...device });
  };
}

/** The same sign-ins for the web page: refresh token (and remembered device) in HttpOnly cookies only. */
export class BrowserPasskeyHandlers {
  constructor(
    private readonly auth: AuthService,
    private readonly cookie: CookieSettings,
  ) {}

  private issue(req: Request, res: Response, pair: TokenPair & { trustedDevice?: { token: string; expiresAt: Date } | null }): void {
    setRefreshCookie(req, res, pair.refreshToken, this.cookie);
    if (pair.trustedDevice) setTrustedDeviceCookie(req, res, pair.trustedDevice.token, pair.trustedDevice.expiresAt, this.cookie);
    noStore(res).json({ accessToken: pair.accessToken, tokenType: pair.tokenType, expiresIn: pair.expiresIn, sessionId: pair.sessionId, user: publicUser(pair.user), ...withAmr(pair) });
  }

  signIn = async (req: Request, res: Response) => {
    this.issue(req, res, await this.auth.loginWithPasskey(req.body.credential, { deviceName: req.body.deviceName || null }, requestContext(req)));
  };

  secondFactor = async (req: Request, res: Response) => {
    this.issue(req, res, await this.auth.completeMfaLogin(String(req.body.mfaToken), { passkey: req.body.credential }, requestContext(req), { rememberDevice: req.body.rememberDevice === true }));
  };
}
