// The rule for every account-changing administrator action over the API (issue 28): the admin's session
// signed in within REAUTH_WINDOW_SECONDS (refresh rotations never make it recent again) and, when their own
// account has 2FA on, with the second factor (session aal 2). A stolen access token of an old session can
// read the console but not change accounts, roles or clients. The HTTP layer applies it to every endpoint
// declared `access: 'admin-action'`; the CLI runs on the server and is not asked (docs/security.md).
import { Errors } from './errors';
import type { Clock, UnitOfWork } from './ports';
import type { SessionService } from './session.service';

export class RecentAdminSignIn {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly sessions: SessionService,
    private readonly clock: Clock,
    /** REAUTH_WINDOW_SECONDS. */
    private readonly settings: { reauthWindow: number },
  ) {}

  /** Throws 403 REAUTH_REQUIRED unless the admin's session is recent enough (and aal 2 when they use 2FA). */
  async assert(adminId: string, sessionId: string): Promise<void> {
    const windowMs = this.settings.reauthWindow * 1000;
    const [session, admin] = await Promise.all([this.uow.direct.sessions.findById(sessionId), this.uow.direct.users.findById(adminId)]);
    const now = this.clock.now();
    const recent = !!session && session.userId === adminId && this.sessions.isLive(session, now) && now.getTime() - session.createdAt.getTime() <= windowMs;
    if (!recent || !admin) throw Errors.reauthRequired('Sign in again: account changes need a sign-in within the last few minutes');
    if (admin.twoFactorEnabled && session.aal < 2) throw Errors.reauthRequired('Sign in again with your second factor: account changes need it');
  }
}
