// `npm run bench:nats`: auth.validate over NATS request/reply beside GET /api/auth/validate over HTTP,
// against one server child process (fresh database, the machine's NATS under a unique subject prefix).
// HTTP load comes from autocannon; NATS load from CONNECTIONS concurrent request loops on one client
// connection (natsLoad, shared with the nats-validate scenario of `npm run bench`). Both share this
// load-generator process, so the numbers compare the two adapters on the same machine, not their ceilings.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createTestDatabase } from '../test/helpers/database';
import { freePort, spawnNode, stopChild, waitForHttp } from './children';
import { dropEventStream, NATS_URL, natsLoad } from './scenarios/nats-validate';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const num = (name: string, fallback: number) => Number(process.env[name] || fallback);
const DURATION = num('BENCH_DURATION', 5);
const WARMUP = num('BENCH_WARMUP', 2);
const CONNECTIONS = num('BENCH_CONNECTIONS', 16);
const USERS = num('BENCH_USERS', 20);
const PREFIX = `bench.${randomBytes(5).toString('hex')}.`;
const PASSWORD = `Bench-${randomBytes(6).toString('hex')}-pw`;
const log = (msg: string) => console.log(`[bench:nats ${new Date().toISOString().slice(11, 19)}] ${msg}`);

async function post(url: string, body: unknown): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return res.json();
}

async function main() {
  const db = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-nats-'));
  const port = await freePort();
  const child = spawnNode({
    name: 'server',
    script: 'backend/src/main.ts',
    cwd: ROOT,
    port,
    logFile: join(dataDir, 'server.log'),
    env: {
      DATABASE_URL: db.url,
      PORT: String(port),
      DATA_DIR: join(dataDir, 'data'),
      BCRYPT_COST: '4',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_AUTH_PER_MIN: '10000000',
      RATE_LIMIT_ACCOUNT_PER_MIN: '10000000',
      NATS_URL,
      NATS_SUBJECT_PREFIX: PREFIX,
    },
  });
  try {
    await waitForHttp(child, '/health');
    const tokens: string[] = [];
    for (let i = 0; i < USERS; i++) {
      const email = `bench${i}.${PREFIX}example.com`.replace(/\.example/, '@example');
      await post(`${child.url}/api/auth/register`, { email, password: PASSWORD });
      tokens.push((await post(`${child.url}/api/auth/login`, { email, password: PASSWORD })).accessToken);
    }
    log(`server ${child.url}, ${USERS} users, ${CONNECTIONS} concurrent requests, ${DURATION} s each after ${WARMUP} s warm-up`);

    let n = 0;
    const http = (duration: number) =>
      autocannon({
        url: `${child.url}/api/auth/validate`,
        connections: CONNECTIONS,
        duration,
        setupClient: (client) => client.setHeaders({ authorization: `Bearer ${tokens[n++ % tokens.length]}` }),
      });
    await http(WARMUP);
    const h = await http(DURATION);
    const nats = (seconds: number) => natsLoad({ url: NATS_URL, subject: `${PREFIX}auth.validate`, tokens, concurrency: CONNECTIONS, seconds });
    await nats(WARMUP);
    const m = await nats(DURATION);
    const rows = [
      { scenario: 'GET /api/auth/validate (HTTP)', rps: Math.round(h.requests.average), p50: h.latency.p50, p99: h.latency.p99, total: h.requests.total, bad: h.non2xx + h.errors },
      { scenario: 'auth.validate (NATS request/reply)', rps: Math.round(m.rps), p50: +m.p50.toFixed(2), p99: +m.p99.toFixed(2), total: m.total, bad: m.bad + m.errors },
    ];
    console.table(rows);
    log(`1-minute load average at the end: ${loadavg()[0].toFixed(2)} (the machine is shared: compare the rows, not runs)`);
  } finally {
    await stopChild(child);
    await dropEventStream(NATS_URL, PREFIX).catch(() => undefined);
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
