// The hot paths' statements (refresh rotation, the session list) as named pg statements on Prisma's pool,
// with less per-call work than pool.query({ name, text, values }), which on every call:
//   - copies the config object through Object.getOwnPropertyDescriptors (pg's cloneQueryConfig), a visible
//     share of a session-list request (docs/performance.md, "Figures cited by the code");
//   - adds and removes an 'error' listener on the checked-out connection;
//   - turns each Date parameter into a local-time string (pg's dateToString);
//   - asks the server to describe the result (a Describe message) and builds a row reader from the answer:
//     pg's Result.addFields, 7% of the session list's server CPU in a profile, and as much in the floor's,
//     which uses pg.query as any bare handler would.
// Here a statement knows its columns and how to read each one (statement() below), so it is sent as Parse
// (once per connection), Bind, Execute, Sync, the extended protocol without the optional Describe, and each
// DataRow's text fields are read straight into a row. It runs through pg's Submittable interface (the one
// pg-cursor uses): pg still queues it, fails it with every pending query when the connection breaks, and
// records the prepared statement per connection. guardConnections() keeps a connection error from being
// thrown on a checked-out connection. Dates go as ISO 8601 strings, which PostgreSQL reads as timestamptz
// exactly. test/integration/named-statement.test.ts checks that the statement is prepared once per connection
// under its name, that rows match what Prisma reads, that a database error or a cut connection fails the
// call and leaves the pool usable.
import pg from 'pg';
import { parseTimestamptz } from './timestamptz';

/**
 * The pg release whose private Connection fields (parsedStatements, submittedNamedStatements) and message
 * methods this file was written and tested against. package.json pins exactly this version, and
 * test/unit/pg-pin.test.ts fails when another one is installed: a pg upgrade means re-reading pg's
 * client.js/query.js for these fields, then moving the pin, this constant and the test together.
 */
export const PG_VERSION_WRITTEN_FOR = '8.23.1';

/** Reads one column from PostgreSQL's text format (null for SQL NULL). */
export type Column<T> = (raw: string | null) => T;

function present(raw: string | null): string {
  if (raw === null) throw new Error('named statement: NULL in a column read as NOT NULL');
  return raw;
}

function date(raw: string): Date {
  const d = parseTimestamptz(raw);
  // parseTimestamptz hands "infinity" to pg's parser, which returns a number: no column of ours holds one.
  if (!(d instanceof Date)) throw new Error(`named statement: timestamptz "${raw}" is not a date`);
  return d;
}

/** Column readers by the column's SQL type; `OrNull` for a nullable column. */
export const col = {
  text: present as Column<string>,
  textOrNull: ((raw) => raw) as Column<string | null>,
  /** A text or enum column whose values are the union T (the database's type or CHECK keeps it so). */
  oneOf: <T extends string>() => present as Column<T>,
  int: ((raw) => Number(present(raw))) as Column<number>,
  timestamptz: ((raw) => date(present(raw))) as Column<Date>,
  timestamptzOrNull: ((raw) => (raw === null ? null : date(raw))) as Column<Date | null>,
};

/** A row's columns in the order the statement returns them, each with its reader. */
export type Columns<R> = { [K in keyof R]-?: Column<R[K]> };

export interface Statement<R> {
  readonly name: string;
  readonly text: string;
  /** The result's column names, in order (the keys of its rows). */
  readonly keys: readonly (keyof R & string)[];
  /** Builds a row from a DataRow's fields, in the statement's column order. */
  readonly read: (fields: readonly (string | null)[]) => R;
}

/**
 * A named statement whose result columns are `columns`' keys, in that order: `sql` receives the keys and
 * must return them in that order (e.g. `SELECT ${keys.map(quote)} ...`).
 */
