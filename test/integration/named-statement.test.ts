// runNamed (backend/src/infrastructure/prisma/named-statement.ts): the hot paths' named statements, sent
// without pool.query's per-call copying and without a Describe, their rows read by the statement's own
// column readers. Real PostgreSQL, a pool of one connection so every call meets the same one.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createDatabaseClients, type PrismaClient } from '../../backend/src/infrastructure/prisma/client';
import { col, runNamed, statement } from '../../backend/src/infrastructure/prisma/named-statement';
import { PrismaSessionRepository } from '../../backend/src/infrastructure/prisma/session.repository';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

const echo = statement('test_echo', { t: col.timestamptz, n: col.int, s: col.textOrNull }, () => 'SELECT $1::timestamptz AS t, $2::int AS n, $3::text AS s');
const pidOf = statement('test_pid', { pid: col.int }, () => 'SELECT pg_backend_pid() AS pid');

describe('named statements on the pool (runNamed)', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  let pool: pg.Pool;

  before(async () => {
    db = await createTestDatabase();
    ({ prisma, pool } = createDatabaseClients(db.url, { poolMax: 1 }));
  });

  after(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  it('when a statement runs twice, then the connection prepared it once, under its name, and values go in and come out exactly', async () => {
    const at = new Date('2026-11-28T12:34:56.789Z');
    for (let i = 0; i < 2; i++) {
      const s = i === 0 ? 'plain' : null;
      assert.deepEqual(await runNamed(pool, echo, [at, i, s]), [{ t: at, n: i, s }]);
    }
    const prepared = await pool.query<{ name: string; statement: string }>('SELECT name, statement FROM pg_prepared_statements');
    assert.deepEqual(
      prepared.rows.filter((r) => r.name === 'test_echo').map((r) => r.statement),
      [echo.text],
    );
  });

  it('when two statements share a name but not their text, then the second is refused and the connection still serves', async () => {
    await runNamed(pool, pidOf, []);
    const impostor = statement('test_pid', { pid: col.int }, () => 'SELECT 1 AS pid');
    await assert.rejects(runNamed(pool, impostor, []), /Prepared statements must be unique/);
    assert.equal((await runNamed(pool, pidOf, [])).length, 1);
  });

  it('when a statement fails, then the call rejects with the database error and the next call works', async () => {
    const div = statement('test_div', { q: col.int }, () => 'SELECT 1 / $1::int AS q');
    await assert.rejects(runNamed(pool, div, [0]), /division by zero/);
    assert.deepEqual(await runNamed(pool, div, [1]), [{ q: 1 }]);
  });

  it('when a row does not fit the statement\'s columns (NULL where NOT NULL is read, or a column too many), then the call rejects and the next call works', async () => {
    const nullInt = statement('test_null', { v: col.int }, () => 'SELECT NULL::int AS v');
    await assert.rejects(runNamed(pool, nullInt, []), /NULL in a column read as NOT NULL/);
    const extra = statement('test_extra', { a: col.int }, () => 'SELECT 1 AS a, 2 AS b FROM generate_series(1, 3)');
    await assert.rejects(runNamed(pool, extra, []), /2 columns, expected 1/);
    assert.equal((await runNamed(pool, pidOf, [])).length, 1);
  });

  it('when the session list runs as a named statement, then each row equals what Prisma reads for the same sessions', async () => {
    const userId = randomUUID();
    await prisma.user.create({ data: { id: userId, email: `${userId}@example.test`, passwordHash: 'x' } });
    const now = new Date('2026-11-28T10:00:00.000Z');
    const later = (min: number) => new Date(now.getTime() + min * 60_000);
    const common = { userId, expiresAt: later(600), idleExpiresAt: later(60) };
    await prisma.session.create({ data: { ...common, id: randomUUID(), refreshTokenHash: randomUUID(), lastActiveAt: later(-5), createdAt: later(-9) } });
    await prisma.session.create({
      data: {
        ...common,
        id: randomUUID(),
        refreshTokenHash: randomUUID(),
        userAgent: 'Mozilla/5.0 ‘quoted’ \\ "x"',
        ipAddress: '203.0.113.9',
        deviceName: 'Pixel',
        browser: 'Chrome',
        os: 'Android',
        deviceType: 'mobile',
        name: 'Телефон',
        lastSeenAt: new Date('2026-11-28T09:59:59.1Z'),
        lastSeenIp: '2001:db8::1',
        aal: 2,
        createdAt: later(-3),
        lastActiveAt: later(-1),
      },
    });
    const named = await new PrismaSessionRepository(prisma, pool).listActive(userId, now);
    const viaPrisma = await new PrismaSessionRepository(prisma).listActive(userId, now);
    assert.equal(named.length, 2);
    assert.deepEqual(named, viaPrisma);
    assert.deepEqual(Object.keys(named[0]), Object.keys(viaPrisma[0]));
  });

  it('when the connection is cut while a statement runs, then the call rejects, the process lives on, and a new connection serves the next call', async () => {
    const [{ pid }] = await runNamed(pool, pidOf, []);
    const sleep = statement('test_sleep', { done: col.textOrNull }, () => 'SELECT pg_sleep($1::int)::text AS done');
    const sleeping = assert.rejects(runNamed(pool, sleep, [30]), /terminat/i);
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      // Wait until the statement is running on that connection, then end the connection from the server side.
      for (let i = 0; i < 100; i++) {
        const { rows } = await admin.query<{ state: string }>('SELECT state FROM pg_stat_activity WHERE pid = $1', [pid]);
        if (rows[0]?.state === 'active') break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    } finally {
      await admin.end();
    }
    await sleeping;
    const [{ pid: next }] = await runNamed(pool, pidOf, []);
    assert.notEqual(next, pid);
  });
});
