// Rate limits through the real app (buildContainer → createApp) against a fresh PostgreSQL database:
// per-IP and per-account buckets, trust-proxy handling, the /validate exemption, Redis-shared counters
// across two instances, the in-memory fallback when Redis is down, and Redis revocation fan-out.
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import { Redis } from 'ioredis';
import { createLogger } from '../../backend/src/infrastructure/logger';
import { emailKey } from '../../backend/src/http/rate-limit-keys';
import { createRateLimits, ipBucket } from '../../backend/src/http/rate-limits';
import { errorHandler } from '../../backend/src/http/errors';
import { TEST_PASSWORD, TEST_REDIS_URL, uniqueEmail, useTestApps, type TestAppOptions } from '../helpers/app';
import { requireService } from '../helpers/services';
import { waitFor } from '../helpers/wait';

// One database for the file; every instance a test starts is stopped after it.
const apps = useTestApps();
const boot = (env: Record<string, string>, opts: Omit<TestAppOptions, 'database' | 'env'> = {}) => apps.start({ env, ...opts });

async function post(url: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

async function get(url: string, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}${path}`, { headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

const badLogin = (url: string, email: string, headers: Record<string, string> = {}) =>
  post(url, '/api/auth/login', { email, password: 'wrong-password-123' }, headers);

function assertRateLimited(res: { status: number; headers: Headers; body: any }) {
  assert.equal(res.status, 429);
  assert.equal(res.body.error.code, 'RATE_LIMITED');
  const retryAfter = Number(res.headers.get('retry-after'));
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${res.headers.get('retry-after')}`);
}

