// timestamptz values of the hot statements (named-statement.ts), read without a regular expression. pg reads
// every timestamptz with postgres-date: three regular expressions and a Date per value, four per session on
// the sessions page (cost in docs/performance.md, "Figures cited by the code"). Our connections run in UTC (client.ts pins TimeZone), so
// PostgreSQL writes them as "YYYY-MM-DD HH:MM:SS[.fraction]+00"; that one form is read here digit by digit,
// and anything else (another offset, a year before 1000 or after 9999, BC, infinity) goes to pg's own parser.
// named-statement.ts col.timestamptz reads with it; Prisma's queries bring their own parsers.
// test/unit/timestamptz.test.ts holds both parsers to the same Date.
import pg from 'pg';

const TIMESTAMPTZ_OID = 1184;
const fallback = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (text: string) => Date | number | null;

const ZERO = 48;

/** The number written by s[from..to) if every character is a digit, else -1. */
function digits(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

export function parseTimestamptz(s: string): Date | number | null {
  const n = s.length;
  // "2026-11-28 12:13:14+00" (22 characters) up to six fraction digits after a dot (29).
  if (n < 22 || n > 29 || s[4] !== '-' || s[7] !== '-' || s[10] !== ' ' || s[13] !== ':' || s[16] !== ':' || s[n - 3] !== '+' || s[n - 2] !== '0' || s[n - 1] !== '0') {
    return fallback(s);
  }
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 7);
  const day = digits(s, 8, 10);
  const hour = digits(s, 11, 13);
  const minute = digits(s, 14, 16);
  const second = digits(s, 17, 19);
  let ms = 0;
  if (n > 22) {
    // The fraction: ".f" to ".ffffff"; milliseconds are its first three digits (the rest truncated, as pg does).
    const end = n - 3;
    if (s[19] !== '.' || end - 20 < 1) return fallback(s);
    const f = digits(s, 20, end);
    if (f < 0) return fallback(s);
    ms = Math.floor(f * 10 ** (3 - (end - 20)));
  } else if (n !== 22) {
    return fallback(s);
  }
  if (year < 1000 || month < 1 || day < 1 || hour < 0 || minute < 0 || second < 0) return fallback(s);
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
}
