// Passkey endpoints (docs/passkeys.md), each declared once (http/endpoint.ts):
//   /api/user/passkeys            list, registration options/verify, rename, remove (bearer token)
//   /api/auth/passkey, /api/auth/login/2fa/passkey    passwordless sign-in and the passkey second factor
//   /api/auth/browser/...         the same sign-ins for the web page, refresh token in the HttpOnly cookie
// Thin: PasskeyService manages passkeys; AuthService opens the sessions, on the password sign-in's path.
import type { RequestHandler, Response } from 'express';
import type { AuthService } from '../../domain/auth.service';
import { Errors } from '../../domain/errors';
import type { PasskeyService } from '../../domain/passkeys/passkey.service';
import type { Passkey } from '../../domain/passkeys/types';
import type { TokenPair } from '../../domain/types';
import { claimsOf } from '../../http/authenticate';
import { noStore, requestContext } from '../../http/context';
import { endpoint, type Endpoint } from '../../http/endpoint';
import { uuid } from '../../http/fields';
import { publicUser, tokenResponse } from '../../http/mappers';
import { mfaTokenKey } from '../../http/rate-limit-keys';
import type { RateLimits } from '../../http/rate-limits';
import { setRefreshCookie, type CookieSettings } from '../browser/refresh-cookie';
import { sameOriginOnly } from '../browser/same-origin';
import { setTrustedDeviceCookie } from '../browser/trusted-device-cookie';
import { reauthBody, registerBody, renameBody, secondFactorBody, secondFactorOptionsBody, signInBody } from './passkeys.validators';

/** Whitelisted fields of a passkey: never the public key, counter or credential id. */
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

type SignedIn = TokenPair & { trustedDevice?: { token: string; expiresAt: Date } | null };
const withAmr = (pair: TokenPair) => (pair.amr ? { amr: pair.amr } : {});

export interface PasskeyEndpointDeps {
  passkeys: PasskeyService;
  auth: AuthService;
  /** Per-user limit on the endpoints that may check the password (options, register, remove). */
  perUser: RequestHandler;
  /** Per-account limit on the second factor, keyed by the mfaToken as at /login/2fa. */
  perAccount: RateLimits['perAccount'];
}

export function passkeyAccountEndpoints({ passkeys, perUser }: PasskeyEndpointDeps): Endpoint[] {
  const passkeyId = { passkeyId: uuid() };
  return [
    endpoint({
      method: 'GET', path: '/api/user/passkeys', operationId: 'listPasskeys', access: 'user',
      handler: async (req, res) => {
        noStore(res).json({ passkeys: (await passkeys.list(claimsOf(req).sub)).map(passkeyView) });
      },
    }),
    endpoint({
      method: 'POST', path: '/api/user/passkeys/registration/options', operationId: 'passkeyRegistrationOptions', access: 'user',
      body: reauthBody, limits: [perUser],
      handler: async (req, res) => {
        const { sub, sid } = claimsOf(req);
        const options = await passkeys.registrationOptions(sub, { password: req.body.password ?? null, sessionId: sid }, requestContext(req));
        noStore(res).json({ options });
      },
    }),
    endpoint({
      method: 'POST', path: '/api/user/passkeys/registration/verify', operationId: 'passkeyRegister', access: 'user',
      body: registerBody, limits: [perUser],
      handler: async (req, res) => {
        const { sub, sid } = claimsOf(req);
        const passkey = await passkeys.register(sub, sid, req.body.credential, req.body.name ?? null, requestContext(req));
        noStore(res).status(201).json({ passkey: passkeyView(passkey) });
      },
    }),
    endpoint({
      method: 'PATCH', path: '/api/user/passkeys/:passkeyId', operationId: 'renamePasskey', access: 'user',
      params: passkeyId, invalidParams: () => Errors.notFound('Passkey'), body: renameBody,
      handler: async (req, res) => {
        const passkey = await passkeys.rename(claimsOf(req).sub, req.params.passkeyId, req.body.name, requestContext(req));
        noStore(res).json({ passkey: passkeyView(passkey) });
      },
    }),
    endpoint({
      method: 'DELETE', path: '/api/user/passkeys/:passkeyId', operationId: 'removePasskey', access: 'user',
      params: passkeyId, invalidParams: () => Errors.notFound('Passkey'), body: reauthBody, limits: [perUser],
      handler: async (req, res) => {
        const { sub, sid } = claimsOf(req);
        await passkeys.remove(sub, req.params.passkeyId, { password: req.body.password ?? null, sessionId: sid }, requestContext(req));
        res.status(204).end();
      },
    }),
  ];
}