describe('per-IP rate limit (in-process counters)', () => {
  it('when one IP sends a 4th login request within a minute at a limit of 3, then it gets 429 RATE_LIMITED with Retry-After and RateLimit-* headers', async () => {
    const { url } = await boot({ RATE_LIMIT_AUTH_PER_MIN: '3' });
    const email = uniqueEmail();
    const first = await badLogin(url, email);
    assert.equal(first.status, 401);
    assert.equal(first.headers.get('ratelimit-limit'), '3');
    assert.equal(first.headers.get('ratelimit-remaining'), '2');
    assert.match(first.headers.get('ratelimit-policy') ?? '', /^3;w=60\b/);
    const reset = Number(first.headers.get('ratelimit-reset'));
    assert.ok(reset >= 1 && reset <= 60);

    assert.equal((await badLogin(url, email)).status, 401);
    assert.equal((await badLogin(url, email)).status, 401);
    const fourth = await badLogin(url, email);
    assertRateLimited(fourth);
    assert.equal(fourth.headers.get('ratelimit-limit'), '3');
    assert.equal(fourth.headers.get('ratelimit-remaining'), '0');
    assert.equal(fourth.headers.get('ratelimit-policy'), '3;w=60');
    assert.ok(Number(fourth.headers.get('ratelimit-reset')) >= 1);
    assert.ok(fourth.headers.get('x-request-id'));
  });

  it('when the per-IP limit is exhausted, then other /api/auth routes and /oauth/token are refused too', async () => {
    const { url } = await boot({ RATE_LIMIT_AUTH_PER_MIN: '2' });
    await badLogin(url, uniqueEmail());
    await badLogin(url, uniqueEmail());
    assertRateLimited(await post(url, '/api/auth/refresh', { refreshToken: 'x'.repeat(40) }));
    assertRateLimited(await post(url, '/api/auth/register', { email: uniqueEmail(), password: TEST_PASSWORD }));
    const oauth = await fetch(`${url}/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=password&username=a%40b.test&password=x',
    });
    assert.equal(oauth.status, 429);
    assert.ok(oauth.headers.get('retry-after'));
  });

  it('when the per-IP limit is exhausted, then GET /api/auth/validate still answers (service-to-service, exempt)', async () => {
    const { url } = await boot({ RATE_LIMIT_AUTH_PER_MIN: '2' });
    await badLogin(url, uniqueEmail());
    await badLogin(url, uniqueEmail());
    assertRateLimited(await badLogin(url, uniqueEmail()));
    for (let i = 0; i < 5; i += 1) {
      const res = await get(url, '/api/auth/validate', { Authorization: 'Bearer not-a-jwt' });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { valid: false, reason: 'INVALID_TOKEN' });
      assert.equal(res.headers.get('ratelimit-limit'), null);
    }
  });

  it('when CORS preflights (OPTIONS) are sent, then they neither count nor get limited', async () => {
    const { url } = await boot({ RATE_LIMIT_AUTH_PER_MIN: '2' });
    for (let i = 0; i < 5; i += 1) {
      const res = await fetch(`${url}/api/auth/login`, { method: 'OPTIONS' });
      assert.notEqual(res.status, 429);
      assert.equal(res.headers.get('ratelimit-limit'), null);
    }
    assert.equal((await badLogin(url, uniqueEmail())).status, 401);
  });

  it('when TRUST_PROXY is unset, then varying X-Forwarded-For does not dodge the limit', async () => {
    const { url } = await boot({ RATE_LIMIT_AUTH_PER_MIN: '3' });
    for (let i = 1; i <= 3; i += 1) {
      assert.equal((await badLogin(url, uniqueEmail(), { 'X-Forwarded-For': `198.51.100.${i}` })).status, 401);
    }
    assertRateLimited(await badLogin(url, uniqueEmail(), { 'X-Forwarded-For': '198.51.100.99' }));
  });

  it('when TRUST_PROXY=1, then different X-Forwarded-For client addresses get separate buckets', async () => {
    const { url } = await boot({ RATE_LIMIT_AUTH_PER_MIN: '3', TRUST_PROXY: '1' });
    const from = (ip: string) => ({ 'X-Forwarded-For': ip });
    for (let i = 0; i < 3; i += 1) assert.equal((await badLogin(url, uniqueEmail(), from('203.0.113.10'))).status, 401);
    assertRateLimited(await badLogin(url, uniqueEmail(), from('203.0.113.10')));

    const other = await badLogin(url, uniqueEmail(), from('203.0.113.20'));
    assert.equal(other.status, 401);
    assert.equal(other.headers.get('ratelimit-remaining'), '2');
    // With one trusted hop only the right-most address counts: a client-supplied left part changes nothing.
    assertRateLimited(await badLogin(url, uniqueEmail(), { 'X-Forwarded-For': '192.0.2.77, 203.0.113.10' }));
  });

  it('when TRUST_PROXY=true, then IPv6 clients of one /64 share a bucket', async () => {
    const { url } = await boot({ RATE_LIMIT_AUTH_PER_MIN: '2', TRUST_PROXY: 'true' });
    assert.equal((await badLogin(url, uniqueEmail(), { 'X-Forwarded-For': '2001:db8:1:2::1' })).status, 401);
    assert.equal((await badLogin(url, uniqueEmail(), { 'X-Forwarded-For': '2001:db8:1:2:ffff::9' })).status, 401);
    assertRateLimited(await badLogin(url, uniqueEmail(), { 'X-Forwarded-For': '2001:0db8:0001:0002:abcd::1' }));
    assert.equal((await badLogin(url, uniqueEmail(), { 'X-Forwarded-For': '2001:db8:1:3::1' })).status, 401);
  });
});

describe('per-account rate limit', () => {
  it('when one email is tried from many spoofed IPs (TRUST_PROXY=1), then the account bucket returns 429 although no IP is over its limit', async () => {
    const { url } = await boot({ RATE_LIMIT_AUTH_PER_MIN: '100', RATE_LIMIT_ACCOUNT_PER_MIN: '3', LOGIN_MAX_FAILURES: '50', TRUST_PROXY: '1' });
    const email = uniqueEmail('victim');
    const variants = [email, `  ${email.toUpperCase()} `, email.replace(/^./, (c) => c.toUpperCase())];
    for (let i = 0; i < 3; i += 1) {
      const res = await badLogin(url, variants[i], { 'X-Forwarded-For': `192.0.2.${i + 1}` });
      assert.equal(res.status, 401);
      assert.equal(res.body.error.code, 'INVALID_CREDENTIALS');
    }
    const blocked = await badLogin(url, email, { 'X-Forwarded-For': '192.0.2.200' });
    assertRateLimited(blocked);
    assert.equal(blocked.headers.get('ratelimit-limit'), '3');
    assert.equal(blocked.headers.get('ratelimit-remaining'), '0');
    assert.equal(blocked.headers.get('ratelimit-policy'), '100;w=60, 3;w=60');

    // Same IP, another account: not affected.
    const other = await badLogin(url, uniqueEmail(), { 'X-Forwarded-For': '192.0.2.200' });
    assert.equal(other.status, 401);
  });

  it('when a valid login is made for a rate-limited account, then it is refused too (the limit runs before the password check)', async () => {
    const { url } = await boot({ RATE_LIMIT_AUTH_PER_MIN: '100', RATE_LIMIT_ACCOUNT_PER_MIN: '2', LOGIN_MAX_FAILURES: '50', TRUST_PROXY: '1' });
    const email = uniqueEmail();
    assert.equal((await post(url, '/api/auth/register', { email, password: TEST_PASSWORD })).status, 201);
    await badLogin(url, email, { 'X-Forwarded-For': '192.0.2.1' });
    await badLogin(url, email, { 'X-Forwarded-For': '192.0.2.2' });
    assertRateLimited(await post(url, '/api/auth/login', { email, password: TEST_PASSWORD }, { 'X-Forwarded-For': '192.0.2.3' }));
  });

  it('when second-factor attempts reuse one mfaToken, then they are limited per token, and another token has its own bucket', async () => {
    const { url } = await boot({ RATE_LIMIT_AUTH_PER_MIN: '100', RATE_LIMIT_ACCOUNT_PER_MIN: '2', TRUST_PROXY: '1' });
    const token = randomBytes(32).toString('base64url');
    for (let i = 0; i < 2; i += 1) {
      const res = await post(url, '/api/auth/login/2fa', { mfaToken: token, code: '123456' }, { 'X-Forwarded-For': `192.0.2.${i + 1}` });
      assert.equal(res.status, 401);
      assert.equal(res.body.error.code, 'INVALID_TOKEN');
    }
    assertRateLimited(await post(url, '/api/auth/login/2fa', { mfaToken: token, code: '123456' }, { 'X-Forwarded-For': '192.0.2.9' }));
    const fresh = await post(url, '/api/auth/login/2fa', { mfaToken: randomBytes(32).toString('base64url'), code: '123456' });
    assert.equal(fresh.status, 401);
    assert.equal(fresh.headers.get('ratelimit-policy'), '100;w=60, 2;w=60');
  });

  it('when a login request carries an extra random mfaToken field, then it still counts against the email bucket', async () => {
    const { url } = await boot({ RATE_LIMIT_AUTH_PER_MIN: '100', RATE_LIMIT_ACCOUNT_PER_MIN: '2', LOGIN_MAX_FAILURES: '50' });
    const email = uniqueEmail();
    const attempt = () => post(url, '/api/auth/login', { email, password: 'wrong-password-123', mfaToken: randomBytes(16).toString('hex') });
    await attempt();
    await attempt();
    assertRateLimited(await attempt());
  });

  it('when OAuth password grants carry an extra random email field, then they still count against the username bucket, shared with /api/auth/login', async () => {
    const { url } = await boot({ RATE_LIMIT_AUTH_PER_MIN: '100', RATE_LIMIT_ACCOUNT_PER_MIN: '2', LOGIN_MAX_FAILURES: '50', OAUTH_CLIENTS: 'web' });
    const email = uniqueEmail();
    const grant = () =>
      fetch(`${url}/oauth/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'password', client_id: 'web', username: email, password: 'wrong-password-123', email: uniqueEmail() }),
      });
    assert.equal((await grant()).status, 400);
    assert.equal((await grant()).status, 400);
    const third = await grant();
    assert.equal(third.status, 429);
    assert.ok(third.headers.get('retry-after'));
    assertRateLimited(await badLogin(url, email));
  });
});

