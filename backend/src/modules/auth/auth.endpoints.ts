// /api/auth endpoints, each declared once (http/endpoint.ts); the NATS handlers beside them (auth.messages.ts)
// run the same rules and call the same service. The app's per-IP limit on /api/auth counts them all; refresh and
// validate are hot routes (auth.routes.ts).
import type { AuthService } from '../../domain/auth.service';
import { claimsOf } from '../../http/authenticate';
import { clientGone, noStore, requestContext } from '../../http/context';
import { endpoint, type Endpoint } from '../../http/endpoint';
import { publicUser, tokenResponse } from '../../http/mappers';
import { emailKey, mfaTokenKey } from '../../http/rate-limit-keys';
import type { RateLimits } from '../../http/rate-limits';
import { loginBody, mfaLoginBody, oneSecondFactor, registerBody, secondFactorOf } from './auth.validators';

export interface AuthEndpointDeps {
  auth: AuthService;
  /** Tighter per-account limit for password and second-factor attempts. */
  perAccount: RateLimits['perAccount'];
}

export function authEndpoints({ auth, perAccount }: AuthEndpointDeps): Endpoint[] {
  return [
    endpoint({
      method: 'POST', path: '/api/auth/register', operationId: 'register', access: 'public',
      body: registerBody,
      handler: async (req, res) => {
        const { email, password, username } = req.body;
        const user = await auth.register({ email, password, username: username ?? null }, requestContext(req));
        res.status(user.status === 'pending' ? 202 : 201).json({ user: publicUser(user) });
      },
    }),
    endpoint({
      method: 'POST', path: '/api/auth/login', operationId: 'login', access: 'public',
      body: loginBody,
      limits: [perAccount(emailKey('email'))],
      handler: async (req, res) => {
        const { email, password, deviceName, trustedDeviceToken } = req.body;
        const ctx = { ...requestContext(req), signal: clientGone(res) };
        const result = await auth.login({ email, password, deviceName: deviceName || null, trustedDeviceToken: trustedDeviceToken ?? null }, ctx);
        noStore(res).json('mfaRequired' in result ? result : tokenResponse(result));
      },
    }),
    endpoint({
      method: 'POST', path: '/api/auth/login/2fa', operationId: 'loginSecondFactor', access: 'public',
      body: mfaLoginBody,
      checks: oneSecondFactor,
      limits: [perAccount(mfaTokenKey)],
      handler: async (req, res) => {
        const pair = await auth.completeMfaLogin(req.body.mfaToken, secondFactorOf(req.body), requestContext(req), { rememberDevice: req.body.rememberDevice === true });
        // The device token goes to the app once, here; it sends it back as `trustedDeviceToken` at /login.
        const device = pair.trustedDevice ? { trustedDeviceToken: pair.trustedDevice.token, trustedDeviceExpiresAt: pair.trustedDevice.expiresAt.toISOString() } : {};
        noStore(res).json({ ...tokenResponse(pair), ...device });
      },
    }),
    endpoint({
      method: 'POST', path: '/api/auth/logout', operationId: 'logout', access: 'user',
      handler: async (req, res) => {
        await auth.logout(claimsOf(req), requestContext(req));
        res.status(204).end();
      },
    }),
    endpoint({
      method: 'POST', path: '/api/auth/logout-all', operationId: 'logoutAll', access: 'user',
      handler: async (req, res) => {
        await auth.logoutAll(claimsOf(req), requestContext(req));
        res.status(204).end();
      },
    }),
  ];
}
