// The hot paths' statements (refresh rotation, the session list) as named pg statements on Prisma's pool,
// with less per-call work than pool.query({ name, text, values }), which on every call:
//   - copies the config object through Object.getOwnPropertyDescriptors (pg's cloneQueryConfig): ~6 µs of
//     the ~150 µs a session-list request costs (issue 15 profiles);
//   - adds and removes an 'error' listener on the checked-out connection;
//   - turns each Date parameter into a local-time string (pg's dateToString).
// Here a pg.Query is built from the text (a string config is not copied) and given the statement's name
// before it is submitted; connection errors while it runs reach its callback through pg's own path (every
// pending query fails), and guardConnections() keeps such an error from being thrown on a checked-out
// connection. Dates go as ISO 8601 strings, which PostgreSQL reads as timestamptz exactly.
// test/integration/named-statement.test.ts checks that the statement is prepared once per connection under its
// name, and that a cut connection fails the call and leaves the pool usable.
import pg from 'pg';

/** The name pg.Query reads when it is submitted (the public constructor takes it only in a config object). */
type NamedQuery = pg.Query & { name?: string };

export function runNamed<R extends pg.QueryResultRow>(pool: pg.Pool, name: string, text: string, values: readonly unknown[]): Promise<R[]> {
  const params = values.map((v) => (v instanceof Date ? v.toISOString() : v));
  return new Promise<R[]>((resolve, reject) => {
    pool.connect((err, client, release) => {
      if (err || !client) return reject(err ?? new Error('no database connection'));
      const query: NamedQuery = new pg.Query<R>(text, params, (queryErr, result) => {
        // As pool.query: a connection that failed a query leaves the pool.
        release(queryErr);
        if (queryErr) reject(queryErr);
        else resolve(result.rows);
      });
      query.name = name;
      client.query(query);
    });
  });
}

/**
 * No connection failure may end the process, and an 'error' event with no listener does:
 *   - a connection that fails while checked out emits 'error' after failing its queries, and pg-pool listens
 *     only while the connection is idle; the error has already reached the query that was running (and through
 *     it the caller), so there is nothing left to do;
 *   - pg-pool re-emits on the pool the error of a connection that failed while idle (or right after it was
 *     released, as a server-side termination does), once it has dropped that connection. The adapter Prisma
 *     builds on this pool listens too, but only from Prisma's first query on.
 */
export function guardConnections(pool: pg.Pool): void {
  pool.on('error', ignoreReported);
  pool.on('connect', (client) => {
    client.on('error', ignoreReported);
  });
}

function ignoreReported(): void {}
