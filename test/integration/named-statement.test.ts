// runNamed (backend/src/infrastructure/prisma/named-statement.ts): the hot paths' named statements without
// pool.query's per-call copying. Real PostgreSQL, a pool of one connection so every call meets the same one.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createDatabaseClients, type PrismaClient } from '../../backend/src/infrastructure/prisma/client';
import { runNamed } from '../../backend/src/infrastructure/prisma/named-statement';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

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

  it('when a statement runs twice, then the connection prepared it once, under its name, and Dates go in exactly', async () => {
    const at = new Date('2026-11-28T12:34:56.789Z');
    for (let i = 0; i < 2; i++) {
      const rows = await runNamed<{ t: Date; n: number }>(pool, 'test_echo', 'SELECT $1::timestamptz AS t, $2::int AS n', [at, i]);
      assert.deepEqual(rows, [{ t: at, n: i }]);
    }
    const prepared = await pool.query<{ name: string; statement: string }>('SELECT name, statement FROM pg_prepared_statements');
    assert.deepEqual(
      prepared.rows.filter((r) => r.name === 'test_echo').map((r) => r.statement),
      ['SELECT $1::timestamptz AS t, $2::int AS n'],
    );
  });

  it('when a statement fails, then the call rejects with the database error and the next call works', async () => {
    await assert.rejects(runNamed(pool, 'test_div', 'SELECT 1 / $1::int AS q', [0]), /division by zero/);
    assert.deepEqual(await runNamed(pool, 'test_div', 'SELECT 1 / $1::int AS q', [1]), [{ q: 1 }]);
  });

  it('when the connection is cut while a statement runs, then the call rejects, the process lives on, and a new connection serves the next call', async () => {
    const [{ pid }] = await runNamed<{ pid: number }>(pool, 'test_pid', 'SELECT pg_backend_pid() AS pid', []);
    const sleeping = assert.rejects(runNamed(pool, 'test_sleep', 'SELECT pg_sleep($1::int)', [30]), /terminat/i);
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
    const [{ pid: next }] = await runNamed<{ pid: number }>(pool, 'test_pid', 'SELECT pg_backend_pid() AS pid', []);
    assert.notEqual(next, pid);
  });
});
