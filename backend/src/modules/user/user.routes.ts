// GET /api/user/me and GET /api/user/sessions, the hot reads, for the fast path and the lean chain
// (http/lean-route.ts); each authenticates itself. The other /api/user endpoints: user.endpoints.ts.
import type { AuthService } from '../../domain/auth.service';
import type { SessionService } from '../../domain/session.service';
import type { UserService } from '../../domain/user.service';
import type { LeanHandler } from '../../http/lean-route';
import { retryReadOnce } from '../../http/safe-read';
import { UserHandlers } from './user.handlers';

export function leanUserRoutes({ users, auth, sessions }: { users: UserService; auth: AuthService; sessions: SessionService }): { me: LeanHandler; sessions: LeanHandler } {
  const h = new UserHandlers(users, auth, sessions);
  // Safe reads: tried once more after a connection error, as on the ordinary chain (safe-read.ts).
  return { me: retryReadOnce(h.me), sessions: retryReadOnce(h.listSessions) };
}
