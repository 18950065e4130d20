// Starts the real app (buildContainer → createApp) on port 0 against a fresh, migrated PostgreSQL
// database, with cheap bcrypt and generous rate limits unless a test asks otherwise. Logs are captured
// in memory so tests can assert that no secret ever reaches them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Transport from 'winston-transport';
import supertest from 'supertest';
import { loadConfig } from '../../backend/src/config';
import { buildContainer, type Container, type ContainerOptions } from '../../backend/src/container';
import type { Clock } from '../../backend/src/domain/ports';
import { createLogger } from '../../backend/src/infrastructure/logger';
import { createTestDatabase, MIGRATIONS_DIR, type TestDatabase } from './database';
import { contractRecorder } from './openapi-contract';

class MemoryTransport extends Transport {
  readonly lines: string[] = [];
  override log(info: unknown, next: () => void): void {
    this.lines.push(JSON.stringify(info));
    next();
  }
}

export class TestClock implements Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}

export interface TestApp {
  url: string;
  http: ReturnType<typeof supertest>;
  container: Container;
  database: TestDatabase;
  clock: TestClock;
  logs: string[];
  dataDir: string;
  /** Exchanges that disagree with docs/openapi.yaml so far; close() fails when any exist. */
  contractViolations: string[];
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Reuse a database (two instances sharing one DB); otherwise a fresh one is created and dropped. */
  database?: TestDatabase;
  redisPrefix?: string;
  events?: ContainerOptions['events'];
  /** Prefix for every NATS subject the server publishes or serves (unique per test). */
  natsSubjectPrefix?: string;
  /** Where the built web app is looked for (default backend/web/dist). */
  webDistDir?: string;
}

export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const database = opts.database ?? (await createTestDatabase());
  const dataDir = mkdtempSync(join(tmpdir(), 'auth-test-'));
  const config = loadConfig({
    BCRYPT_COST: '4',
    RATE_LIMIT_AUTH_PER_MIN: '100000',
    RATE_LIMIT_ACCOUNT_PER_MIN: '100000',
    JWT_ISSUER: 'http://auth.test',
    JWT_AUDIENCE: 'auth-test',
    ...opts.env,
    DATABASE_URL: database.url,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'debug',
  });
  const memory = new MemoryTransport();
  const clock = new TestClock();
  const contract = contractRecorder();
  const container = await buildContainer(config, {
    clock,
    logger: createLogger('debug', [memory]),
    migrationsDir: MIGRATIONS_DIR,
    redisPrefix: opts.redisPrefix ?? `test:${randomBytes(6).toString('hex')}:`,
    events: opts.events,
    natsSubjectPrefix: opts.natsSubjectPrefix,
    webDistDir: opts.webDistDir,
    observeHttp: contract.observe,
  });
  const { url } = await container.start(0);
  return {
    url,
    http: supertest(url),
    container,
    database,
    clock,
    logs: memory.lines,
    dataDir,
    contractViolations: contract.violations,
    async close() {
      await container.stop();
      if (!opts.database) await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
      if (contract.violations.length > 0) {
        const unique = [...new Set(contract.violations)];
        throw new Error(`HTTP traffic disagrees with docs/openapi.yaml (${unique.length}):\n  ${unique.join('\n  ')}`);
      }
    },
  };
}

let counter = 0;
/** A unique email per call, so tests in one database never collide. */
export function uniqueEmail(tag = 'user'): string {
  counter += 1;
  return `${tag}.${Date.now().toString(36)}.${counter}.${randomBytes(3).toString('hex')}@example.test`;
}

export const STRONG_PASSWORD = 'plum-Orbit-7-lantern';

export async function registerAndLogin(app: TestApp, opts: { email?: string; password?: string; userAgent?: string } = {}) {
  const email = opts.email ?? uniqueEmail();
  const password = opts.password ?? STRONG_PASSWORD;
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
