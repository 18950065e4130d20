// Transactional outbox relay: AuditEvent rows are written in the same transaction as the change they
// record; this relay publishes the unpublished ones to NATS JetStream (subject `<prefix>.<type>`) and
// stamps publishedAt. JetStream de-duplicates on Nats-Msg-Id (the event id), so a crash between publish
// and stamp — or two instances relaying at once — never yields duplicates inside the duplicate window.
// Without NATS_URL no relay runs and events simply stay in the table.
import { connect, JSONCodec, type JetStreamClient, type NatsConnection } from 'nats';
import type { Logger } from '../logger';
import type { PrismaClient } from '../prisma/client';

export interface OutboxRelayOptions {
  natsUrl: string;
  stream: string;
  subjectPrefix: string;
  batchSize?: number;
  intervalMs?: number;
}

interface PendingRow {
  id: string;
  userId: string | null;
  type: string;
  ipAddress: string | null;
  metadata: unknown;
  createdAt: Date;
}

export class NatsOutboxRelay {
  private nc: NatsConnection | null = null;
  private js: JetStreamClient | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly codec = JSONCodec();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly logger: Logger,
    private readonly opts: OutboxRelayOptions,
  ) {}

  async start(): Promise<void> {
    this.nc = await connect({ servers: this.opts.natsUrl, name: 'auth-outbox-relay' });
    const jsm = await this.nc.jetstreamManager();
    const subjects = [`${this.opts.subjectPrefix}.>`];
    try {
      await jsm.streams.info(this.opts.stream);
    } catch {
      await jsm.streams.add({ name: this.opts.stream, subjects });
    }
    this.js = this.nc.jetstream();
    this.timer = setInterval(() => void this.tick(), this.opts.intervalMs ?? 1000);
    this.timer.unref();
  }

  /** Publishes one batch; returns how many events were published. */
  async flush(): Promise<number> {
    if (!this.js) return 0;
    const rows = await this.prisma.$queryRaw<PendingRow[]>`
      SELECT "id", "userId", "type", "ipAddress", "metadata", "createdAt" FROM "AuditEvent"
      WHERE "publishedAt" IS NULL ORDER BY "createdAt", "id" LIMIT ${this.opts.batchSize ?? 100}`;
    const done: string[] = [];
    for (const row of rows) {
      await this.js.publish(`${this.opts.subjectPrefix}.${row.type}`, this.codec.encode({
        id: row.id,
        type: row.type,
        userId: row.userId,
        ipAddress: row.ipAddress,
        metadata: row.metadata,
        occurredAt: new Date(row.createdAt).toISOString(),
      }), { msgID: row.id });
      done.push(row.id);
    }
    if (done.length) {
      await this.prisma.auditEvent.updateMany({ where: { id: { in: done } }, data: { publishedAt: new Date() } });
    }
    return done.length;
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = this.flush()
      .then(() => undefined)
      .catch((err) => {
        this.logger.warn('outbox relay failed; will retry', { error: String(err?.message ?? err) });
      })
      .finally(() => (this.running = null));
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
    await this.nc?.drain().catch(() => undefined);
  }
}
