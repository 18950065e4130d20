// The hot /api/auth handlers (refresh, validate): they answer with sendJson, on the fast path and in Express.
import type { AuthService } from '../../domain/auth.service';
import { DomainError } from '../../domain/errors';
import { bearerToken } from '../../http/authenticate';
import { requestContext } from '../../http/context';
import { NO_STORE, sendJson, type HotHandler } from '../../http/hot-route';
import { tokenResponse } from '../../http/mappers';
import { refreshTokenOf } from './auth.validators';

export class AuthHandlers {
  constructor(private readonly auth: AuthService) {}

  /** A hot route (auth.routes.ts refreshRoute): body and rate limit done, the field checked here. */
  refresh: HotHandler = async (req, res) => {
    const pair = await this.auth.refresh(refreshTokenOf(req.body), requestContext(req));
    sendJson(req, res, 200, tokenResponse(pair), NO_STORE);
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
