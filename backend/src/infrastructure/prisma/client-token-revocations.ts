// Revoked client_credentials tokens in revoked_client_tokens (see ClientTokenRevocations). Revocations are
// rare, so each write also deletes rows whose token has expired: the table stays as small as the set of
// revoked tokens still alive, with no housekeeping job.
import type { ClientTokenRevocations } from '../../domain/oauth/ports';
import type { PrismaClient } from './client';

export class PrismaClientTokenRevocations implements ClientTokenRevocations {
  constructor(private readonly prisma: PrismaClient) {}

  async record(r: { tokenId: string; clientId: string; revokedAt: Date; expiresAt: Date }): Promise<void> {
    await this.prisma.$transaction([
      this.prisma.revokedClientToken.deleteMany({ where: { expiresAt: { lt: r.revokedAt } } }),
      // Revoking the same token twice keeps the first record.
      this.prisma.revokedClientToken.upsert({ where: { tokenId: r.tokenId }, create: r, update: {} }),
    ]);
  }

  async listSince(since: Date): Promise<{ id: string; revokedAt: Date }[]> {
    const rows = await this.prisma.revokedClientToken.findMany({ where: { revokedAt: { gte: since } }, select: { tokenId: true, revokedAt: true }, orderBy: { revokedAt: 'asc' } });
    return rows.map((r) => ({ id: r.tokenId, revokedAt: r.revokedAt }));
  }
}
