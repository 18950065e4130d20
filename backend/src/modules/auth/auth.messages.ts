// NATS handlers for the gateway (auth.register, auth.login, ...): the same services, validation chains
// and response mappers as the HTTP routes beside them. See docs/integration.md for the envelope.
import type { AuthService } from '../../domain/auth.service';
import { DomainError, Errors } from '../../domain/errors';
import type { AccessClaims } from '../../domain/types';
import { publicUser, tokenResponse } from '../../http/mappers';
import { emailBucket, mfaTokenBucket } from '../../http/rate-limit-keys';
import { ipBucket, type RateLimits } from '../../http/rate-limits';
import { checkMessage, type InboundMessage, type MessageHandler } from '../../nats/request-server';
import { changePasswordBody } from '../user/user.validators';
import { loginBody, mfaLoginBody, refreshBody, registerBody, oneSecondFactor, secondFactorOf } from './auth.validators';

/**
 * `limits` are the HTTP routes' rate limits, counted in the same buckets, so a guess over NATS costs what it
 * costs over HTTP: per IP wherever /api/auth/* limits per IP (all but validate), per account on login and
 * the 2FA step, per user on the password change. The IP is the request server's verdict on `context.ip`
 * (callerIp in nats/request-server.ts); callers it cannot place share the one `unknown` bucket.
 */
export function authMessageHandlers(auth: AuthService, limits: Pick<RateLimits, 'consume'>): Record<string, MessageHandler> {
  const claims = (m: InboundMessage): AccessClaims => {
    if (!m.accessToken) throw Errors.unauthenticated();
    return auth.authenticate(m.accessToken);
  };
  const perAccount = async (key: string | null) => {
    if (key !== null) await limits.consume('perAccount', key);
  };
  const perIp = (handler: MessageHandler): MessageHandler => async (m) => {
    await limits.consume('perIp', ipBucket(m.context.ipAddress ?? 'unknown'));
    return handler(m);
  };
  return {
    'auth.register': perIp(async (m) => {
      const { email, password, username } = await checkMessage(registerBody, m.body);
      const user = await auth.register({ email, password, username: username ?? null }, m.context);
      return { user: publicUser(user) };
    }),
    'auth.login': perIp(async (m) => {
      const { email, password, deviceName } = await checkMessage(loginBody, m.body);
      await perAccount(emailBucket(email));
      const result = await auth.login({ email, password, deviceName: deviceName || null }, m.context);
      return 'mfaRequired' in result ? result : tokenResponse(result);
    }),
    'auth.login_2fa': perIp(async (m) => {
      const b = await checkMessage(mfaLoginBody, m.body, oneSecondFactor);
      await perAccount(mfaTokenBucket(b.mfaToken));
      return tokenResponse(await auth.completeMfaLogin(b.mfaToken, secondFactorOf(b), m.context));
    }),
    // Same answers as GET /api/auth/validate: never an error, `valid: false` with the reason. No per-IP limit,
    // as over HTTP: services call it for every request they serve.
    'auth.validate': (m) => {
      if (!m.accessToken) return Promise.resolve({ valid: false, reason: 'UNAUTHENTICATED' });
      try {
        const c = auth.authenticate(m.accessToken);
        return Promise.resolve({ valid: true, claims: { sub: c.sub, sid: c.sid, role: c.role, email: c.email, username: c.username ?? null, aal: c.aal, exp: c.exp } });
      } catch (err) {
        if (!(err instanceof DomainError)) return Promise.reject(err instanceof Error ? err : new Error(String(err)));
        return Promise.resolve({ valid: false, reason: err.code });
      }
    },
    'auth.refresh': perIp(async (m) => {
      const { refreshToken } = await checkMessage(refreshBody, m.body);
      return tokenResponse(await auth.refresh(refreshToken, m.context));
    }),
    'auth.logout': perIp(async (m) => {
      await auth.logout(claims(m), m.context);
      return {};
    }),
    'auth.logout_all': perIp(async (m) => {
      await auth.logoutAll(claims(m), m.context);
      return {};
    }),
    'auth.change_password': async (m) => {
      const who = claims(m);
      const { currentPassword, newPassword } = await checkMessage(changePasswordBody, m.body);
      await limits.consume('perUser', `user:${who.sub}`);
      return { revokedSessions: await auth.changePassword(who, { currentPassword, newPassword }, m.context) };
    },
  };
}
