// Sends queued mail (OutgoingMail rows) through a MailSender, like the NATS relay publishes audit rows:
// poll, claim a batch, send, stamp. A failed send is retried after MAIL_RETRY_SECONDS, doubling per attempt
// up to an hour, until MAIL_MAX_ATTEMPTS; so an SMTP server that is down for a while loses no mail, it only
// arrives late. Claiming moves nextAttemptAt forward by a lease in the same statement (FOR UPDATE SKIP
// LOCKED), so two relays never send one row at the same time, and a relay that dies mid-send leaves the row
// to be retried when the lease runs out (at-least-once delivery). A row may be deleted while it is being sent
// (its account was deleted): the stamps below are updateMany, which finds nothing then, instead of an error
// that would end the pass and leave the rest of the batch to wait out its lease.
import type { MailMessage, MailSender } from '../../domain/mail';
import type { Clock } from '../../domain/ports';
import type { SecretCipher } from '../../domain/two-factor.ports';
import type { Logger } from '../logger';
import type { PrismaClient } from '../prisma/client';
import { renderMail, type TemplateSettings } from './templates';

export interface MailRelayOptions {
  templates: TemplateSettings;
  /** First retry delay, seconds (doubles per attempt, capped at an hour). */
  retrySeconds: number;
  maxAttempts: number;
  batchSize?: number;
  intervalMs?: number;
  /** How long a claimed row is left alone before another pass may retry it, seconds. */
  leaseSeconds?: number;
}

interface ClaimedRow {
  id: string;
  template: string;
  recipient: string;
  payload: string | null;
  attempts: number;
}

export interface FlushResult {
  sent: number;
  failed: number;
}

const MAX_BACKOFF_SECONDS = 3600;

export class MailRelay {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly sender: MailSender,
    private readonly cipher: SecretCipher,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly opts: MailRelayOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.opts.intervalMs ?? 1000);
    this.timer.unref();
  }

  /** Sends the due mail of one batch. */
  async flush(): Promise<FlushResult> {
    const now = this.clock.now();
    const lease = new Date(now.getTime() + (this.opts.leaseSeconds ?? 120) * 1000);
    const rows = await this.prisma.$queryRaw<ClaimedRow[]>`
      UPDATE "OutgoingMail" SET "nextAttemptAt" = ${lease}
      WHERE "id" IN (
        SELECT "id" FROM "OutgoingMail"
        WHERE "sentAt" IS NULL AND "failedAt" IS NULL AND "nextAttemptAt" <= ${now}
        ORDER BY "nextAttemptAt", "createdAt" LIMIT ${this.opts.batchSize ?? 20}
        FOR UPDATE SKIP LOCKED)
      RETURNING "id", "template", "recipient", "payload", "attempts"`;
    const result: FlushResult = { sent: 0, failed: 0 };
    for (const row of rows) {
      try {
        await this.sender.send(renderMail(this.message(row), this.opts.templates));
        await this.prisma.outgoingMail.updateMany({ where: { id: row.id }, data: { sentAt: this.clock.now(), payload: null, attempts: row.attempts + 1, lastError: null } });
        result.sent += 1;
      } catch (err) {
        result.failed += 1;
        await this.recordFailure(row, err);
      }
    }
    return result;
  }

  private message(row: ClaimedRow): MailMessage {
    if (!row.payload) throw new Error('mail payload missing');
    const params = JSON.parse(this.cipher.decrypt(row.payload, `mail:${row.id}`)) as unknown;
    return { template: row.template, to: row.recipient, params } as MailMessage;
  }

  private async recordFailure(row: ClaimedRow, err: unknown): Promise<void> {
    const attempts = row.attempts + 1;
    // Only the error's message: SMTP errors name the server's reply, never the mail's content.
    const error = String((err as Error)?.message ?? err).slice(0, 500);
    const now = this.clock.now();
    if (attempts >= this.opts.maxAttempts) {
      await this.prisma.outgoingMail.updateMany({ where: { id: row.id }, data: { attempts, lastError: error, failedAt: now, payload: null } });
      this.logger.error('mail given up after repeated failures', { mailId: row.id, template: row.template, attempts, error });
      return;
    }
    const delay = Math.min(MAX_BACKOFF_SECONDS, this.opts.retrySeconds * 2 ** (attempts - 1));
    await this.prisma.outgoingMail.updateMany({
      where: { id: row.id },
      data: { attempts, lastError: error, nextAttemptAt: new Date(now.getTime() + delay * 1000) },
    });
    this.logger.warn('mail not sent; will retry', { mailId: row.id, template: row.template, attempts, retryInSeconds: delay, error });
  }

  private tick(): void {
    if (this.running) return;
    this.running = this.flush()
      .catch((err: unknown) => this.logger.warn('mail relay pass failed; will retry', { error: err instanceof Error ? err.message : String(err) }))
      .finally(() => (this.running = null));
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