/** Mounted after `/api/auth`'s per-IP limit, which counts these too. */
export function passkeyAuthEndpoints({ passkeys, auth, perAccount }: PasskeyEndpointDeps): Endpoint[] {
  return [
    endpoint({
      method: 'POST', path: '/api/auth/passkey/options', operationId: 'passkeySignInOptions', access: 'public',
      handler: async (_req, res) => {
        noStore(res).json({ options: await passkeys.signInOptions() });
      },
    }),
    endpoint({
      method: 'POST', path: '/api/auth/passkey/verify', operationId: 'passkeySignIn', access: 'public',
      body: signInBody,
      handler: async (req, res) => {
        const pair = await auth.loginWithPasskey(req.body.credential, { deviceName: req.body.deviceName || null }, requestContext(req));
        noStore(res).json({ ...tokenResponse(pair), ...withAmr(pair) });
      },
    }),
    endpoint({
      method: 'POST', path: '/api/auth/login/2fa/passkey/options', operationId: 'passkeySecondFactorOptions', access: 'public',
      body: secondFactorOptionsBody, limits: [perAccount(mfaTokenKey)],
      handler: async (req, res) => {
        noStore(res).json({ options: await auth.passkeySecondFactorOptions(req.body.mfaToken) });
      },
    }),
    endpoint({
      method: 'POST', path: '/api/auth/login/2fa/passkey', operationId: 'passkeySecondFactor', access: 'public',
      body: secondFactorBody, limits: [perAccount(mfaTokenKey)],
      handler: async (req, res) => {
        const pair: SignedIn = await auth.completeMfaLogin(req.body.mfaToken, { passkey: req.body.credential }, requestContext(req), { rememberDevice: req.body.rememberDevice === true });
        const device = pair.trustedDevice ? { trustedDeviceToken: pair.trustedDevice.token, trustedDeviceExpiresAt: pair.trustedDevice.expiresAt.toISOString() } : {};
        noStore(res).json({ ...tokenResponse(pair), ...withAmr(pair), ...device });
      },
    }),
  ];
}

/**
 * The web page's sign-ins, behind /api/auth/browser's per-IP limit and, like the other browser endpoints,
 * refused cross-site first. The refresh token (and a remembered device) go into HttpOnly cookies only.
 */
export function browserPasskeyEndpoints({ auth, perAccount, cookie, trustedOrigins }: Pick<PasskeyEndpointDeps, 'auth' | 'perAccount'> & { cookie: CookieSettings; trustedOrigins: readonly string[] }): Endpoint[] {
  const pre = [sameOriginOnly(trustedOrigins)];
  const issue = (req: Parameters<typeof requestContext>[0] & Parameters<typeof setRefreshCookie>[0], res: Response, pair: SignedIn) => {
    setRefreshCookie(req, res, pair.refreshToken, cookie);
    if (pair.trustedDevice) setTrustedDeviceCookie(req, res, pair.trustedDevice.token, pair.trustedDevice.expiresAt, cookie);
    noStore(res).json({ accessToken: pair.accessToken, tokenType: pair.tokenType, expiresIn: pair.expiresIn, sessionId: pair.sessionId, user: publicUser(pair.user), ...withAmr(pair) });
  };
  return [
    endpoint({
      method: 'POST', path: '/api/auth/browser/passkey/verify', operationId: 'browserPasskeySignIn', access: 'public', pre,
      body: signInBody,
      handler: async (req, res) => {
        issue(req, res, await auth.loginWithPasskey(req.body.credential, { deviceName: req.body.deviceName || null }, requestContext(req)));
      },
    }),
    endpoint({
      method: 'POST', path: '/api/auth/browser/login/2fa/passkey', operationId: 'browserPasskeySecondFactor', access: 'public', pre,
      body: secondFactorBody, limits: [perAccount(mfaTokenKey)],
      handler: async (req, res) => {
        issue(req, res, await auth.completeMfaLogin(req.body.mfaToken, { passkey: req.body.credential }, requestContext(req), { rememberDevice: req.body.rememberDevice === true }));
      },
    }),
  ];
}
