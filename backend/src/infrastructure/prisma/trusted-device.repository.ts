// TrustedDeviceRepository on Prisma: devices where the second factor is skipped until they expire.
import type { TrustedDeviceRepository } from '../../domain/ports';
import type { TrustedDevice } from '../../domain/types';
import type { Db } from './client';
import { isUuid } from './mappers';

export class PrismaTrustedDeviceRepository implements TrustedDeviceRepository {
  constructor(private readonly db: Db) {}

  async create(d: Omit<TrustedDevice, 'lastUsedAt' | 'createdAt'>): Promise<TrustedDevice> {
    return this.db.trustedDevice.create({ data: d });
  }

  async findLive(userId: string, tokenHash: string, now: Date): Promise<TrustedDevice | null> {
    const row = await this.db.trustedDevice.findUnique({ where: { tokenHash } });
    return row && row.userId === userId && row.expiresAt > now ? row : null;
  }

  async touch(id: string, sessionId: string, now: Date): Promise<void> {
    await this.db.trustedDevice.updateMany({ where: { id }, data: { lastSessionId: sessionId, lastUsedAt: now } });
  }

  async listLive(userId: string, now: Date): Promise<TrustedDevice[]> {
    return this.db.trustedDevice.findMany({ where: { userId, expiresAt: { gt: now } }, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }] });
  }

  async delete(userId: string, id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const { count } = await this.db.trustedDevice.deleteMany({ where: { id, userId } });
    return count === 1;
  }

  async deleteAll(userId: string): Promise<number> {
    const { count } = await this.db.trustedDevice.deleteMany({ where: { userId } });
    return count;
  }
}
