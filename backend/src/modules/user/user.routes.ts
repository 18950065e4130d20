// GET /api/user/me and GET /api/user/sessions, the hot reads (http/hot-route.ts: the fast
// path and the Express app serve them); each authenticates itself. The other /api/user endpoints: user.endpoints.ts.
import type { AuthService } from '../../domain/auth.service';
import type { SessionService } from '../../domain/session.service';
import type { UserService } from '../../domain/user.service';
import type { HotHandler } from '../../http/hot-route';
import { retryReadOnce } from '../../http/safe-read';
import { UserHandlers } from './user.handlers';

export function leanUserRoutes({ users, auth, sessions }: { users: UserService; auth: AuthService; sessions: SessionService }): { me: HotHandler; sessions: HotHandler } {
  const h = new UserHandlers(users, auth, sessions);
  // Safe reads: tried once more after a connection error, as on the ordinary chain (safe-read.ts).
  return { me: retryReadOnce(h.me), sessions: retryReadOnce(h.listSessions) };
}