describe('Redis-backed rate limits and revocation (two instances)', () => {
  let redis: Redis;
  const prefix = `test:rl:${randomBytes(8).toString('hex')}:`;

  before(async () => {
    await requireService('Redis', TEST_REDIS_URL);
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    await redis.ping();
  });
  after(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis?.quit();
  });

  it('when requests are split between two instances sharing Redis, then the limit applies to their total', async () => {
    const runPrefix = `${prefix}shared:`;
    const env = { REDIS_URL: TEST_REDIS_URL, RATE_LIMIT_AUTH_PER_MIN: '4' };
    const dataDir = apps.dataDir();
    const a = await boot(env, { dataDir, redisPrefix: runPrefix });
    const b = await boot(env, { dataDir, redisPrefix: runPrefix });
    const order = [a, b, a, b];
    const remaining: string[] = [];
    for (const inst of order) {
      const res = await badLogin(inst.url, uniqueEmail());
      assert.equal(res.status, 401);
      remaining.push(res.headers.get('ratelimit-remaining')!);
    }
    assert.deepEqual(remaining, ['3', '2', '1', '0']);
    assertRateLimited(await badLogin(a.url, uniqueEmail()));
    assertRateLimited(await badLogin(b.url, uniqueEmail()));

    const keys = await redis.keys(`${runPrefix}rl:*`);
    assert.ok(keys.some((k) => k.startsWith(`${runPrefix}rl:ip:`)), `keys: ${keys.join(', ')}`);
    // Account keys are hashes: no email address is written to Redis.
    assert.ok(keys.every((k) => !k.includes('@')), `keys: ${keys.join(', ')}`);
  });

  it('when a session is logged out on instance A, then instance B refuses its access token with SESSION_TERMINATED once pub/sub delivers (bounded poll)', async () => {
    const runPrefix = `${prefix}revoke:`;
    const env = { REDIS_URL: TEST_REDIS_URL, RATE_LIMIT_AUTH_PER_MIN: '100' };
    const dataDir = apps.dataDir(); // shared signing keys: B verifies A's tokens
    const a = await boot(env, { dataDir, redisPrefix: runPrefix });
    const b = await boot(env, { dataDir, redisPrefix: runPrefix });

    const email = uniqueEmail();
    assert.equal((await post(a.url, '/api/auth/register', { email, password: TEST_PASSWORD })).status, 201);
    const login = await post(a.url, '/api/auth/login', { email, password: TEST_PASSWORD });
    assert.equal(login.status, 200);
    const auth = { Authorization: `Bearer ${login.body.accessToken}` };
    assert.equal((await get(b.url, '/api/user/me', auth)).status, 200);

    assert.equal((await post(a.url, '/api/auth/logout', {}, auth)).status, 204);
    assert.equal((await get(a.url, '/api/user/me', auth)).body?.error?.code, 'SESSION_TERMINATED');

    const last = await waitFor('instance B to learn of the logout', () => get(b.url, '/api/user/me', auth), (r) => r.status !== 200);
    assert.equal(last.status, 401);
    assert.equal(last.body.error.code, 'SESSION_TERMINATED');
    const validated = await get(b.url, '/api/auth/validate', auth);
    assert.deepEqual(validated.body, { valid: false, reason: 'SESSION_TERMINATED' });
  });
});

