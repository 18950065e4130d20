// Builds the Prisma client. Prisma 7 has no built-in driver: queries go through a driver adapter, here
// @prisma/adapter-pg on a node-postgres pool that we create ourselves to tune it.
import { createHash } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient, type Prisma } from '../../generated/prisma/client';
import { guardConnections } from './named-statement';

export interface PrismaClientOptions {
  /**
   * Connections in the pg pool (default 10). 1 means a single-session database (the embedded PGlite): that
   * connection is then kept open for good, because reopening it races with the socket server releasing the
   * previous one.
   */
  poolMax?: number;
  /**
   * Cache prepared statements per connection (default true): skips parse/plan on every query, a large share
   * of the refresh hot path. Turn off behind a transaction-mode PgBouncer older than 1.21, which cannot route
   * named statements.
   */
  preparedStatements?: boolean;
}

/** Same SQL text -> same name, so a connection prepares each distinct statement once. */
const statementName = (query: { sql: string }) => `p_${createHash('sha1').update(query.sql).digest('base64url')}`;

function forgetStatements(client: pg.PoolClient, done: (err?: Error) => void): void {
  client.query('DEALLOCATE ALL').then(() => done(), done);
}

/**
 * pg's Pool.end() resolves once its clients are asked to close, not once their sockets are closed. Wait for
 * those too, so that after $disconnect() a single-session server (PGlite) accepts the next connection.
 */
function endWaitsForSockets(pool: pg.Pool): void {
  let open = 0;
  let drained: (() => void) | null = null;
  pool.on('connect', () => void open++);
  pool.on('remove', () => {
    if (--open === 0) drained?.();
  });
  const end = pool.end.bind(pool);
  pool.end = async () => {
    await end();
    if (open > 0) await new Promise<void>((resolve) => (drained = resolve));
  };
}

export function createPrismaClient(url: string, opts: PrismaClientOptions = {}): PrismaClient {
  return createDatabaseClients(url, opts).prisma;
}

/**
 * The Prisma client and the pg pool under it. The pool is exposed for the one statement on the hottest path
 * (refresh rotation): Prisma 7's $queryRaw costs several times the event-loop CPU of a named statement on the
 * same pool (figures in docs/performance.md, "Figures cited by the code").
 */
export function createDatabaseClients(url: string, opts: PrismaClientOptions = {}): { prisma: PrismaClient; pool: pg.Pool } {
  const max = opts.poolMax ?? 10;
  const prepared = opts.preparedStatements ?? true;
  const pool = new pg.Pool({
    connectionString: url,
    max,
    // adapter-pg sends DateTime parameters as zone-less 'YYYY-MM-DD HH:MM:SS.mmm' strings in UTC, which
    // PostgreSQL reads in the session time zone (prisma/orm#26786). Pinning the session to UTC keeps
    // timestamptz values right on servers configured with another time zone.
    options: '-c TimeZone=UTC',
    ...(max === 1 ? { idleTimeoutMillis: 0 } : {}),
    // A new pg connection knows no statements, but the server session may (PGlite is one session for every
    // connection it ever accepts): forget them so re-preparing a name cannot fail with "already exists".
    ...(prepared ? { verify: forgetStatements } : {}),
  });
  endWaitsForSockets(pool);
  guardConnections(pool);
  const adapter = new PrismaPg(pool, {
    disposeExternalPool: true, // $disconnect() closes the pool
    ...(prepared ? { statementNameGenerator: statementName } : {}),
  });
  return { prisma: new PrismaClient({ adapter }), pool };
}

export type { PrismaClient };

/**
 * What repositories run their queries on: the client itself or the client of an interactive transaction
 * (PrismaClient is assignable to Prisma.TransactionClient, so one type covers both).
 */
export type Db = Prisma.TransactionClient;
