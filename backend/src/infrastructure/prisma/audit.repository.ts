// AuditRepository on Prisma. Rows double as the NATS outbox (publishedAt stays null until published
// elsewhere); the audit log is read newest first with keyset pagination on (createdAt, id).
import { randomUUID } from 'node:crypto';
import type { Prisma } from '../../generated/prisma/client';
import type { AuditRepository } from '../../domain/ports';
import type { AuditEvent, NewAuditEvent } from '../../domain/types';
import type { Db } from './client';
import { isUuid, toAuditEvent } from './mappers';

export class PrismaAuditRepository implements AuditRepository {
  constructor(
    private readonly db: Db,
    /** Told about each event once written (the unit of work buffers it until the commit). */
    private readonly seen: ((e: NewAuditEvent) => void) | null = null,
  ) {}

  async record(e: NewAuditEvent): Promise<void> {
    await this.db.auditEvent.create({
      data: {
        id: randomUUID(),
        userId: e.userId,
        type: e.type,
        ipAddress: e.ipAddress,
        userAgent: e.userAgent,
        metadata: e.metadata as Prisma.InputJsonObject,
      },
    });
    this.seen?.(e);
  }

  async listForUser(userId: string, opts: { limit: number; before?: { createdAt: Date; id: string } }): Promise<AuditEvent[]> {
    if (!isUuid(userId)) return [];
    const b = opts.before;
    const rows = await this.db.auditEvent.findMany({
      where: {
        userId,
        // Strictly older than the cursor; id breaks ties between events of the same millisecond.
        ...(b ? { OR: [{ createdAt: { lt: b.createdAt } }, { createdAt: b.createdAt, id: { lt: b.id } }] } : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: opts.limit,
    });
    return rows.map(toAuditEvent);
  }

  async anonymiseForUser(userId: string): Promise<void> {
    if (!isUuid(userId)) return;
    await this.db.auditEvent.updateMany({ where: { userId }, data: { ipAddress: null, userAgent: null } });
  }
}
