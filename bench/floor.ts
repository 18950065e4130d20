// The floor (bench/floor-server.ts) beside the app: its own fresh database with its own minimal schema
// (floor-schema.sql), seeded directly in SQL with the same shape of data the app is seeded with over HTTP
// (USERS users, the same sessions per user, one refresh chain per load connection), and its access tokens.
import { createHash, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { createEmptyDatabase, type TestDatabase } from '../test/helpers/database';
import { signAccessToken } from './access-token';
import { freePort, spawnNode, waitForHttp, type Child } from './children';
import { ISSUER, ROOT, USERS, log } from './settings';

export interface Floor {
  child: Child;
  db: TestDatabase;
  /** One access token per user (its first session). */
  accessTokens: string[];
  /** Refresh tokens of distinct sessions, one per connection: [warmup chains, measured chains]. */
  refreshChains: [string[], string[]];
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** `profileDir`: run the floor under `--cpu-prof` (BENCH_PROFILE=floor-sessions / floor-refresh). */
export async function startFloor(tmp: string, chainsPerPhase: number, runId: string, profileDir?: string): Promise<Floor> {
  const db = await createEmptyDatabase();
  try {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const tokens: string[] = [];
    const firstSession: { userId: string; sid: string; email: string }[] = [];
    try {
      await c.query(readFileSync(join(ROOT, 'bench', 'floor-schema.sql'), 'utf8'));
      const now = Date.now();
      const users = Array.from({ length: USERS }, (_, i) => ({ id: randomUUID(), email: `floor${i}.${runId}@example.com`, username: `bench${i}` }));
      await c.query(
        'INSERT INTO floor_user (id, email, username) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])',
        [users.map((u) => u.id), users.map((u) => u.email), users.map((u) => u.username)],
      );
      // As the app's seeding: one session per user, then 2 × chains sessions spread over the users.
      const owners = [...users, ...Array.from({ length: 2 * chainsPerPhase }, (_, i) => users[i % users.length])];
      const rows = owners.map((u, i) => {
        const token = randomBytes(32).toString('base64url');
        if (i >= users.length) tokens.push(token);
        const sid = randomUUID();
        if (i < users.length) firstSession.push({ userId: u.id, sid, email: u.email });
        return { sid, userId: u.id, hash: sha256(token), at: new Date(now - (owners.length - i) * 1000) };
      });
      // The app's sessions as its session list reads them during a run: no name (none is set), and each user's
      // first session (the one whose access token the load sends) stamped "last seen" by the warm-up's first
      // request (the app's SessionActivity, at most once a minute) from the load generator's address. The
      // floor does not stamp (a handful of UPDATEs per run in the app); it starts from the stamped state.
      await c.query(
        `INSERT INTO floor_session (id, user_id, refresh_token_hash, user_agent, ip_address, device_name, browser, os, device_type,
                                    name, last_seen_at, last_seen_ip, created_at, last_active_at, expires_at, idle_expires_at)
         SELECT s.id, s.user_id, s.hash, 'node', '127.0.0.1', 'bench', NULL, NULL, 'unknown',
                NULL, CASE WHEN s.seen THEN $5::timestamptz END, CASE WHEN s.seen THEN '127.0.0.1' END,
                s.at, s.at, s.at + interval '30 days', s.at + interval '30 days'
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $6::boolean[]) AS s(id, user_id, hash, at, seen)`,
        [rows.map((r) => r.sid), rows.map((r) => r.userId), rows.map((r) => r.hash), rows.map((r) => r.at), new Date(now), rows.map((_, i) => i < users.length)],
      );
      await c.query('VACUUM ANALYZE');
    } finally {
      await c.end();
    }
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const port = await freePort();
    const child = spawnNode({
      name: 'floor',
      script: 'bench/floor-server.ts',
      cwd: ROOT,
      port,
      logFile: join(tmp, 'floor.log'),
      nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
      env: { PORT: String(port), FLOOR_DATABASE_URL: db.url, FLOOR_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, FLOOR_ISSUER: ISSUER },
    });
    await waitForHttp(child, '/health');
    log(`floor listening on ${child.url} (database ${db.name}, ${USERS} users, ${USERS + tokens.length} sessions)`);
    const accessTokens = firstSession.map((s) => signAccessToken(privateKey, 'floor', { sub: s.userId, sid: s.sid, email: s.email }));
    return { child, db, accessTokens, refreshChains: [tokens.slice(0, chainsPerPhase), tokens.slice(chainsPerPhase)] };
  } catch (err) {
    await db.drop().catch(() => undefined);
    throw err;
  }
}
