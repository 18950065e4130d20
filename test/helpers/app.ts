// The HTTP test fixture. `useTestApp(opts)` inside a describe() registers that suite's before/after hooks:
// a fresh, migrated PostgreSQL database, its own Redis key prefix, the real app (buildContainer → createApp)
// on port 0 with cheap bcrypt and generous rate limits, and on the way out the container stopped, the
// database dropped, the Redis keys and temp dirs removed. `useTestApps()` does the same for suites that start
// several instances (one per test, or two sharing state). Model: better-auth's test-utils/test-instance.ts.
// Logs are captured in memory so tests can assert that no secret ever reaches them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { Redis } from 'ioredis';
import Transport from 'winston-transport';
import jwt from 'jsonwebtoken';
import supertest from 'supertest';
import { loadConfig } from '../../backend/src/config';
import { buildContainer, type Container, type ContainerOptions } from '../../backend/src/container';
import { createLogger } from '../../backend/src/infrastructure/logger';
import { FakeClock } from '../fakes/clock';
import { TEST_PASSWORD } from '../fakes/passwords';
import { createTestDatabase, MIGRATIONS_DIR, type TestDatabase } from './database';
import { contractRecorder } from './openapi-contract';
import { requireService, TEST_NATS_URL, TEST_REDIS_URL } from './services';

export { TEST_PASSWORD } from '../fakes/passwords';
export { TEST_NATS_URL, TEST_REDIS_URL } from './services';
/** Old name of TEST_PASSWORD, kept so tests written on parallel branches still compile. */
export const STRONG_PASSWORD = TEST_PASSWORD;

/** Collects the JSON log lines of a winston logger, for tests that assert on the log. */
export class MemoryTransport extends Transport {
  readonly lines: string[] = [];
  override log(info: unknown, next: () => void): void {
    this.lines.push(JSON.stringify(info));
    next();
  }
}

export interface TestApp {
  url: string;
  http: ReturnType<typeof supertest>;
  container: Container;
  database: TestDatabase;
  /** Ticking fake clock given to the container: the domain's time (TOTP, lockout, idle expiry, tokens). */
  clock: FakeClock;
  logs: string[];
  dataDir: string;
  /** Exchanges that disagree with docs/openapi.yaml so far; close() fails when any exist. */
  contractViolations: string[];
  redisPrefix: string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Reuse a database (instances sharing one DB); otherwise a fresh one is created and dropped. */
  database?: TestDatabase;
  /** Reuse a DATA_DIR (instances sharing a signing key); otherwise a temp dir is created and removed. */
  dataDir?: string;
  /** Share Redis state between instances; otherwise each app gets its own prefix. Keys are removed on close. */
  redisPrefix?: string;
  /** Connect to the test Redis (REDIS_URL); fails fast, naming Redis, when it is down. */
  redis?: boolean;
  /** Connect to the test NATS (NATS_URL); fails fast, naming NATS, when it is down. */
  nats?: boolean;
  events?: ContainerOptions['events'];
  /** Prefix for every NATS subject the server publishes or serves (unique per test). */
  natsSubjectPrefix?: string;
  /** Where the built web app is looked for (default backend/web/dist). */
  webDistDir?: string;
}

/** Generous limits so ordinary tests never hit them, unless the test sets a limit itself. */
function limitDefaults(env: Record<string, string>): Record<string, string> {
  const mail: Record<string, string> = {
    ...(env.RATE_LIMIT_MAIL_PER_ADDRESS_PER_HOUR || env.RATE_LIMIT_MAIL_PER_IP_PER_HOUR ? {} : { RATE_LIMIT_MAIL_PER_ADDRESS_PER_HOUR: '100000', RATE_LIMIT_MAIL_PER_IP_PER_HOUR: '100000' }),
    ...(env.RATE_LIMIT_AUTHORIZE_PER_MIN ? {} : { RATE_LIMIT_AUTHORIZE_PER_MIN: '100000' }),
  };
  if (env.RATE_LIMIT_AUTH_PER_MIN || env.RATE_LIMIT_ACCOUNT_PER_MIN) return mail;
  return { RATE_LIMIT_AUTH_PER_MIN: '100000', RATE_LIMIT_ACCOUNT_PER_MIN: '100000', ...mail };
}

async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Starts one app now; the caller closes it. Prefer useTestApp(), which registers the hooks itself. */
export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const env = { ...opts.env };
  if (opts.redis) env.REDIS_URL ??= TEST_REDIS_URL;
  if (opts.nats) env.NATS_URL ??= TEST_NATS_URL;
  if (env.REDIS_URL) await requireService('Redis', env.REDIS_URL);
  if (env.NATS_URL) await requireService('NATS', env.NATS_URL);
  const database = opts.database ?? (await createTestDatabase());
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'auth-test-'));
  const redisPrefix = opts.redisPrefix ?? `test:${randomBytes(6).toString('hex')}:`;
  const cleanup = async () => {
    if (!opts.database) await database.drop();
    if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (env.REDIS_URL) await deleteKeys(env.REDIS_URL, redisPrefix).catch(() => undefined);
  };
  const memory = new MemoryTransport();
  const clock = FakeClock.ticking();
  const contract = contractRecorder();
  let container: Container;
  try {
    const config = loadConfig({
      BCRYPT_COST: '4',
      // bcrypt at cost 4 and RS256 signing take well under a millisecond on the event loop: a child process
      // per core and a signing thread per app cost more than they save. Tests about the pools set these.
      BCRYPT_WORKERS: '0',
      SIGNING_THREADS: '0',
      JWT_ISSUER: 'http://auth.test',
      JWT_AUDIENCE: 'auth-test',
      ...limitDefaults(env),
      ...env,
      DATABASE_URL: database.url,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'debug',
    });
    container = await buildContainer(config, {
      clock,
      logger: createLogger('debug', [memory]),
      migrationsDir: MIGRATIONS_DIR,
      redisPrefix,
      events: opts.events,
      natsSubjectPrefix: opts.natsSubjectPrefix,
      webDistDir: opts.webDistDir,
      observeHttp: contract.observe,
      // Tests that read mail wait for the relay: look for due mail often.
      mailRelayIntervalMs: env.SMTP_URL ? 150 : undefined,
    });
  } catch (err) {
    await cleanup();
    throw err;
  }
  const { url } = await container.start(0);
  let closed: Promise<void> | null = null;
  return {
    url,
    http: supertest(url),
    container,
    database,
    clock,
    logs: memory.lines,
    dataDir,
    contractViolations: contract.violations,
    redisPrefix,
    close() {
      closed ??= container
        .stop()
        .finally(cleanup)
        .then(() => {
          if (contract.violations.length === 0) return;
          const unique = [...new Set(contract.violations)];
          throw new Error(`HTTP traffic disagrees with docs/openapi.yaml (${unique.length}):\n  ${unique.join('\n  ')}`);
        });
      return closed;
    },
  };
}

