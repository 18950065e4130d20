// The hot /api/user reads (GET /me, GET /sessions): hot routes (http/hot-route.ts), so they
// authenticate themselves. The other /api/user endpoints are declared in user.endpoints.ts.
import type { AuthService } from '../../domain/auth.service';
import type { SessionService } from '../../domain/session.service';
import type { UserService } from '../../domain/user.service';
import { authenticateRequest } from '../../http/authenticate';
import { sendJson, type HotHandler } from '../../http/hot-route';
import { profile, sessionView } from '../../http/mappers';

export class UserHandlers {
  constructor(
    private readonly users: UserService,
    private readonly auth: AuthService,
    private readonly sessions: SessionService,
  ) {}

  me: HotHandler = async (req, res) => {
    const user = await this.users.getProfile(authenticateRequest(this.auth, req).sub);
    sendJson(req, res, 200, { user: profile(user) });
  };

  listSessions: HotHandler = async (req, res) => {
    const { sub, sid } = authenticateRequest(this.auth, req);
    const sessions = await this.sessions.listActive(sub);
    sendJson(req, res, 200, { sessions: sessions.map((s) => sessionView(s, sid)) });
  };
}