export function statement<R extends object>(name: string, columns: Columns<R>, sql: (keys: readonly (keyof R & string)[]) => string): Statement<R> {
  const keys = Object.keys(columns) as (keyof R & string)[];
  const readers = keys.map((k) => columns[k] as Column<unknown>);
  const n = keys.length;
  return {
    name,
    text: sql(keys),
    keys,
    read(fields) {
      if (fields.length !== n) throw new Error(`named statement ${name}: ${fields.length} columns, expected ${n}`);
      const row: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) row[keys[i]] = readers[i](fields[i]);
      return row as R;
    },
  };
}

/** A parameter as the statement receives it: Dates as ISO 8601 (timestamptz), numbers as their digits. */
export type Param = string | number | Date | null;

const wire = (v: Param): string | null => (v === null ? null : typeof v === 'string' ? v : v instanceof Date ? v.toISOString() : String(v));

/** What of pg's Connection a statement uses (the messages of the extended query protocol). */
interface Wire {
  parsedStatements: Record<string, string>;
  submittedNamedStatements: Record<string, string>;
  stream: { cork?: () => void; uncork?: () => void };
  parse(m: { name: string; text: string }): void;
  bind(m: { statement: string; values: (string | null)[] }): void;
  execute(m: object): void;
  sync(): void;
  sendCopyFail(msg: string): void;
}

type Done<R> = (err: Error | null, rows?: R[]) => void;

/**
 * One run of a statement, as pg's client drives a query: submit() when the connection is free, then one
 * handler call per message. `name` and `text` are read by the client (it records the statement once the
 * server has parsed it, and forgets it if that failed); `callback` is the property it wraps for query_timeout.
 */
class Run<R> implements pg.Submittable {
  readonly name: string;
  readonly text: string;
  private readonly rows: R[] = [];
  private failure: Error | null = null;

  constructor(
    private readonly s: Statement<R>,
    private readonly values: (string | null)[],
    public callback: Done<R>,
  ) {
    this.name = s.name;
    this.text = s.text;
  }

  submit(connection: pg.Connection): Error | null {
    const c = connection as unknown as Wire;
    const known = c.parsedStatements[this.name] ?? c.submittedNamedStatements[this.name];
    if (known !== undefined && known !== this.text) return new Error(`Prepared statements must be unique - '${this.name}' was used for a different statement`);
    // One write for the whole message sequence (as pg's Query does).
    c.stream.cork?.();
    try {
      if (known === undefined) {
        c.parse({ name: this.name, text: this.text });
        c.submittedNamedStatements[this.name] = this.text;
      }
      c.bind({ statement: this.name, values: this.values });
      c.execute({});
      c.sync();
    } finally {
      c.stream.uncork?.();
    }
    return null;
  }

  handleDataRow(msg: { fields: (string | null)[] }): void {
    if (this.failure !== null) return;
    try {
      this.rows.push(this.s.read(msg.fields));
    } catch (err) {
      // Our readers throw Errors. Reported once the server is done with the statement (ReadyForQuery), so the connection stays in step.
      this.failure = err as Error;
    }
  }

  handleReadyForQuery(): void {
    if (this.failure !== null) this.callback(this.failure);
    else this.callback(null, this.rows);
  }

  /** pg's errors: the server's (DatabaseError) or the connection's. */
  handleError(err: Error): void {
    this.callback(err);
  }

  /** No Describe is sent, so none comes; and a statement of ours neither copies nor returns no command. */
  handleRowDescription(): void {}
  handleCommandComplete(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(connection: pg.Connection): void {
    (connection as unknown as Wire).sendCopyFail('No source stream defined');
  }
  handleCopyData(): void {}
}

export function runNamed<R>(pool: pg.Pool, s: Statement<R>, values: readonly Param[]): Promise<R[]> {
  const params = values.map(wire);
  return new Promise<R[]>((resolve, reject) => {
    pool.connect((err, client, release) => {
      if (err || !client) return reject(err ?? new Error('no database connection'));
      client.query(
        new Run<R>(s, params, (queryErr, rows) => {
          // As pool.query: a connection that failed a query leaves the pool.
          release(queryErr ?? undefined);
          if (queryErr) reject(queryErr);
          else resolve(rows!);
        }),
      );
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
