// Ended sessions for the revocation feed, read straight from Session (revokedAt is indexed).
import type { Revocation, RevocationLog } from '../../domain/revocation-feed';
import type { RevokeReason } from '../../domain/types';
import type { PrismaClient } from './client';

const select = { id: true, userId: true, revokedAt: true, revokedReason: true } as const;

type Row = { id: string; userId: string; revokedAt: Date | null; revokedReason: string | null };

const toRevocation = (r: Row): Revocation => ({
  sessionId: r.id,
  userId: r.userId,
  revokedAt: r.revokedAt!,
  reason: (r.revokedReason as RevokeReason | null) ?? 'unknown',
});

export class PrismaRevocationLog implements RevocationLog {
  constructor(private readonly prisma: PrismaClient) {}

  async since(since: Date): Promise<Revocation[]> {
    const rows = await this.prisma.session.findMany({ where: { revokedAt: { gte: since } }, select, orderBy: { revokedAt: 'asc' } });
    return rows.map(toRevocation);
  }

  async byIds(sessionIds: string[]): Promise<Revocation[]> {
    if (sessionIds.length === 0) return [];
    const rows = await this.prisma.session.findMany({ where: { id: { in: sessionIds }, revokedAt: { not: null } }, select });
    return rows.map(toRevocation);
  }
}
