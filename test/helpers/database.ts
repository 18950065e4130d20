// Fresh, migrated PostgreSQL databases for integration tests. Each call creates a uniquely named database
// on the server of TEST_DATABASE_URL (an admin connection allowed to CREATE/DROP DATABASE), so tests never
// see each other's data or leftovers from earlier runs.
import { createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migrate, readMigrations } from '../../backend/src/infrastructure/database/migrator';
import { requireService, unreachable } from './services';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));

export function adminUrl(): string {
  return process.env.TEST_DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  await requireService('PostgreSQL', adminUrl());
  const client = new pg.Client({ connectionString: adminUrl(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    throw unreachable('PostgreSQL', adminUrl(), (err as Error).message);
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const STALE_MS = 60 * 60 * 1000;
let swept = false;

/**
 * Drops test databases left by runs that were killed before their drop() (names carry their creation time).
 * Only those over an hour old, so concurrent runs are never touched.
 */
async function sweepStale(c: pg.Client): Promise<void> {
  const { rows } = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname ~ '^test_[0-9a-z]+_[0-9a-f]{8}$'`);
  for (const { datname } of rows) {
    const created = parseInt(datname.split('_')[1], 36);
    if (Date.now() - created > STALE_MS) await c.query(`DROP DATABASE IF EXISTS "${datname}"`).catch(() => undefined);
  }
}

/** Creates an empty database (no migrations applied), or a copy of `template` when given. */
export async function createEmptyDatabase(template?: string): Promise<TestDatabase> {
  const name = `test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await withAdmin(async (c) => {
    if (!swept) {
      swept = true;
      await sweepStale(c);
    }
    await c.query(template ? `CREATE DATABASE "${name}" TEMPLATE "${template}"` : `CREATE DATABASE "${name}"`);
  });
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () =>
      withAdmin(async (c) => {
        // Pools a test forgot to close must not keep the database alive.
        await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
        await c.query(`DROP DATABASE IF EXISTS "${name}"`);
      }),
  };
}

/**
 * The migrated template every test database is cloned from. Its name carries a hash of prisma/migrations
 * (names and bytes), so a branch with other migrations gets its own template and a changed migration a new
 * one; an unchanged set is migrated once and reused by every later file and run.
 */
export function templateName(migrationsDir = MIGRATIONS_DIR): string {
  const hash = createHash('sha256');
  for (const m of readMigrations(migrationsDir)) hash.update(`${m.name}\0${m.checksum}\0`);
  // Not of the form test_<time>_<8 hex>: sweepStale must never take it for a leftover.
  return `sessionary_template_${hash.digest('hex').slice(0, 16)}`;
}

/** Serialises template creation across test files and concurrent runs (any number unused elsewhere). */
const TEMPLATE_LOCK_ID = 72707370;
let templateReady: Promise<string> | null = null;

/**
 * Creates the template once (under a server-wide advisory lock, so concurrent files and runs wait for the
 * first), built under a temporary name and renamed when complete, so a killed run never leaves a half-migrated
 * template behind. ALLOW_CONNECTIONS false: nothing can connect to it and change what every clone starts from
 * (CREATE DATABASE … TEMPLATE also refuses a source that has connections).
 */
export function ensureTemplate(): Promise<string> {
  templateReady ??= (async () => {
    const name = templateName();
    await withAdmin(async (c) => {
      await c.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK_ID]);
      try {
        const { rowCount } = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (rowCount) return;
        const building = `${name}_building`;
        await c.query(`DROP DATABASE IF EXISTS "${building}"`);
        await c.query(`CREATE DATABASE "${building}"`);
        const url = new URL(adminUrl());
        url.pathname = `/${building}`;
        await migrate(url.toString(), MIGRATIONS_DIR);
        await c.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
        await c.query(`ALTER DATABASE "${name}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
      } finally {
        await c.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK_ID]);
      }
    });
    return name;
  })();
  templateReady.catch(() => (templateReady = null));
  return templateReady;
}

/**
 * Creates a database with prisma/migrations applied: a copy of the migrated template (CREATE DATABASE …
 * TEMPLATE copies files, a fraction of running every migration), the same schema and _prisma_migrations rows
 * the project's migrator writes.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = await ensureTemplate();
  return createEmptyDatabase(template);
}
