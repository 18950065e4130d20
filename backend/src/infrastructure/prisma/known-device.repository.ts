// KnownDeviceRepository on Prisma. The insert is ON CONFLICT DO NOTHING (createMany skipDuplicates), so two
// simultaneous sign-ins from one new device make one 'new' and one 'known', never two alerts.
import type { KnownDeviceRepository } from '../../domain/ports';
import type { Db } from './client';

export class PrismaKnownDeviceRepository implements KnownDeviceRepository {
  constructor(private readonly db: Db) {}

  async remember(userId: string, key: string, now: Date): Promise<'new' | 'first' | 'known'> {
    const { count } = await this.db.knownDevice.createMany({
      data: [{ userId, fingerprint: key, firstSeenAt: now, lastSeenAt: now }],
      skipDuplicates: true,
    });
    if (count === 0) {
      await this.db.knownDevice.update({ where: { userId_fingerprint: { userId, fingerprint: key } }, data: { lastSeenAt: now } });
      return 'known';
    }
    const devices = await this.db.knownDevice.count({ where: { userId } });
    return devices > 1 ? 'new' : 'first';
  }

  async deleteForUser(userId: string): Promise<void> {
    await this.db.knownDevice.deleteMany({ where: { userId } });
  }
}
