// The repository contract (test/contracts/repositories.contract.ts) against the in-memory fakes the unit
// tests run the domain over: the same cases the Prisma repositories pass.
import { MemoryDatabase } from '../fakes/memory-repositories';
import { repositoryContract } from '../contracts/repositories.contract';

repositoryContract('in-memory fakes', async () => ({ repos: new MemoryDatabase().repositories(), close: async () => {} }));
