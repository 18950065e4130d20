// FederatedIdentityRepository on Prisma (table FederatedIdentity, migration 20261206040100_federated_identities).
import type { FederatedIdentityRepository } from '../../domain/federation/ports';
import type { FederatedIdentity, NewFederatedIdentity } from '../../domain/federation/types';
import type { Db } from './client';

const toIdentity = (r: FederatedIdentity): FederatedIdentity => ({ id: r.id, userId: r.userId, provider: r.provider, subject: r.subject, email: r.email, createdAt: r.createdAt });

export class PrismaFederatedIdentityRepository implements FederatedIdentityRepository {
  constructor(private readonly db: Db) {}

  async create(identity: NewFederatedIdentity): Promise<boolean> {
    // ON CONFLICT DO NOTHING: a link that exists already must not abort the caller's transaction.
    const { count } = await this.db.federatedIdentity.createMany({ data: [identity], skipDuplicates: true });
    return count === 1;
  }

  async findBySubject(provider: string, subject: string): Promise<FederatedIdentity | null> {
    const row = await this.db.federatedIdentity.findUnique({ where: { provider_subject: { provider, subject } } });
    return row ? toIdentity(row) : null;
  }

  async listForUser(userId: string): Promise<FederatedIdentity[]> {
    const rows = await this.db.federatedIdentity.findMany({ where: { userId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    return rows.map(toIdentity);
  }

  async delete(userId: string, provider: string): Promise<boolean> {
    const { count } = await this.db.federatedIdentity.deleteMany({ where: { userId, provider } });
    return count > 0;
  }

  async deleteAll(userId: string): Promise<number> {
    const { count } = await this.db.federatedIdentity.deleteMany({ where: { userId } });
    return count;
  }
}
