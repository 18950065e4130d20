// Periodic purge of rows nobody can use any more: sessions ended (revoked, idle or absolute expiry) more
// than `retentionDays` ago — their rotated-token history goes with them by cascade — and expired MFA
// challenges. Audit events are kept: they are the user's security history.
import type { Clock } from '../../domain/ports';
import type { Logger } from '../logger';
import type { PrismaClient } from './client';

export interface PurgeResult {
  sessions: number;
  mfaChallenges: number;
}

export class PrismaHousekeeping {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly retentionDays = 7,
  ) {}

  async runOnce(): Promise<PurgeResult> {
    const cutoff = new Date(this.clock.now().getTime() - this.retentionDays * 86_400_000);
    const sessions = await this.prisma.session.deleteMany({
      where: { OR: [{ revokedAt: { lt: cutoff } }, { expiresAt: { lt: cutoff } }, { idleExpiresAt: { lt: cutoff } }] },
    });
    const mfaChallenges = await this.prisma.mfaChallenge.deleteMany({ where: { expiresAt: { lt: cutoff } } });
    return { sessions: sessions.count, mfaChallenges: mfaChallenges.count };
  }

  start(intervalMs = 3_600_000): void {
    this.timer = setInterval(() => {
      this.runOnce()
        .then((r) => (r.sessions || r.mfaChallenges) && this.logger.info('purged ended sessions', { ...r }))
        .catch((err) => this.logger.warn('housekeeping failed', { error: String(err?.message ?? err) }));
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
