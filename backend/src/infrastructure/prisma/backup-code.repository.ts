// BackupCodeRepository on Prisma. Only hashes are stored; markUsed() is a compare-and-set so one code
// cannot be spent twice by concurrent requests.
import type { BackupCodeRepository } from '../../domain/ports';
import type { BackupCode } from '../../domain/types';
import type { Db } from './client';
import { toBackupCode } from './mappers';

export class PrismaBackupCodeRepository implements BackupCodeRepository {
  constructor(private readonly db: Db) {}

  async listUnused(userId: string): Promise<BackupCode[]> {
    const rows = await this.db.backupCode.findMany({
      where: { userId, usedAt: null },
      select: { id: true, userId: true, codeHash: true, usedAt: true },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    return rows.map(toBackupCode);
  }

  async replaceAll(userId: string, codes: { id: string; codeHash: string }[]): Promise<void> {
    const del = this.db.backupCode.deleteMany({ where: { userId } });
    const add = this.db.backupCode.createMany({ data: codes.map((c) => ({ id: c.id, userId, codeHash: c.codeHash })) });
    // On the bare client, batch both statements in one transaction so a failure never leaves the user with
    // no codes. Inside a unit of work we are already atomic and must NOT do that: a transaction client does
    // expose $transaction at runtime, but a batch started from it runs outside the surrounding transaction.
    // Only the root client has $connect, which tells the two apart.
    const root = this.db as Partial<{ $connect(): Promise<void>; $transaction(ops: unknown[]): Promise<unknown> }>;
    if (typeof root.$connect === 'function' && typeof root.$transaction === 'function') await root.$transaction([del, add]);
    else {
      await del;
      await add;
    }
  }

  async markUsed(id: string, now: Date): Promise<boolean> {
    const { count } = await this.db.backupCode.updateMany({ where: { id, usedAt: null }, data: { usedAt: now } });
    return count === 1;
  }

  async deleteAll(userId: string): Promise<void> {
    await this.db.backupCode.deleteMany({ where: { userId } });
  }
}
