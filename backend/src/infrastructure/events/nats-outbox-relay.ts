// Transactional outbox relay: AuditEvent rows are written in the same transaction as the change they
// record; this relay publishes the unpublished ones to NATS JetStream (subject `<prefix>.<type>`) and
// stamps publishedAt. JetStream de-duplicates on Nats-Msg-Id (the event id), so a crash between publish
// and stamp — or two instances relaying at once — never yields duplicates inside the duplicate window.
// Without NATS_URL no relay runs and events simply stay in the table.
// Each row goes out twice: as `<prefix>.<audit type>` (the original subjects, unchanged) and as the
// catalogue events it stands for (USER_CREATED, USER_LOGGED_OUT, auth.password.reset, ...: see
// domain/event-catalogue.ts and docs/events.md) on `<catalogueSubjectPrefix><name>`, in the same stream.
import { connect, JSONCodec, type ConnectionOptions, type JetStreamClient, type NatsConnection } from 'nats';
import { closeNatsConnection } from './nats-connection';
import { CATALOGUE, type OutboxRow } from '../../domain/event-catalogue';
import { DESIGN_EVENTS, namedEvents, type EventNames } from '../../domain/design-events';
import type { Logger } from '../logger';
import type { PrismaClient } from '../prisma/client';

export interface OutboxRelayOptions {
  natsUrl: string;
  /** Servers, credentials and TLS (natsConnectionOptions in nats-connection.ts); when given, natsUrl is not read. */
  connection?: ConnectionOptions;
  stream: string;
  subjectPrefix: string;
  /** Prepended to catalogue event names (USER_CREATED → `<prefix>USER_CREATED`) and the design's. Default ''. */
  catalogueSubjectPrefix?: string;
  /** Which named events go out besides `<subjectPrefix>.<type>`: the catalogue's, the design's (domain/design-events.ts) or both (default). */
  eventNames?: EventNames;
  batchSize?: number;
  intervalMs?: number;
  /** Wait between reconnect attempts (ms; NATS's default 2000). */
  reconnectTimeWaitMs?: number;
}

interface PendingRow {
  id: string;
  userId: string | null;
  type: string;
  ipAddress: string | null;
  metadata: unknown;
  createdAt: Date;
  email: string | null;
  username: string | null;
  role: string | null;
  status: string | null;
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
    // Reconnects for as long as it takes, like the app's main connection: with NATS's default (10 attempts) an
    // outage of half a minute closed this connection for good, and the outbox was never published again.
    this.nc = await connect({
      ...(this.opts.connection ?? { servers: this.opts.natsUrl }),
      name: 'auth-outbox-relay',
      maxReconnectAttempts: -1,
      reconnectTimeWait: this.opts.reconnectTimeWaitMs ?? 2000,
    });
    const jsm = await this.nc.jetstreamManager();
    const own = `${this.opts.subjectPrefix}.`;
    const names = this.opts.eventNames ?? 'both';
    const named = [...(names === 'design' ? [] : CATALOGUE), ...(names === 'catalogue' ? [] : DESIGN_EVENTS)];
    const catalogue = [...new Set(named.map((name) => this.catalogueSubject(name)))].filter((s) => !s.startsWith(own));
    const subjects = [`${this.opts.subjectPrefix}.>`, ...catalogue];
    let existing: string[] | null = null;
    try {
      existing = (await jsm.streams.info(this.opts.stream)).config.subjects ?? [];
    } catch {
      await jsm.streams.add({ name: this.opts.stream, subjects });
    }
    if (existing && subjects.some((s) => !existing.includes(s))) {
      // A stream created before the catalogue existed: add the catalogue subjects to it.
      const info = await jsm.streams.info(this.opts.stream);
      await jsm.streams.update(this.opts.stream, { ...info.config, subjects: [...new Set([...existing, ...subjects])] });
    }
    this.js = this.nc.jetstream();
    this.timer = setInterval(() => void this.tick(), this.opts.intervalMs ?? 1000);
    this.timer.unref();
  }

  /** Publishes one batch; returns how many events were published. */
  async flush(): Promise<number> {
    if (!this.js) return 0;
    const rows = await this.prisma.$queryRaw<PendingRow[]>`
      SELECT a."id", a."userId", a."type", a."ipAddress", a."metadata", a."createdAt", u."email", u."username", u."role"::text AS "role", u."status"::text AS "status"
      FROM "AuditEvent" a LEFT JOIN "User" u ON u."id" = a."userId"
      WHERE a."publishedAt" IS NULL ORDER BY a."createdAt", a."id" LIMIT ${this.opts.batchSize ?? 100}`;
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
      for (const message of namedEvents(toOutboxRow(row), this.opts.eventNames ?? 'both')) {
        await this.js.publish(this.catalogueSubject(message.name), this.codec.encode(message.body), { msgID: message.id });
      }
      done.push(row.id);
    }
    if (done.length) {
      await this.prisma.auditEvent.updateMany({ where: { id: { in: done } }, data: { publishedAt: new Date() } });
    }
    return done.length;
  }

  private catalogueSubject(name: string): string {
    return `${this.opts.catalogueSubjectPrefix ?? ''}${name}`;
  }

  private tick(): Promise<void> {
    if (this.running) return Promise.resolve();
    this.running = this.flush()
      .then(() => undefined)
      .catch((err: unknown) => {
        this.logger.warn('outbox relay failed; will retry', { error: err instanceof Error ? err.message : String(err) });
      })
      .finally(() => (this.running = null));
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
    const nc = this.nc;
    if (!nc) return;
    await closeNatsConnection(nc);
  }
}

function toOutboxRow(row: PendingRow): OutboxRow {
  return {
    id: row.id,
    userId: row.userId,
    type: row.type,
    ipAddress: row.ipAddress,
    metadata: row.metadata && typeof row.metadata === 'object' ? (row.metadata as Record<string, unknown>) : {},
    createdAt: new Date(row.createdAt),
    user: row.email ? { email: row.email, username: row.username, role: row.role ?? 'user', status: row.status ?? 'active' } : null,
  };
}
