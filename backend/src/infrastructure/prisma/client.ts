// Builds the Prisma client. Prisma 7 has no built-in driver: queries go through a driver adapter, here
// @prisma/adapter-pg (node-postgres pool).
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient, type Prisma } from '../../generated/prisma/client';

export interface PrismaClientOptions {
  /** Connections in the pg pool. Use 1 for the embedded PGlite database (it is single-session). */
  poolMax?: number;
}

export function createPrismaClient(url: string, opts: PrismaClientOptions = {}): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: url,
    max: opts.poolMax ?? 10,
    // adapter-pg sends DateTime parameters as zone-less 'YYYY-MM-DD HH:MM:SS.mmm' strings in UTC, which
    // PostgreSQL reads in the session time zone (prisma/orm#26786). Pinning the session to UTC keeps
    // timestamptz values right on servers configured with another time zone.
    options: '-c TimeZone=UTC',
  });
  return new PrismaClient({ adapter });
}

export type { PrismaClient };

/**
 * What repositories run their queries on: the client itself or the client of an interactive transaction
 * (PrismaClient is assignable to Prisma.TransactionClient, so one type covers both).
 */
export type Db = Prisma.TransactionClient;
