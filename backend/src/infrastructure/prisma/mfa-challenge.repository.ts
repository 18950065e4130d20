// MfaChallengeRepository on Prisma. consume() is a compare-and-set so a challenge completes at most once.
import type { MfaChallengeRepository } from '../../domain/ports';
import type { MfaChallenge } from '../../domain/types';
import type { Db } from './client';
import { isUuid, toMfaChallenge } from './mappers';

export class PrismaMfaChallengeRepository implements MfaChallengeRepository {
  constructor(private readonly db: Db) {}

  async create(c: Omit<MfaChallenge, 'attempts' | 'consumedAt' | 'createdAt'>): Promise<MfaChallenge> {
    const row = await this.db.mfaChallenge.create({
      data: {
        id: c.id,
        userId: c.userId,
        tokenHash: c.tokenHash,
        ipAddress: c.ipAddress,
        userAgent: c.userAgent,
        deviceName: c.deviceName,
        expiresAt: c.expiresAt,
      },
    });
    return toMfaChallenge(row);
  }

  async findByTokenHash(hash: string): Promise<MfaChallenge | null> {
    const row = await this.db.mfaChallenge.findUnique({ where: { tokenHash: hash } });
    return row ? toMfaChallenge(row) : null;
  }

  async consume(id: string, now: Date): Promise<boolean> {
    const { count } = await this.db.mfaChallenge.updateMany({ where: { id, consumedAt: null }, data: { consumedAt: now } });
    return count === 1;
  }

  /** Atomic increment: parallel wrong codes each count. */
  async recordAttempt(id: string): Promise<number> {
    const row = await this.db.mfaChallenge.update({
      where: { id },
      data: { attempts: { increment: 1 } },
      select: { attempts: true },
    });
    return row.attempts;
  }

  async deleteForUser(userId: string): Promise<void> {
    if (!isUuid(userId)) return;
    await this.db.mfaChallenge.deleteMany({ where: { userId } });
  }
}
