// "Connected apps": the applications a user granted access through the consent screen, and "Remove access",
// which forgets the consent (the next sign-in asks again) and ends every session the app holds for the user —
// so its tokens fail at once and, through the revoking statement, its back-channel logout is sent.
import { auditEntry } from '../audit';
import { Errors } from '../errors';
import type { Clock, UnitOfWork } from '../ports';
import type { SessionService } from '../session.service';
import type { RequestContext } from '../types';
import type { ConnectedApp } from './authorization.types';
import type { ConsentStore } from './ports';

export class ConnectedAppsService {
  constructor(
    private readonly consents: ConsentStore,
    private readonly sessions: SessionService,
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  list(userId: string): Promise<ConnectedApp[]> {
    return this.consents.listForUser(userId, this.clock.now());
  }

  async remove(userId: string, clientId: string, ctx: RequestContext): Promise<{ sessionsEnded: number }> {
    const forgotten = await this.consents.remove(userId, clientId);
    const ended = await this.sessions.revokeWhere((r) => r.sessions.revoke({ userId, clientId }, 'revoked_by_user', this.clock.now()), {
      userId,
      type: 'session.revoked',
      ctx,
      metadata: { clientId, reason: 'app_access_removed' },
    });
    if (!forgotten && ended.length === 0) throw Errors.notFound('Connected app');
    await this.uow.direct.audit.record(auditEntry(userId, 'oauth.consent.revoked', ctx, { clientId, sessionsEnded: ended.length }));
    return { sessionsEnded: ended.length };
  }
}
