// KnownCountryRepository on Prisma (issue 33): one row per account and country, inserted at the first
// sign-in from it (atomically, see remember) and stamped at each later one.
import type { KnownCountryRepository } from '../../domain/ports';
import type { Db } from './client';

export class PrismaKnownCountryRepository implements KnownCountryRepository {
  constructor(private readonly db: Db) {}

  list(userId: string): Promise<{ countryCode: string; lastSeenAt: Date }[]> {
    return this.db.knownCountry.findMany({ where: { userId }, select: { countryCode: true, lastSeenAt: true }, orderBy: { lastSeenAt: 'desc' } });
  }

  async remember(userId: string, countryCode: string, now: Date): Promise<'new' | 'first' | 'known'> {
    // INSERT ... ON CONFLICT DO NOTHING (createMany skipDuplicates): a concurrent insert of the same row waits
    // on the unique key and then conflicts, so two parallel first sign-ins from one country make one 'new'
    // and one 'known'. A read-then-upsert let both read "unknown" (two marks) — or, with the upsert's own
    // race, fail one of them.
    const { count } = await this.db.knownCountry.createMany({
      data: [{ userId, countryCode, firstSeenAt: now, lastSeenAt: now }],
      skipDuplicates: true,
    });
    if (count === 0) {
      await this.db.knownCountry.update({ where: { userId_countryCode: { userId, countryCode } }, data: { lastSeenAt: now } });
      return 'known';
    }
    const countries = await this.db.knownCountry.count({ where: { userId } });
    return countries > 1 ? 'new' : 'first';
  }

  async deleteForUser(userId: string): Promise<void> {
    await this.db.knownCountry.deleteMany({ where: { userId } });
  }
}
