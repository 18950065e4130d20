// The soak's own local stack: one PostgreSQL cluster, one redis-server, one nats-server with JetStream (each on
// its own port and data directory, so the soak can stop them), two server instances as child processes (so
// one can be killed with SIGKILL) and a small service protected by @sessionary/verifier that follows the
// revocation feed over NATS. Nothing on the standard ports is touched.
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { connect, type NatsConnection } from 'nats';
import { createRevocationFeed, createVerifier, type RevocationFeed } from '../../backend/verifier/src/index';
import { migrate } from '../../backend/src/infrastructure/database/migrator';
import { MIGRATIONS_DIR } from '../../test/helpers/database';
import { freePort, ownNats, ownPostgres, ownRedis, waitFor, type OwnNats, type OwnPostgres, type OwnRedis } from '../../test/helpers/own-servers';

export const ISSUER = 'http://soak.local';
export const AUDIENCE = 'soak';
export const REVOCATION_MAX_LAG_SECONDS = 3;
export const REFRESH_REUSE_GRACE_SECONDS = 2;
/** The verifier service's `maxStaleMs`: disconnected longer than this, it refuses session tokens (fail closed). */
export const VERIFIER_MAX_STALE_MS = 3000;

export interface Instance {
  readonly name: string;
  readonly url: string;
  pid(): number | null;
  running(): boolean;
  start(): Promise<void>;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

export interface Stack {
  pg: OwnPostgres;
  redis: OwnRedis;
  nats: OwnNats;
  instances: Instance[];
  verifierUrl: string;
  dir: string;
  /** Stops everything; `keepLogs` leaves the directory with the instances' logs (printed by the caller). */
  close(keepLogs?: boolean): Promise<void>;
}

async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

function instance(name: string, port: number, env: NodeJS.ProcessEnv, logFile: string): Instance {
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  const log = createWriteStream(logFile, { flags: 'a' });
  const alive = () => child !== null && child.exitCode === null && child.signalCode === null;
  const self: Instance = {
    name,
    url,
    pid: () => (alive() ? child!.pid ?? null : null),
    running: alive,
    async start() {
      if (alive()) return;
      const c = spawn(process.execPath, ['--import', 'tsx', 'backend/src/main.ts'], { env: { ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
      child = c;
      c.stdout.pipe(log, { end: false });
      c.stderr.pipe(log, { end: false });
      // A hang guard, not a target: tsx loading the app took tens of seconds on the shared 2-core machine.
      await waitFor(`${name} /health`, async () => {
        if (c.exitCode !== null || c.signalCode !== null) throw new Error(`${name} exited while starting (see ${logFile})`);
        return healthy(url);
      }, 180_000);
    },
    async kill9() {
      const c = child;
      if (!c || !alive()) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await exited;
      // Its bcrypt children lose their parent's pipe and exit by themselves; nothing else is left behind.
    },
    async stop() {
      const c = child;
      if (!c || !alive()) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
  return self;
}

/** The pids of a process's direct children (the bcrypt workers of an instance), from /proc. */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      out.push(...readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/** Resident set size of a process in bytes (VmRSS), or null when it is gone. */
export function rssOf(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

async function verifierService(natsUrl: string, jwksUri: string): Promise<{ url: string; close(): Promise<void> }> {
  const nc: NatsConnection = await connect({ servers: natsUrl, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  const revocations: RevocationFeed = createRevocationFeed({ nats: { connection: nc }, maxStaleMs: VERIFIER_MAX_STALE_MS, failMode: 'closed', onError: () => undefined });
  await revocations.ready;
  const auth = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri, revocations });
  const app = express();
  app.get('/whoami', auth.requireAuth(), (_req, res) => {
    res.json({ ok: true });
  });
  const port = await freePort();
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(port, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await revocations.close();
      await nc.close().catch(() => undefined);
    },
  };
}

export async function startStack(): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'soak-'));
  const [pg, redis, nats] = await Promise.all([ownPostgres(), ownRedis(), ownNats()]);
  await migrate(pg.url, MIGRATIONS_DIR);
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const base: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: pg.url,
    REDIS_URL: redis.url,
    NATS_URL: nats.url,
    JWT_PRIVATE_KEY: key,
    // Shared, as docs/operations.md asks: a key generated per DATA_DIR makes 2FA secrets enrolled on one
    // instance unreadable on the other.
    TOTP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    BCRYPT_COST: '4',
    // One bcrypt child per instance, so the soak has a child to kill.
    BCRYPT_WORKERS: '1',
    SIGNING_THREADS: '0',
    LOG_LEVEL: 'warn',
    REVOCATION_MAX_LAG_SECONDS: String(REVOCATION_MAX_LAG_SECONDS),
    REFRESH_REUSE_GRACE_SECONDS: String(REFRESH_REUSE_GRACE_SECONDS),
    RATE_LIMIT_AUTH_PER_MIN: '1000000',
    RATE_LIMIT_ACCOUNT_PER_MIN: '1000000',
    RATE_LIMIT_MAIL_PER_ADDRESS_PER_HOUR: '1000000',
    RATE_LIMIT_MAIL_PER_IP_PER_HOUR: '1000000',
    NEW_DEVICE_ALERTS: 'off',
    MAX_SESSIONS_PER_USER: '1000',
    WEB_UI: 'off',
  };
  const ports = [await freePort(), await freePort()];
  const instances = ['A', 'B'].map((name, i) =>
    instance(name, ports[i], { ...base, DATA_DIR: mkdtempSync(join(dir, `data-${name}-`)) }, join(dir, `instance-${name}.log`)),
  );
  let verifier: Awaited<ReturnType<typeof verifierService>>;
  try {
    // One after the other: both migrating at once is safe, but two tsx loads on two shared cores are slow.
    for (const i of instances) await i.start();
    verifier = await verifierService(nats.url, `${instances[1].url}/.well-known/jwks.json`);
  } catch (err) {
    // Nothing started here may outlive a failed start.
    await Promise.all(instances.map((i) => i.stop()));
    await Promise.all([redis.stop(), nats.remove(), pg.destroy()]);
    throw Object.assign(err as Error, { message: `${(err as Error).message} (logs in ${dir})` });
  }
  return {
    pg,
    redis,
    nats,
    instances,
    verifierUrl: verifier.url,
    dir,
    async close(keepLogs = false) {
      await verifier.close().catch(() => undefined);
      await Promise.all(instances.map((i) => i.stop()));
      await redis.stop();
      await nats.remove();
      await pg.destroy();
      if (!keepLogs) rmSync(dir, { recursive: true, force: true });
    },
  };
}
