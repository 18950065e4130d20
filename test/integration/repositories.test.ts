// Prisma repositories against a real, freshly migrated PostgreSQL database, including the concurrency
// guarantees the ports promise (atomic rotation, compare-and-set updates, atomic counters).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError } from '../../backend/src/domain/errors';
import type { Repositories } from '../../backend/src/domain/ports';
import type { User } from '../../backend/src/domain/types';
import { createDatabaseClients, createPrismaClient, type PrismaClient } from '../../backend/src/infrastructure/prisma/client';
import { createRepositories, PrismaUnitOfWork } from '../../backend/src/infrastructure/prisma/unit-of-work';
import { repositoryFixtures } from '../contracts/repositories.contract';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

const MIN = 60_000;
const at = (iso: string) => new Date(iso);

describe('Prisma repositories', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  let repos: Repositories;

  before(async () => {
    db = await createTestDatabase();
    const clients = createDatabaseClients(db.url, { poolMax: 12 });
    prisma = clients.prisma;
    // As the container builds them: rotate() runs as a named pg statement on the pool.
    repos = createRepositories(prisma, null, null, clients.pool);
  });
  after(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  const { newUser, newSession } = repositoryFixtures(() => repos);

  describe('users', () => {
    it('when the id (not the email) collides, then the database error is not disguised as EMAIL_TAKEN', async () => {
      const u = await newUser();
      await assert.rejects(newUser({ id: u.id }), (e: unknown) => !(e instanceof DomainError) && (e as { code?: string }).code === 'P2002');
    });
  });

  describe('sessions', () => {
    let user: User;
    before(async () => {
      user = await newUser();
    });

    it('when rotate runs through Prisma ($queryRaw, as inside a transaction), then it returns what the pg path returns', async () => {
      const viaPrisma = createRepositories(prisma);
      const s = await newSession(user.id);
      const now = new Date();
      const idle = new Date(now.getTime() + 30 * MIN);
      const a = await viaPrisma.sessions.rotate(s.refreshTokenHash, `prisma-${s.id}`, now, idle);
      const b = await repos.sessions.rotate(`prisma-${s.id}`, `pg-${s.id}`, now, idle);
      assert.ok(a && b);
      assert.deepEqual(a, b);
      const found = await repos.sessions.findByRefreshTokenHash(s.refreshTokenHash);
      assert.equal(found?.matched, 'previous');
      assert.equal(found?.session.id, s.id);
    });
  });

  describe('backup codes', () => {
    it('when codes are replaced, used and deleted, then listUnused reflects each step', async () => {
      const u = await newUser();
      const first = [1, 2, 3].map((i) => ({ id: randomUUID(), codeHash: `h${i}` }));
      await repos.backupCodes.replaceAll(u.id, first);
      assert.deepEqual((await repos.backupCodes.listUnused(u.id)).map((c) => c.codeHash).sort(), ['h1', 'h2', 'h3']);

      const now = new Date();
      const results = await Promise.all(Array.from({ length: 5 }, () => repos.backupCodes.markUsed(first[0].id, now)));
      assert.equal(results.filter(Boolean).length, 1, 'a code is spent once');
      const unused = await repos.backupCodes.listUnused(u.id);
      assert.deepEqual(unused.map((c) => c.codeHash).sort(), ['h2', 'h3']);
      assert.deepEqual(Object.keys(unused[0]).sort(), ['codeHash', 'id', 'usedAt', 'userId']);

      const second = [{ id: randomUUID(), codeHash: 'n1' }];
      await repos.backupCodes.replaceAll(u.id, second);
      assert.deepEqual(await repos.backupCodes.listUnused(u.id), [{ id: second[0].id, userId: u.id, codeHash: 'n1', usedAt: null }]);
      assert.equal(await prisma.backupCode.count({ where: { userId: u.id } }), 1, 'used codes are replaced too');

      await repos.backupCodes.deleteAll(u.id);
      assert.deepEqual(await repos.backupCodes.listUnused(u.id), []);
    });

    it('when replaceAll fails half-way on the bare client, then the old codes survive', async () => {
      const u = await newUser();
      const old = { id: randomUUID(), codeHash: 'old' };
      await repos.backupCodes.replaceAll(u.id, [old]);
      const dup = randomUUID();
      await assert.rejects(repos.backupCodes.replaceAll(u.id, [{ id: dup, codeHash: 'a' }, { id: dup, codeHash: 'b' }]));
      assert.deepEqual((await repos.backupCodes.listUnused(u.id)).map((c) => c.id), [old.id]);
    });
  });

  describe('audit', () => {
    it('when events are recorded, then listForUser pages newest first with a (createdAt, id) cursor', async () => {
      const u = await newUser();
      for (let i = 0; i < 5; i++) {
        await repos.audit.record({ userId: u.id, type: 'login.succeeded', ipAddress: '192.0.2.1', userAgent: 'UA', metadata: { i, nested: { ok: true } } });
      }
      await repos.audit.record({ userId: null, type: 'login.failed', ipAddress: null, userAgent: null, metadata: {} });
      // Two events in the same millisecond: the id must break the tie without skipping or repeating.
      const same = new Date();
      await prisma.auditEvent.updateMany({ where: { userId: u.id, metadata: { path: ['i'], gte: 3 } }, data: { createdAt: same } });

      const all = await repos.audit.listForUser(u.id, { limit: 100 });
      assert.equal(all.length, 5);
      assert.ok(all.every((e) => e.type === 'login.succeeded' && e.userId === u.id));
      assert.deepEqual(all.find((e) => e.metadata.i === 0)!.metadata, { i: 0, nested: { ok: true } });
      for (let i = 1; i < all.length; i++) {
        const [p, c] = [all[i - 1], all[i]];
        assert.ok(p.createdAt > c.createdAt || (p.createdAt.getTime() === c.createdAt.getTime() && p.id > c.id));
      }

      const paged = [];
      let before: { createdAt: Date; id: string } | undefined;
      for (;;) {
        const page = await repos.audit.listForUser(u.id, { limit: 2, before });
        paged.push(...page);
        if (page.length < 2) break;
        const last = page[page.length - 1];
        before = { createdAt: last.createdAt, id: last.id };
      }
      assert.deepEqual(paged.map((e) => e.id), all.map((e) => e.id));
    });
  });

  describe('unit of work', () => {
    it('when the work succeeds, then all its writes commit together', async () => {
      const uow = new PrismaUnitOfWork(prisma);
      const id = randomUUID();
      const email = `uow-ok-${id}@example.com`;
      await uow.run(async (r) => {
        await r.users.create({ id, email, username: null, passwordHash: 'h', role: 'user', status: 'active' });
        await r.audit.record({ userId: id, type: 'user.registered', ipAddress: null, userAgent: null, metadata: {} });
      });
      assert.ok(await repos.users.findById(id));
      assert.equal((await repos.audit.listForUser(id, { limit: 10 })).length, 1);
    });

    it('when the work throws, then none of its writes persist', async () => {
      const uow = new PrismaUnitOfWork(prisma);
      const id = randomUUID();
      await assert.rejects(
        uow.run(async (r) => {
          await r.users.create({ id, email: `uow-fail-${id}@example.com`, username: null, passwordHash: 'h', role: 'user', status: 'active' });
          await r.audit.record({ userId: id, type: 'user.registered', ipAddress: null, userAgent: null, metadata: {} });
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.equal(await repos.users.findById(id), null);
      assert.equal(await prisma.auditEvent.count({ where: { userId: id } }), 0);
    });

    it('when backup codes are replaced inside a unit of work that fails, then the old codes stay', async () => {
      const u = await newUser();
      const old = { id: randomUUID(), codeHash: 'old' };
      await repos.backupCodes.replaceAll(u.id, [old]);
      await assert.rejects(
        new PrismaUnitOfWork(prisma).run(async (r) => {
          await r.backupCodes.replaceAll(u.id, [{ id: randomUUID(), codeHash: 'new' }]);
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.deepEqual((await repos.backupCodes.listUnused(u.id)).map((c) => c.id), [old.id]);
    });

    it('when a duplicate email is created inside a unit of work, then EMAIL_TAKEN surfaces and nothing commits', async () => {
      const existing = await newUser();
      const uow = new PrismaUnitOfWork(prisma);
      const id = randomUUID();
      await assert.rejects(
        uow.run(async (r) => {
          await r.audit.record({ userId: null, type: 'user.registered', ipAddress: null, userAgent: null, metadata: { id } });
          await r.users.create({ id, email: existing.email, username: null, passwordHash: 'h', role: 'user', status: 'active' });
        }),
        (e: unknown) => e instanceof DomainError && e.code === 'EMAIL_TAKEN',
      );
      assert.equal(await prisma.auditEvent.count({ where: { metadata: { path: ['id'], equals: id } } }), 0);
    });
  });

  describe('client configuration', () => {
    let other: TestDatabase;
    let client: PrismaClient;
    let admin: pg.Client;
    before(async () => {
      other = await createTestDatabase();
      admin = new pg.Client({ connectionString: other.url });
      await admin.connect();
      // A server whose default time zone is not UTC (prisma/orm#26786 territory).
      await admin.query(`ALTER DATABASE "${other.name}" SET timezone = 'America/New_York'`);
      client = createPrismaClient(other.url, { poolMax: 2 });
    });
    after(async () => {
      await client?.$disconnect();
      await admin?.end();
      await other?.drop();
    });

    it('when the server time zone is not UTC, then timestamps are stored and compared as the right instants', async () => {
      const r = createRepositories(client);
      const u = await r.users.create({ id: randomUUID(), email: 'tz@example.com', username: null, passwordHash: 'h', role: 'user', status: 'active' });
      const until = at('2030-06-01T12:00:00.250Z');
      await r.users.lock(u.id, until);
      const [{ utc }] = (await admin.query(`SELECT ("lockedUntil" AT TIME ZONE 'UTC')::text AS utc FROM "User" WHERE id = $1`, [u.id])).rows;
      assert.equal(utc, '2030-06-01 12:00:00.25');
      const now = new Date();
      const s = await r.sessions.create({
        id: randomUUID(), userId: u.id, refreshTokenHash: 'tz-1', userAgent: null, ipAddress: null, deviceName: null, browser: null, os: null,
        deviceType: null, aal: 1, createdAt: now, lastActiveAt: now, expiresAt: new Date(now.getTime() + 60 * MIN), idleExpiresAt: new Date(now.getTime() + 2 * MIN),
      });
      // Off by the zone offset (hours), the idle expiry would already be past and rotation would fail.
      assert.equal((await r.sessions.rotate('tz-1', 'tz-2', now, new Date(now.getTime() + 30 * MIN)))?.id, s.id);
    });

    it('when a column is added while statements are cached, then rotate keeps working', async () => {
      const r = createRepositories(client);
      const u = await r.users.create({ id: randomUUID(), email: 'ddl@example.com', username: null, passwordHash: 'h', role: 'user', status: 'active' });
      const now = new Date();
      const idle = new Date(now.getTime() + 30 * MIN);
      const s = await newSessionOn(r, u.id, 'ddl-1');
      await newSessionOn(r, u.id, 'ddl-a');
      assert.ok(await r.sessions.rotate('ddl-1', 'ddl-2', now, idle));
      assert.ok(await r.sessions.findById(s.id));
      await admin.query('ALTER TABLE "Session" ADD COLUMN "extra" TEXT');
      assert.ok(await r.sessions.rotate('ddl-2', 'ddl-3', now, idle));
      assert.ok(await r.sessions.rotate('ddl-a', 'ddl-b', now, idle));
      // Prisma's own queries name their columns too, so they survive as well.
      assert.equal((await r.sessions.findById(s.id))?.refreshTokenHash, 'ddl-3');
      await newSessionOn(r, u.id, 'ddl-x');
    });

    const newSessionOn = (r: Repositories, userId: string, hash: string) => {
      const now = new Date();
      return r.sessions.create({
        id: randomUUID(), userId, refreshTokenHash: hash, userAgent: null, ipAddress: null, deviceName: null, browser: null, os: null,
        deviceType: null, aal: 1, createdAt: now, lastActiveAt: now, expiresAt: new Date(now.getTime() + 60 * MIN), idleExpiresAt: new Date(now.getTime() + 60 * MIN),
      });
    };
  });
});