/**
 * Registers before/after hooks on the enclosing describe() and returns the app they start. Read it inside
 * `it` (or later hooks), never at describe time. `opts` may be a function, evaluated in the before hook,
 * when it depends on something an earlier hook made. node:test runs after hooks in registration order, so
 * a hook that must run before the app stops (closing a client of its database) is registered above this call.
 */
export function useTestApp(opts: TestAppOptions | (() => TestAppOptions) = {}): TestApp {
  let app: TestApp | undefined;
  before(async () => {
    app = await startTestApp(typeof opts === 'function' ? opts() : opts);
  });
  after(async () => {
    await app?.close();
    app = undefined;
  });
  return new Proxy({} as TestApp, {
    get(_target, prop) {
      if (!app) throw new Error(`useTestApp: app.${String(prop)} read outside the suite's tests (its before hook has not run or failed)`);
      const value = Reflect.get(app, prop, app);
      return typeof value === 'function' ? value.bind(app) : value;
    },
  });
}

export interface TestApps {
  /** Starts an instance on the suite's database; the suite's after hook closes it (close() earlier is fine). */
  start(opts?: Omit<TestAppOptions, 'database'>): Promise<TestApp>;
  /** The suite's database, shared by every instance it starts. */
  readonly database: TestDatabase;
  /** A temp DATA_DIR removed after the suite: instances given the same one share a signing key. */
  dataDir(): string;
}

/** For suites that start several instances: one database per suite, every instance stopped after it. */
export function useTestApps(): TestApps {
  let database: TestDatabase | undefined;
  const apps: TestApp[] = [];
  const dirs: string[] = [];
  before(async () => {
    database = await createTestDatabase();
  });
  after(async () => {
    for (const app of apps.splice(0)) await app.close().catch(() => undefined);
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    await database?.drop();
    database = undefined;
  });
  return {
    async start(opts = {}) {
      if (!database) throw new Error('useTestApps: start() called outside the suite\'s tests');
      const app = await startTestApp({ ...opts, database });
      apps.push(app);
      return app;
    },
    get database() {
      if (!database) throw new Error('useTestApps: database read outside the suite\'s tests');
      return database;
    },
    dataDir() {
      const dir = mkdtempSync(join(tmpdir(), 'auth-test-'));
      dirs.push(dir);
      return dir;
    },
  };
}

let counter = 0;
/** A unique email per call, so tests in one database never collide. */
export function uniqueEmail(tag = 'user'): string {
  counter += 1;
  return `${tag}.${Date.now().toString(36)}.${counter}.${randomBytes(3).toString('hex')}@example.test`;
}

export async function registerAndLogin(app: TestApp, opts: { email?: string; password?: string; userAgent?: string } = {}) {
  const email = opts.email ?? uniqueEmail();
  const password = opts.password ?? TEST_PASSWORD;
  const reg = await app.http.post('/api/auth/register').send({ email, password });
  if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${JSON.stringify(reg.body)}`);
  const login = await app.http
    .post('/api/auth/login')
    .set('User-Agent', opts.userAgent ?? 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36')
    .send({ email, password });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
  return { email, password, userId: reg.body.user.id as string, ...(login.body as { accessToken: string; refreshToken: string; sessionId: string }) };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/**
 * Moves the app clock to 1 s after the start of a later TOTP step (at least one step later), so the current
 * step is fresh (past any step already used) and ~29 s of real time remain before it changes under the test.
 */
export function freshTotpStep(app: TestApp): Date {
  const into = app.clock.now().getTime() % 30_000;
  app.clock.advance((30_000 - into + 1000) / 1000);
  return app.clock.now();
}

/** The answer is 400 VALIDATION_ERROR with a detail for `field`. */
export function assertValidation(res: { status: number; body: unknown }, field: string): void {
  assert.equal(res.status, 400, JSON.stringify(res.body));
  const err = (res.body as { error: { code: string; details?: { field: string }[] } }).error;
  assert.equal(err.code, 'VALIDATION_ERROR');
  assert.ok(err.details?.some((d) => d.field === field), JSON.stringify(err));
}

/** A JWT's payload, not verified: what a test inspects of a token the app issued. */
export const claimsOf = (token: string) => jwt.decode(token, { json: true }) as Record<string, any>;

/** An OAuth client's HTTP Basic credentials (client_secret_basic: id and secret form-encoded, RFC 6749 §2.3.1). */
export const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
