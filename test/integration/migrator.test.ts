// The migrator must leave exactly the bookkeeping `prisma migrate deploy` leaves, and refuse the situations
// Prisma refuses (failed migration recorded) plus edited applied migrations.
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { migrate, scriptMatchesChecksum } from '../../backend/src/infrastructure/database/migrator';
import { createEmptyDatabase, MIGRATIONS_DIR, type TestDatabase } from '../helpers/database';

const migrationNames = readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

async function query<T = any>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as T[];
  } finally {
    await c.end();
  }
}

/** A private copy of prisma/migrations the test may edit. */
function copyMigrations(): string {
  const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

describe('migrator', () => {
  const dbs: TestDatabase[] = [];
  const dirs: string[] = [];
  async function freshDb(): Promise<TestDatabase> {
    const db = await createEmptyDatabase();
    dbs.push(db);
    return db;
  }
  function tempMigrations(): string {
    const d = copyMigrations();
    dirs.push(d);
    return d;
  }
  after(async () => {
    for (const db of dbs) await db.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  describe('on a fresh database', () => {
    let db: TestDatabase;
    let applied: string[];
    before(async () => {
      db = await freshDb();
      applied = await migrate(db.url, MIGRATIONS_DIR);
    });

    it('when migrated, then every migration folder is applied in name order', () => {
      assert.deepEqual(applied, migrationNames);
    });

    it('when migrated, then _prisma_migrations has one finished row per migration with the SHA-256 hex checksum', async () => {
      const rows = await query(db.url, 'SELECT * FROM _prisma_migrations ORDER BY migration_name');
      assert.equal(rows.length, migrationNames.length);
      rows.forEach((row, i) => {
        const name = migrationNames[i];
        const expected = createHash('sha256').update(readFileSync(join(MIGRATIONS_DIR, name, 'migration.sql'))).digest('hex');
        assert.equal(row.migration_name, name);
        assert.equal(row.checksum, expected);
        assert.match(row.checksum, /^[0-9a-f]{64}$/);
        assert.match(row.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        assert.ok(row.finished_at instanceof Date);
        assert.ok(row.started_at instanceof Date);
        assert.ok(row.finished_at.getTime() >= row.started_at.getTime());
        assert.equal(row.rolled_back_at, null);
        assert.equal(row.logs, null);
        assert.equal(row.applied_steps_count, 1);
      });
    });

    it("when migrated, then _prisma_migrations has Prisma's exact column definitions", async () => {
      const cols = await query(
        db.url,
        `SELECT column_name, data_type, character_maximum_length AS len, is_nullable, column_default
         FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
      );
      assert.deepEqual(
        cols.map((c) => [c.column_name, c.data_type, c.len, c.is_nullable, c.column_default]),
        [
          ['id', 'character varying', 36, 'NO', null],
          ['checksum', 'character varying', 64, 'NO', null],
          ['finished_at', 'timestamp with time zone', null, 'YES', null],
          ['migration_name', 'character varying', 255, 'NO', null],
          ['logs', 'text', null, 'YES', null],
          ['rolled_back_at', 'timestamp with time zone', null, 'YES', null],
          ['started_at', 'timestamp with time zone', null, 'NO', 'now()'],
          ['applied_steps_count', 'integer', null, 'NO', '0'],
        ],
      );
      const pk = await query(db.url, `SELECT indexname FROM pg_indexes WHERE tablename = '_prisma_migrations'`);
      assert.deepEqual(pk.map((r) => r.indexname), ['_prisma_migrations_pkey']);
    });

    it('when migrated a second time, then nothing is applied and no row is added', async () => {
      assert.deepEqual(await migrate(db.url, MIGRATIONS_DIR), []);
      const [{ n }] = await query(db.url, 'SELECT count(*)::int AS n FROM _prisma_migrations');
      assert.equal(n, migrationNames.length);
    });
  });

  it('when an applied migration.sql was edited, then migrate refuses and applies nothing', async () => {
    const db = await freshDb();
    const dir = tempMigrations();
    await migrate(db.url, dir);
    const first = join(dir, migrationNames[0], 'migration.sql');
    writeFileSync(first, readFileSync(first, 'utf8') + '\n-- edited\n');
    mkdirSync(join(dir, '29991231000000_next'));
    writeFileSync(join(dir, '29991231000000_next', 'migration.sql'), 'CREATE TABLE "Next" ("id" INTEGER);\n');
    await assert.rejects(migrate(db.url, dir), /was modified after it was applied/);
    const next = await query(db.url, `SELECT to_regclass('"Next"') AS t`);
    assert.equal(next[0].t, null);
  });

  it('when the recorded checksum differs from the file, then migrate refuses', async () => {
    const db = await freshDb();
    await migrate(db.url, MIGRATIONS_DIR);
    await query(db.url, `UPDATE _prisma_migrations SET checksum = repeat('0', 64)`);
    await assert.rejects(migrate(db.url, MIGRATIONS_DIR), /was modified after it was applied/);
  });

  it('when a failed migration row exists, then migrate refuses like Prisma (P3009)', async () => {
    const db = await freshDb();
    await migrate(db.url, MIGRATIONS_DIR);
    await query(
      db.url,
      `INSERT INTO _prisma_migrations (id, checksum, migration_name, logs) VALUES (gen_random_uuid()::text, repeat('a', 64), '29990101000000_broken', 'boom')`,
    );
    await assert.rejects(migrate(db.url, MIGRATIONS_DIR), /failed migrations[\s\S]*29990101000000_broken[\s\S]*boom/);
  });

  it('when a new migration fails, then its changes and its row are rolled back and a fixed file applies later', async () => {
    const db = await freshDb();
    const dir = tempMigrations();
    await migrate(db.url, dir);
    const name = '29991231000000_add_table';
    mkdirSync(join(dir, name));
    const file = join(dir, name, 'migration.sql');
    writeFileSync(file, 'CREATE TABLE "Extra" ("id" INTEGER);\nSELECT no_such_function();\n');
    await assert.rejects(migrate(db.url, dir), /Migration 29991231000000_add_table failed/);
    assert.equal((await query(db.url, `SELECT to_regclass('"Extra"') AS t`))[0].t, null);
    assert.equal((await query(db.url, 'SELECT 1 FROM _prisma_migrations WHERE migration_name = $1', [name])).length, 0);

    writeFileSync(file, 'CREATE TABLE "Extra" ("id" INTEGER);\n');
    assert.deepEqual(await migrate(db.url, dir), [name]);
    assert.equal((await query(db.url, `SELECT to_regclass('"Extra"')::text AS t`))[0].t, '"Extra"');
  });

  it('when two migrators run at once, then the advisory lock lets exactly one apply each migration', async () => {
    const db = await freshDb();
    const results = await Promise.all([migrate(db.url, MIGRATIONS_DIR), migrate(db.url, MIGRATIONS_DIR)]);
    assert.deepEqual(results.flat().sort(), migrationNames);
    const [{ n }] = await query(db.url, 'SELECT count(*)::int AS n FROM _prisma_migrations');
    assert.equal(n, migrationNames.length);
  });

  it('when a rolled-back row exists for a migration, then that migration is applied again', async () => {
    const db = await freshDb();
    const dir = tempMigrations();
    await migrate(db.url, dir);
    const name = '29991231000000_redo';
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'migration.sql'), 'CREATE TABLE "Redo" ("id" INTEGER);\n');
    await query(
      db.url,
      `INSERT INTO _prisma_migrations (id, checksum, migration_name, rolled_back_at) VALUES (gen_random_uuid()::text, repeat('b', 64), $1, now())`,
      [name],
    );
    assert.deepEqual(await migrate(db.url, dir), [name]);
  });

  it('when the schema has tables but no migration history, then migrate refuses like Prisma (P3005)', async () => {
    const db = await freshDb();
    await query(db.url, 'CREATE TABLE "Stray" ("id" INTEGER)');
    await assert.rejects(migrate(db.url, MIGRATIONS_DIR), /not empty/);
  });

  it('when a checksum was written with CRLF line endings or by an old engine without zero padding, then it still matches', () => {
    const script = 'CREATE TABLE "A" ("id" INTEGER);\nCREATE TABLE "B" ("id" INTEGER);\n';
    const crlf = createHash('sha256').update(script.replaceAll('\n', '\r\n')).digest('hex');
    assert.ok(scriptMatchesChecksum(script, crlf));
    const unpadded = [...createHash('sha256').update(script).digest()].map((b) => b.toString(16)).join('');
    assert.ok(scriptMatchesChecksum(script, unpadded));
    assert.ok(!scriptMatchesChecksum(script + ' ', createHash('sha256').update(script).digest('hex')));
    // Prisma's own unit test value (checksum.rs format_checksum_does_not_strip_zeros).
    assert.ok(scriptMatchesChecksum('hello', '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824'));
  });
});
