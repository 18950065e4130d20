// The hot /api/auth routes (http/hot-route.ts): refresh and validate, served by the fast path and the Express
// app alike. The other /api/auth endpoints: auth.endpoints.ts.
import type { AuthService } from '../../domain/auth.service';
import type { HotHandler } from '../../http/hot-route';
import { AuthHandlers } from './auth.handlers';

/**
 * GET /api/auth/validate: the hottest route (every call of every relying service); needs no body parsing and
 * is exempt from the per-IP limit.
 */
export function validateRoute(auth: AuthService): HotHandler {
  return new AuthHandlers(auth).validate;
}

/** POST /api/auth/refresh: declared with a JSON body and the per-IP limit; the field check and the rotation are the handler's. */
export function refreshRoute(auth: AuthService): HotHandler {
  return new AuthHandlers(auth).refresh;
}
