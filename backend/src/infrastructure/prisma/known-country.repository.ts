// KnownCountryRepository on Prisma (issue 33): one row per account and country, upserted at each sign-in.
import type { KnownCountryRepository } from '../../domain/ports';
import type { Db } from './client';

export class PrismaKnownCountryRepository implements KnownCountryRepository {
  constructor(private readonly db: Db) {}

  list(userId: string): Promise<{ countryCode: string; lastSeenAt: Date }[]> {
    return this.db.knownCountry.findMany({ where: { userId }, select: { countryCode: true, lastSeenAt: true }, orderBy: { lastSeenAt: 'desc' } });
  }

  async remember(userId: string, countryCode: string, now: Date): Promise<void> {
    await this.db.knownCountry.upsert({
      where: { userId_countryCode: { userId, countryCode } },
      create: { userId, countryCode, firstSeenAt: now, lastSeenAt: now },
      update: { lastSeenAt: now },
    });
  }

  async deleteForUser(userId: string): Promise<void> {
    await this.db.knownCountry.deleteMany({ where: { userId } });
  }
}
