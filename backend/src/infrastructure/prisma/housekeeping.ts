// Periodic purge of rows nobody can use any more, each kept for its retention period (config.retention,
// docs/security.md "Data retention") after it stopped being usable, so an operator looking into an incident
// still finds recent ones:
// - sessions ended (revoked, idle or absolute expiry) — their rotated-token history goes with them by
//   cascade — and expired MFA challenges;
// - expired trusted devices ("remember this device");
// - mailed single-use tokens (reset, verification, "this wasn't me") that were used or expired;
// - outbox rows of mail that was sent (payload already erased) or given up, and of OIDC back-channel logouts
//   delivered or given up (the same retention as mail: SENT_/FAILED_MAIL_RETENTION_DAYS).
// Live rows are never touched: mail still waiting to go out stays, however old. Audit events are kept: they
// are the user's security history. Only infrastructure runs this (container.ts), so no domain port.
import type { Clock } from '../../domain/ports';
import type { Logger } from '../logger';
import type { PrismaClient } from './client';

/** Days each kind of row is kept after it stopped being usable (config.retention). */
export interface RetentionSettings {
  sessions: number;
  trustedDevices: number;
  accountTokens: number;
  sentMail: number;
  failedMail: number;
}

export const DEFAULT_RETENTION: RetentionSettings = { sessions: 7, trustedDevices: 7, accountTokens: 7, sentMail: 7, failedMail: 30 };

export interface PurgeResult {
  sessions: number;
  mfaChallenges: number;
  /** Passkey challenges: they hold no personal data, so they go as soon as they have expired. */
  webauthnChallenges: number;
  trustedDevices: number;
  accountTokens: number;
  sentMail: number;
  failedMail: number;
  backchannelLogouts: number;
}

export class PrismaHousekeeping {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly retention: RetentionSettings = DEFAULT_RETENTION,
  ) {}

  async runOnce(): Promise<PurgeResult> {
    const now = this.clock.now().getTime();
    const before = (days: number) => new Date(now - days * 86_400_000);
    const ended = before(this.retention.sessions);
    const sessions = await this.prisma.session.deleteMany({
      where: { OR: [{ revokedAt: { lt: ended } }, { expiresAt: { lt: ended } }, { idleExpiresAt: { lt: ended } }] },
    });
    const mfaChallenges = await this.prisma.mfaChallenge.deleteMany({ where: { expiresAt: { lt: ended } } });
    const webauthnChallenges = await this.prisma.webAuthnChallenge.deleteMany({ where: { expiresAt: { lt: new Date(now) } } });
    const trustedDevices = await this.prisma.trustedDevice.deleteMany({ where: { expiresAt: { lt: before(this.retention.trustedDevices) } } });
    const tokens = before(this.retention.accountTokens);
    const accountTokens = await this.prisma.accountToken.deleteMany({ where: { OR: [{ usedAt: { lt: tokens } }, { expiresAt: { lt: tokens } }] } });
    const sentMail = await this.prisma.outgoingMail.deleteMany({ where: { sentAt: { lt: before(this.retention.sentMail) } } });
    const failedMail = await this.prisma.outgoingMail.deleteMany({ where: { sentAt: null, failedAt: { lt: before(this.retention.failedMail) } } });
    const backchannelLogouts = await this.prisma.oAuthBackchannelLogout.deleteMany({
      where: { OR: [{ deliveredAt: { lt: before(this.retention.sentMail) } }, { deliveredAt: null, failedAt: { lt: before(this.retention.failedMail) } }] },
    });
    return {
      backchannelLogouts: backchannelLogouts.count,
      sessions: sessions.count,
      mfaChallenges: mfaChallenges.count,
      webauthnChallenges: webauthnChallenges.count,
      trustedDevices: trustedDevices.count,
      accountTokens: accountTokens.count,
      sentMail: sentMail.count,
      failedMail: failedMail.count,
    };
  }

  start(intervalMs = 3_600_000): void {
    this.timer = setInterval(() => {
      this.runOnce()
        .then((r) => Object.values(r).some((n) => n > 0) && this.logger.info('housekeeping purged expired rows', { ...r }))
        .catch((err: unknown) => this.logger.warn('housekeeping failed', { error: err instanceof Error ? err.message : String(err) }));
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
