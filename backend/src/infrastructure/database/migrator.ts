// Applies prisma/migrations without Prisma's native schema engine (which cannot be installed everywhere),
// keeping Prisma's bookkeeping byte-for-byte compatible so `prisma migrate deploy` on a machine that has the
// engine sees the same history. Mirrors prisma-engines (schema-engine/core/src/commands/apply_migrations.rs,
// sql-schema-connector flavour/postgres.rs, sql_migration_persistence.rs, schema-connector checksum.rs):
// - same advisory lock id (72707369) so our migrator and Prisma's exclude each other;
// - same `_prisma_migrations` DDL and row life cycle (insert on start, applied_steps_count+1 and finished_at
//   on success, logs on failure);
// - checksum = lower-case, zero-padded hex SHA-256 of migration.sql's bytes;
// - refuses to run while a failed migration (finished_at and rolled_back_at both null) is recorded;
// - rolled-back rows do not count as applied.
// Stricter than `migrate deploy`: an applied migration whose file changed is an error, not ignored.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

/** A single connection (pg.Client, PoolClient): the advisory lock and transactions are per session. */
export interface Queryable {
  // Rows are whatever the SQL selects; each caller names their shape (pg's own typing does the same).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query(sql: string, params?: unknown[]): Promise<{ rows: any[] }>;
}

export interface MigrateLogger {
  info(message: string): void;
  warn?(message: string): void;
}

/** The number Prisma Migrate locks with (postgres.rs `acquire_lock`). */
export const PRISMA_ADVISORY_LOCK_ID = 72707369;

// Verbatim from prisma-engines flavour/postgres.rs `create_migrations_table`.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);
`;

export interface MigrationFile {
  name: string;
  script: string;
  checksum: string;
}

interface MigrationRow {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
}

export function checksumOf(script: string | Buffer): string {
  return createHash('sha256').update(script).digest('hex');
}

/**
 * Prisma's `script_matches_checksum`: git may have changed line endings, so LF and CRLF variants match;
 * checksums written by old engines were hex without zero padding.
 */
export function scriptMatchesChecksum(script: string, checksum: string): boolean {
  const legacy = checksum.length !== 0 && checksum.length !== 64;
  const variants = [script, script.replaceAll('\r\n', '\n'), script.replaceAll('\n', '\r\n')];
  return variants.some((v) => {
    const digest = createHash('sha256').update(v).digest();
    const rendered = legacy ? [...digest].map((b) => b.toString(16)).join('') : digest.toString('hex');
    return rendered === checksum;
  });
}

/** Migration folders in name order (Prisma sorts them the same way), each with its migration.sql. */
export function readMigrations(migrationsDir: string): MigrationFile[] {
  const lockFile = join(migrationsDir, 'migration_lock.toml');
  if (existsSync(lockFile)) {
    const provider = /^\s*provider\s*=\s*"([^"]*)"/m.exec(readFileSync(lockFile, 'utf8'))?.[1];
    if (provider !== undefined && provider !== 'postgresql') {
      throw new Error(`Migrations in ${migrationsDir} were written for "${provider}", not postgresql`);
    }
  }
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const file = join(migrationsDir, name, 'migration.sql');
      if (!existsSync(file)) throw new Error(`Migration ${name} has no migration.sql`);
      const bytes = readFileSync(file);
      return { name, script: bytes.toString('utf8'), checksum: checksumOf(bytes) };
    });
}

/** Applies pending migrations; returns the names applied by this call (empty when up to date). */
export async function migrate(target: string | Queryable, migrationsDir: string, logger?: MigrateLogger): Promise<string[]> {
  const migrations = readMigrations(migrationsDir);
  let owned: pg.Client | null = null;
  let db: Queryable;
  if (typeof target === 'string') {
    owned = new pg.Client({ connectionString: target });
    await owned.connect();
    db = owned;
  } else {
    db = target;
  }
  try {
    await db.query(`SELECT pg_advisory_lock(${PRISMA_ADVISORY_LOCK_ID})`);
    try {
      return await applyPending(db, migrations, logger);
    } finally {
      await db.query(`SELECT pg_advisory_unlock(${PRISMA_ADVISORY_LOCK_ID})`);
    }
  } finally {
    await owned?.end();
  }
}

async function applyPending(db: Queryable, migrations: MigrationFile[], logger?: MigrateLogger): Promise<string[]> {
  await ensureMigrationsTable(db);
  const { rows } = await db.query(
    'SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at FROM _prisma_migrations ORDER BY started_at',
  );
  const records = rows as MigrationRow[];

  const failed = records.filter((r) => r.finished_at === null && r.rolled_back_at === null);
  if (failed.length > 0) {
    const details = failed
      .map((r) => `The \`${r.migration_name}\` migration started at ${r.started_at.toISOString()} failed${r.logs?.trim() ? `:\n${r.logs.trim()}` : ''}`)
      .join('\n');
    throw new Error(
      `Found failed migrations in the target database; new migrations will not be applied (Prisma P3009).\n${details}\n` +
        'Fix the database, then mark the migration with `prisma migrate resolve --applied|--rolled-back <name>`.',
    );
  }

  const applied = records.filter((r) => r.rolled_back_at === null);
  const byName = new Map(migrations.map((m) => [m.name, m]));
  for (const r of applied) {
    const m = byName.get(r.migration_name);
    if (!m) {
      logger?.warn?.(`Migration ${r.migration_name} is recorded in the database but missing from the migrations folder`);
    } else if (!scriptMatchesChecksum(m.script, r.checksum)) {
      throw new Error(
        `Migration ${r.migration_name} was modified after it was applied (checksum ${r.checksum} in the database, ` +
          `${m.checksum} on disk). Restore the original migration.sql and put the change in a new migration.`,
      );
    }
  }

  const appliedNames = new Set(applied.map((r) => r.migration_name));
  const done: string[] = [];
  for (const m of migrations.filter((x) => !appliedNames.has(x.name))) {
    logger?.info(`Applying migration ${m.name}`);
    await applyOne(db, m);
    done.push(m.name);
  }
  logger?.info(done.length ? `Applied ${done.length} migration(s)` : 'Database schema is up to date');
  return done;
}

