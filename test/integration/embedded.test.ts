// The embedded database (PGlite behind a Postgres socket) must work with the migrator and Prisma and keep
// its data across a stop/start, since it is what `npm start` uses without DATABASE_URL.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../backend/src/infrastructure/database/embedded';
import { migrate } from '../../backend/src/infrastructure/database/migrator';
import { createPrismaClient, type PrismaClient } from '../../backend/src/infrastructure/prisma/client';
import { createRepositories } from '../../backend/src/infrastructure/prisma/unit-of-work';
import { MIGRATIONS_DIR } from '../helpers/database';

describe('embedded PostgreSQL (PGlite)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'embedded-pg-'));
  let running: EmbeddedPostgres | null = null;
  let prisma: PrismaClient | null = null;
  after(async () => {
    await prisma?.$disconnect();
    await running?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const userId = randomUUID();
  const email = `embedded-${userId}@example.com`;

  it('when started in an empty directory and migrated, then Prisma can write through the socket', async () => {
    running = await startEmbeddedPostgres(dataDir);
    assert.match(running.url, /^postgresql:\/\/postgres@127\.0\.0\.1:\d+\/postgres/);
    assert.ok(existsSync(join(dataDir, 'pgdata')));
    assert.equal((await migrate(running.url, MIGRATIONS_DIR)).length > 0, true);
    prisma = createPrismaClient(running.url, { poolMax: 1 }); // PGlite is single-session
    await prisma.user.create({ data: { id: userId, email, passwordHash: 'h' } });
    // The repositories' raw SQL (rotate) also runs on PGlite.
    const repos = createRepositories(prisma);
    const now = new Date();
    const s = await repos.sessions.create({
      id: randomUUID(), userId, refreshTokenHash: 'emb-1', userAgent: null, ipAddress: null, deviceName: null, browser: null, os: null,
      deviceType: null, aal: 1, createdAt: now, lastActiveAt: now, expiresAt: new Date(now.getTime() + 60_000), idleExpiresAt: new Date(now.getTime() + 60_000),
    });
    const rotated = await repos.sessions.rotate('emb-1', 'emb-2', now, new Date(now.getTime() + 60_000));
    assert.equal(rotated?.id, s.id);
    await prisma.$disconnect();
    prisma = null;
    await running.stop();
    running = null;
  });

  it('when started again on the same directory, then the data is still there and nothing is re-applied', async () => {
    running = await startEmbeddedPostgres(dataDir);
    assert.deepEqual(await migrate(running.url, MIGRATIONS_DIR), []);
    prisma = createPrismaClient(running.url, { poolMax: 1 });
    const user = await prisma.user.findUnique({ where: { id: userId } });
    assert.equal(user?.email, email);
    assert.equal((await prisma.session.findFirst({ where: { userId } }))?.refreshTokenHash, 'emb-2');
  });

  it('when Prisma clients reconnect one after another, then the single connection slot and prepared statements carry over', async () => {
    await prisma?.$disconnect();
    prisma = null;
    for (let i = 0; i < 5; i++) {
      // Same queries each time: their prepared-statement names already exist in PGlite's one session.
      const p = createPrismaClient(running!.url, { poolMax: 1 });
      assert.equal((await p.user.findUnique({ where: { id: userId } }))?.email, email);
      assert.equal(await createRepositories(p).sessions.rotate('nope', 'nope-2', new Date(), new Date()), null);
      await p.$disconnect();
    }
  });

  it('when stop is called twice, then the second call is a no-op', async () => {
    await prisma?.$disconnect();
    prisma = null;
    await running!.stop();
    await running!.stop();
    running = null;
  });
});