describe('createRateLimits (adapter)', () => {
  function miniApp(limits: ReturnType<typeof createRateLimits>) {
    const app = express();
    app.use(express.json());
    app.use('/api/auth', limits.perIp);
    app.post('/api/auth/login', limits.perAccount(emailKey('email')), (_req, res) => {
      res.status(401).json({ error: { code: 'INVALID_CREDENTIALS', message: 'x' } });
    });
    app.use(errorHandler(createLogger('error')));
    return app;
  }

  it('when Redis is unreachable, then the in-memory insurance limiter still enforces the limit instead of failing', async () => {
    const dead = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    dead.on('error', () => {});
    const limits = createRateLimits({ perIpPerMin: 2, perAccountPerMin: 100, redis: dead, keyPrefix: 'test:dead:' });
    const server = miniApp(limits).listen(0);
    try {
      await new Promise<void>((r) => server.once('listening', () => r()));
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      assert.equal((await badLogin(url, 'a@b.test')).status, 401);
      assert.equal((await badLogin(url, 'a@b.test')).status, 401);
      assertRateLimited(await badLogin(url, 'a@b.test'));
    } finally {
      server.close();
      await limits.close();
      dead.disconnect();
    }
  });

  it('when addresses are bucketed, then IPv4-mapped IPv6 counts as IPv4 and IPv6 is grouped by /64', () => {
    assert.equal(ipBucket('::ffff:127.0.0.1'), '127.0.0.1');
    assert.equal(ipBucket('203.0.113.9'), '203.0.113.9');
    assert.equal(ipBucket('2001:db8:1:2::1'), '2001:db8:1:2::/64');
    assert.equal(ipBucket('2001:0DB8:0001:0002:aaaa:bbbb:cccc:dddd'), '2001:db8:1:2::/64');
    assert.equal(ipBucket('::1'), '0:0:0:0::/64');
    assert.equal(ipBucket('fe80::1%eth0'), 'fe80:0:0:0::/64');
  });
});