/** Prisma's `initialize`: create the table in an empty schema; refuse a non-empty schema without history. */
async function ensureMigrationsTable(db: Queryable): Promise<void> {
  const { rows } = await db.query(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema()`,
  );
  const tables = rows.map((r: { name: string }) => r.name);
  if (tables.includes('_prisma_migrations')) return;
  if (tables.length > 0) {
    throw new Error(
      `The database schema is not empty and has no _prisma_migrations table (Prisma P3005): found ${tables.join(', ')}. ` +
        'Baseline it first (https://pris.ly/d/migrate-baseline).',
    );
  }
  await db.query(CREATE_MIGRATIONS_TABLE);
}

/**
 * One migration in one transaction with its bookkeeping row, so a failure leaves neither schema changes nor a
 * failed row behind and the migration can simply be retried. If the script commits on its own (Prisma emits
 * BEGIN/COMMIT around some enum changes) a later failure leaves the started row unfinished with its logs,
 * which is exactly the "failed migration" state Prisma reports too.
 */
async function applyOne(db: Queryable, m: MigrationFile): Promise<void> {
  const id = randomUUID();
  await db.query('BEGIN');
  try {
    await db.query('INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())', [
      id,
      m.checksum,
      m.name,
    ]);
    await db.query(m.script); // no parameters: simple-query protocol, so a multi-statement script runs as is
    await db.query(
      'UPDATE _prisma_migrations SET applied_steps_count = applied_steps_count + 1, finished_at = clock_timestamp() WHERE id = $1',
      [id],
    );
    await db.query('COMMIT');
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    const message = err instanceof Error ? err.message : String(err);
    await db.query('UPDATE _prisma_migrations SET logs = $1 WHERE id = $2', [message, id]).catch(() => undefined);
    throw new Error(`Migration ${m.name} failed: ${message}`, { cause: err });
  }
}
