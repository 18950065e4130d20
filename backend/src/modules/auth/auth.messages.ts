// NATS handlers for the gateway (auth.register, auth.login, ...): the same services, validation chains
// and response mappers as the HTTP routes beside them. See docs/integration.md for the envelope.
import type { AuthService } from '../../domain/auth.service';
import { DomainError, Errors } from '../../domain/errors';
import type { AccessClaims } from '../../domain/types';
import { publicUser, tokenResponse } from '../../http/mappers';
import { checkBody, type InboundMessage, type MessageHandler } from '../../nats/request-server';
import { changePasswordRules } from '../user/user.validators';
import { loginRules, mfaLoginRules, refreshRules, registerRules } from './auth.validators';

export function authMessageHandlers(auth: AuthService): Record<string, MessageHandler> {
  const claims = (m: InboundMessage): AccessClaims => {
    if (!m.accessToken) throw Errors.unauthenticated();
    return auth.authenticate(m.accessToken);
  };
  return {
    'auth.register': async (m) => {
      const { email, password, username } = await checkBody(registerRules, m.body);
      const user = await auth.register({ email: email as string, password: password as string, username: (username as string | undefined) ?? null }, m.context);
      return { user: publicUser(user) };
    },
    'auth.login': async (m) => {
      const { email, password, deviceName } = await checkBody(loginRules, m.body);
      const result = await auth.login({ email: email as string, password: password as string, deviceName: (deviceName as string | undefined) || null }, m.context);
      return 'mfaRequired' in result ? result : tokenResponse(result);
    },
    'auth.login_2fa': async (m) => {
      const { mfaToken, code, backupCode } = await checkBody(mfaLoginRules, m.body);
      const factor = typeof code === 'string' ? { code } : { backupCode: backupCode as string };
      return tokenResponse(await auth.completeMfaLogin(mfaToken as string, factor, m.context));
    },
    // Same answers as GET /api/auth/validate: never an error, `valid: false` with the reason.
    'auth.validate': async (m) => {
      if (!m.accessToken) return { valid: false, reason: 'UNAUTHENTICATED' };
      try {
        const c = auth.authenticate(m.accessToken);
        return { valid: true, claims: { sub: c.sub, sid: c.sid, role: c.role, email: c.email, username: c.username ?? null, aal: c.aal, exp: c.exp } };
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        return { valid: false, reason: err.code };
      }
    },
    'auth.refresh': async (m) => {
      const { refreshToken } = await checkBody(refreshRules, m.body);
      return tokenResponse(await auth.refresh(refreshToken as string, m.context));
    },
    'auth.logout': async (m) => {
      await auth.logout(claims(m), m.context);
      return {};
    },
    'auth.logout_all': async (m) => {
      await auth.logoutAll(claims(m), m.context);
      return {};
    },
    'auth.change_password': async (m) => {
      const who = claims(m);
      const { currentPassword, newPassword } = await checkBody(changePasswordRules, m.body);
      return { revokedSessions: await auth.changePassword(who, { currentPassword: currentPassword as string, newPassword: newPassword as string }, m.context) };
    },
  };
}
