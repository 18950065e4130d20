// AccountTokenRepository on Prisma: mailed single-use tokens, stored as SHA-256 only. Consumption is one
// conditional UPDATE, so two clicks on one link (or two tabs) can never both use it.
import type { AccountTokenRepository } from '../../domain/ports';
import type { AccountToken, AccountTokenPurpose, AccountTokenReplacement, NewAccountToken } from '../../domain/types';
import type { Db } from './client';

export class PrismaAccountTokenRepository implements AccountTokenRepository {
  constructor(private readonly db: Db) {}

  async issue(token: NewAccountToken, replaces: AccountTokenReplacement): Promise<void> {
    if (replaces !== 'none') {
      const sameSubject = replaces === 'same-subject' ? { subject: token.subject } : {};
      await this.db.accountToken.deleteMany({ where: { userId: token.userId, purpose: token.purpose, usedAt: null, ...sameSubject } });
    }
    const { id, userId, purpose, tokenHash, subject, expiresAt } = token;
    await this.db.accountToken.create({ data: { id, userId, purpose, tokenHash, subject, expiresAt } });
  }

  async consume(tokenHash: string, purpose: AccountTokenPurpose, now: Date): Promise<AccountToken | null> {
    const rows = await this.db.$queryRaw<AccountToken[]>`
      UPDATE "AccountToken" SET "usedAt" = ${now}
      WHERE "tokenHash" = ${tokenHash} AND "purpose" = ${purpose} AND "usedAt" IS NULL AND "expiresAt" > ${now}
      RETURNING "id", "userId", "purpose", "tokenHash", "subject", "expiresAt", "usedAt"`;
    const r = rows[0];
    return r
      ? { id: r.id, userId: r.userId, purpose: r.purpose, tokenHash: r.tokenHash, subject: r.subject, expiresAt: r.expiresAt, usedAt: r.usedAt }
      : null;
  }

  async discardUnused(userId: string, purpose: AccountTokenPurpose, keepId: string): Promise<void> {
    await this.db.accountToken.deleteMany({ where: { userId, purpose, usedAt: null, id: { not: keepId } } });
  }

  async listLive(userId: string, purpose: AccountTokenPurpose, now: Date): Promise<Pick<AccountToken, 'subject' | 'expiresAt'>[]> {
    return this.db.accountToken.findMany({ where: { userId, purpose, usedAt: null, expiresAt: { gt: now } }, select: { subject: true, expiresAt: true }, orderBy: { expiresAt: 'asc' } });
  }

  async voidUnused(userId: string, purposes: readonly AccountTokenPurpose[]): Promise<Pick<AccountToken, 'purpose' | 'subject'>[]> {
    if (purposes.length === 0) return [];
    const where = { userId, purpose: { in: [...purposes] }, usedAt: null };
    const rows = await this.db.accountToken.findMany({ where, select: { purpose: true, subject: true } });
    if (rows.length) await this.db.accountToken.deleteMany({ where });
    return rows.map((r) => ({ purpose: r.purpose as AccountTokenPurpose, subject: r.subject }));
  }

  async deleteForUser(userId: string): Promise<void> {
    await this.db.accountToken.deleteMany({ where: { userId } });
  }
}
