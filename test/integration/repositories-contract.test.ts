// The repository contract (test/contracts/repositories.contract.ts) against the Prisma repositories on a
// fresh, migrated PostgreSQL database, built as the container builds them (rotate as a named pg statement,
// queued mail encrypted).
import { randomBytes } from 'node:crypto';
import { AesGcmSecretCipher } from '../../backend/src/infrastructure/crypto/secret-box';
import { createDatabaseClients } from '../../backend/src/infrastructure/prisma/client';
import { createRepositories } from '../../backend/src/infrastructure/prisma/unit-of-work';
import { repositoryContract } from '../contracts/repositories.contract';
import { createTestDatabase } from '../helpers/database';

repositoryContract('Prisma on PostgreSQL', async () => {
  const db = await createTestDatabase();
  const clients = createDatabaseClients(db.url, { poolMax: 12 });
  return {
    repos: createRepositories(clients.prisma, null, null, clients.pool, new AesGcmSecretCipher(randomBytes(32))),
    async close() {
      await clients.prisma.$disconnect();
      await db.drop();
    },
  };
});
