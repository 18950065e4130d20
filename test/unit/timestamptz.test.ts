// parseTimestamptz (backend/src/infrastructure/prisma/timestamptz.ts) must give the Date pg's own parser gives
// for every text PostgreSQL can send for a timestamptz.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { parseTimestamptz } from '../../backend/src/infrastructure/prisma/timestamptz';
import { adminUrl } from '../helpers/database';

const pgParse = pg.types.getTypeParser(1184, 'text') as (s: string) => unknown;

function same(s: string): void {
  const ours = parseTimestamptz(s);
  const theirs = pgParse(s);
  if (theirs instanceof Date) {
    assert.ok(ours instanceof Date, s);
    assert.equal((ours).getTime(), theirs.getTime(), s);
  } else {
    assert.deepEqual(ours, theirs, s);
  }
}

describe('timestamptz parser', () => {
  it('when PostgreSQL writes a UTC timestamp with 0 to 6 fraction digits, then the Date is the one pg gives', () => {
    for (let us = 0; us < 1_000_000; us += 997) {
      const frac = String(us).padStart(6, '0').replace(/0+$/, '');
      same(`2026-11-28 12:13:14${frac ? `.${frac}` : ''}+00`);
    }
    for (const ms of ['', '.1', '.12', '.123', '.009', '.999', '.000001', '.999999']) same(`2026-11-28 23:59:59${ms}+00`);
  });

  it('when the date is at an edge (leap day, year ends, far years), then the Date is the one pg gives', () => {
    for (const s of ['2024-02-29 00:00:00+00', '1999-12-31 23:59:59.999+00', '2000-01-01 00:00:00+00', '1000-01-01 00:00:00+00', '9999-12-31 23:59:59.999+00', '1970-01-01 00:00:00+00']) same(s);
  });

  it('when the text has another form (offset, BC, infinity, early or five-digit years), then pg parses it', () => {
    for (const s of ['2026-11-28 12:13:14+02', '2026-11-28 12:13:14.5-05:30', '2026-11-28 12:13:14+05:45', '0099-01-01 00:00:00+00', '0001-01-01 00:00:00+00 BC', '12026-11-28 12:13:14+00', 'infinity', '-infinity', '2026-11-28 12:13:14.+00', '2026-11-28 12:13:1x+00', '2026-11-28T12:13:14+00']) same(s);
  });

  it('when PostgreSQL itself writes timestamps in a UTC session, then they read as it means them', async () => {
    const c = new pg.Client({ connectionString: adminUrl(), options: '-c TimeZone=UTC' });
    await c.connect();
    try {
      const { rows } = await c.query<{ t: string; ms: string }>(
        `SELECT t::text AS t, floor(extract(epoch FROM t) * 1000)::bigint::text AS ms
         FROM unnest(ARRAY['2026-11-28 12:13:14.123456+00', '2026-02-28 23:59:59.9+00', '2001-09-09 01:46:40+00', '2038-01-19 03:14:07.999+00']::timestamptz[]) AS t`,
      );
      for (const r of rows) assert.equal((parseTimestamptz(r.t) as Date).getTime(), Math.floor(Number(r.ms)), r.t);
    } finally {
      await c.end();
    }
  });
});
