// Fresh, migrated PostgreSQL databases for integration tests. Each call creates a uniquely named database
// on the server of TEST_DATABASE_URL (an admin connection allowed to CREATE/DROP DATABASE), so tests never
// see each other's data or leftovers from earlier runs.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migrate } from '../../backend/src/infrastructure/database/migrator';
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
    const created = parseInt(datname.split('_')[1]!, 36);
    if (Date.now() - created > STALE_MS) await c.query(`DROP DATABASE IF EXISTS "${datname}"`).catch(() => undefined);
  }
}

/** Creates an empty database (no migrations applied). */
export async function createEmptyDatabase(): Promise<TestDatabase> {
  const name = `test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await withAdmin(async (c) => {
    if (!swept) {
      swept = true;
      await sweepStale(c);
    }
    await c.query(`CREATE DATABASE "${name}"`);
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

/** Creates a database and applies prisma/migrations to it with the project's migrator. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const db = await createEmptyDatabase();
  try {
    await migrate(db.url, MIGRATIONS_DIR);
  } catch (err) {
    await db.drop();
    throw err;
  }
  return db;
}
