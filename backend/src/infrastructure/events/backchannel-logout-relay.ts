// OIDC Back-Channel Logout 1.0 delivery: the oauth_backchannel_logouts outbox (rows written by the statement
// that ended a client's session, infrastructure/prisma/session.repository.ts) is posted to each client's
// backchannel_logout_uri as a signed logout_token (RS256, the JWKS key, typ logout+jwt). Like the mail relay:
// poll, claim a batch with a lease (FOR UPDATE SKIP LOCKED), post, stamp; a failure is retried with a doubling
// delay until MAX_ATTEMPTS, so a receiver that is down, or a server that crashed mid-send, loses no logout
// (at-least-once). Delivery and giving up are written to the audit log.
import { randomUUID } from 'node:crypto';
import type { Prisma } from '../../generated/prisma/client';
import { logoutTokenClaims } from '../../domain/oauth/oidc';
import type { IdTokenSigner } from '../../domain/oauth/ports';
import type { Clock } from '../../domain/ports';
import type { Logger } from '../logger';
import type { PrismaClient } from '../prisma/client';

export interface BackchannelLogoutOptions {
  intervalMs?: number;
  /** First retry delay, seconds (doubling per attempt, at most an hour). */
  retrySeconds?: number;
  maxAttempts?: number;
  /** How long one POST may take (§2.8: the OP should not wait long on an RP). */
  timeoutMs?: number;
  batchSize?: number;
}

interface ClaimedRow {
  id: string;
  client_id: string;
  user_id: string;
  sid: string;
  session_id: string;
  attempts: number;
}

const MAX_BACKOFF_SECONDS = 3600;
const LEASE_SECONDS = 60;

export class BackchannelLogoutRelay {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly signer: IdTokenSigner,
    private readonly issuer: () => string,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly opts: BackchannelLogoutOptions = {},
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.opts.intervalMs ?? 500);
    this.timer.unref();
  }

  async flush(): Promise<{ delivered: number; failed: number }> {
    const now = this.clock.now();
    const lease = new Date(now.getTime() + LEASE_SECONDS * 1000);
    const rows = await this.prisma.$queryRaw<ClaimedRow[]>`
      UPDATE "oauth_backchannel_logouts" SET "next_attempt_at" = ${lease}
      WHERE "id" IN (
        SELECT "id" FROM "oauth_backchannel_logouts"
        WHERE "delivered_at" IS NULL AND "failed_at" IS NULL AND "next_attempt_at" <= ${now}
        ORDER BY "next_attempt_at" LIMIT ${this.opts.batchSize ?? 20}
        FOR UPDATE SKIP LOCKED)
      RETURNING "id", "client_id", "user_id", "sid", "session_id", "attempts"`;
    if (!rows.length) return { delivered: 0, failed: 0 };
    const clients = await this.prisma.oAuthClient.findMany({ where: { clientId: { in: [...new Set(rows.map((r) => r.client_id))] } }, select: { clientId: true, backchannelLogoutUri: true } });
    const uriOf = new Map(clients.map((c) => [c.clientId, c.backchannelLogoutUri]));
    const result = { delivered: 0, failed: 0 };
    // One receiver's slowness must not hold up the others: the batch is posted side by side.
    await Promise.all(
      rows.map(async (row) => {
        try {
          const uri = uriOf.get(row.client_id);
          if (!uri) throw new Error('the client no longer has a backchannel_logout_uri');
          await this.post(uri, row);
          await this.prisma.$transaction([
            this.prisma.oAuthBackchannelLogout.updateMany({ where: { id: row.id }, data: { deliveredAt: this.clock.now(), attempts: row.attempts + 1, lastError: null } }),
            this.prisma.auditEvent.create({ data: this.audit(row, 'oauth.backchannel_logout.delivered', { attempts: row.attempts + 1 }) }),
          ]);
          result.delivered += 1;
        } catch (err) {
          result.failed += 1;
          await this.recordFailure(row, err);
        }
      }),
    );
    return result;
  }

  private async post(uri: string, row: ClaimedRow): Promise<void> {
    const token = await this.signer.sign(
      logoutTokenClaims({ issuer: this.issuer(), clientId: row.client_id, userId: row.user_id, sid: row.sid, jti: randomUUID(), now: this.clock.now() }),
      'logout+jwt',
    );
    const res = await fetch(uri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: token }),
      redirect: 'manual',
      signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5000),
    });
    await res.body?.cancel();
    // §2.8: 200 OK on success (204 from frameworks that send no body is accepted too).
    if (res.status < 200 || res.status > 299) throw new Error(`HTTP ${res.status}`);
  }

  private async recordFailure(row: ClaimedRow, err: unknown): Promise<void> {
    const attempts = row.attempts + 1;
    const error = String((err as Error)?.message ?? err).slice(0, 300);
    const now = this.clock.now();
    if (attempts >= (this.opts.maxAttempts ?? 8)) {
      await this.prisma.$transaction([
        this.prisma.oAuthBackchannelLogout.updateMany({ where: { id: row.id }, data: { attempts, lastError: error, failedAt: now } }),
        this.prisma.auditEvent.create({ data: this.audit(row, 'oauth.backchannel_logout.failed', { attempts, error }) }),
      ]);
      this.logger.error('back-channel logout given up', { clientId: row.client_id, sessionId: row.session_id, attempts, error });
      return;
    }
    const delay = Math.min(MAX_BACKOFF_SECONDS, (this.opts.retrySeconds ?? 5) * 2 ** (attempts - 1));
    await this.prisma.oAuthBackchannelLogout.updateMany({ where: { id: row.id }, data: { attempts, lastError: error, nextAttemptAt: new Date(now.getTime() + delay * 1000) } });
    this.logger.warn('back-channel logout not delivered; will retry', { clientId: row.client_id, sessionId: row.session_id, attempts, retryInSeconds: delay, error });
  }

  private audit(row: ClaimedRow, type: string, extra: Record<string, unknown>): Prisma.AuditEventUncheckedCreateInput {
    return {
      id: randomUUID(),
      userId: row.user_id,
      type,
      ipAddress: null,
      userAgent: null,
      metadata: { clientId: row.client_id, sessionId: row.session_id, sid: row.sid, ...extra },
      createdAt: this.clock.now(),
    };
  }

  private tick(): void {
    if (this.running) return;
    this.running = this.flush()
      .catch((err: unknown) => this.logger.warn('back-channel logout pass failed; will retry', { error: err instanceof Error ? err.message : String(err) }))
      .finally(() => (this.running = null));
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
