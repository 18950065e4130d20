// Embedded PostgreSQL for running without DATABASE_URL: PGlite (Postgres compiled to WASM) persisted under
// <dataDir>/pgdata, exposed over the Postgres wire protocol on 127.0.0.1 so Prisma's pg adapter and the
// migrator talk to it like to any server.
// PGlite is ONE session: the socket server accepts a single connection at a time (a second one is refused
// with "Too many connections"), so use a pg pool of max 1 and close the migrator's connection before
// opening the app's pool.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { lockDataDir } from './data-dir-lock';

export interface EmbeddedPostgres {
  /** postgres:// URL of the socket server (user postgres, database postgres, no TLS). */
  url: string;
  /** Stops accepting connections, then closes PGlite so everything written is flushed to disk. */
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const pgdata = join(resolve(dataDir), 'pgdata');
  mkdirSync(pgdata, { recursive: true });
  const unlock = lockDataDir(join(resolve(dataDir), 'pgdata.lock'), resolve(dataDir));
  let db: PGlite;
  try {
    db = await PGlite.create({ dataDir: pgdata });
  } catch (err) {
    unlock();
    throw err;
  }
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
  try {
    await server.start();
  } catch (err) {
    await db.close();
    unlock();
    throw err;
  }
  // With port 0 the OS picks a free port; start() stores it and getServerConn() returns "host:port".
  const hostPort = server.getServerConn();
  let stopped = false;
  return {
    url: `postgresql://postgres@${hostPort}/postgres?sslmode=disable`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await db.close();
      unlock();
    },
  };
}
