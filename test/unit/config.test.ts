import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describeConfig, loadConfig } from '../../backend/src/config';

test('when no variable is set, then the defaults are the contract\'s', () => {
  const c = loadConfig({});
  assert.deepEqual(
    {
      port: c.http.port, databaseUrl: c.database.url, dataDir: c.database.dataDir, redisUrl: c.redis.url, natsUrl: c.nats.url,
      registrationMode: c.accounts.registrationMode, bcryptCost: c.passwords.bcryptCost, accessTokenTtl: c.tokens.accessTokenTtl,
      refreshTokenTtl: c.sessions.refreshTokenTtl, sessionIdleTtl: c.sessions.idleTtl, maxSessionsPerUser: c.sessions.maxPerUser,
      loginMaxFailures: c.lockout.maxFailures, loginLockSeconds: c.lockout.lockSeconds, rateLimitAuthPerMin: c.rateLimits.perIpPerMin,
      trustProxy: c.http.trustProxy, adminEmail: c.accounts.adminEmail,
    },
    {
      port: 3000, databaseUrl: null, dataDir: './data', redisUrl: null, natsUrl: null, registrationMode: 'open', bcryptCost: 12,
      accessTokenTtl: 900, refreshTokenTtl: 2_592_000, sessionIdleTtl: 1_209_600, maxSessionsPerUser: 10, loginMaxFailures: 5,
      loginLockSeconds: 900, rateLimitAuthPerMin: 20, trustProxy: undefined, adminEmail: null,
    },
  );
  assert.equal(c.tokens.issuer, 'http://localhost:3000');
  assert.equal(c.tokens.audience, c.tokens.issuer);
  assert.equal(c.rateLimits.perAccountPerMin, 10, 'tighter than the per-IP limit');
});

test('when PORT differs and PUBLIC_URL is unset, then the default iss/aud are this instance on that port (issue 22); PUBLIC_URL fixes them', () => {
  assert.equal(loadConfig({ PORT: '4001' }).tokens.issuer, 'http://localhost:4001');
  assert.equal(loadConfig({ PORT: '4002' }).tokens.audience, 'http://localhost:4002');
  const prod = loadConfig({ PUBLIC_URL: 'https://auth.example.com/', PORT: '8080' });
  assert.equal(prod.tokens.issuer, 'https://auth.example.com', 'a trailing slash is dropped');
  assert.equal(prod.tokens.audience, 'https://auth.example.com');
  assert.equal(loadConfig({ PUBLIC_URL: 'https://auth.example.com', JWT_AUDIENCE: 'api' }).tokens.audience, 'api');
  assert.throws(() => loadConfig({ PUBLIC_URL: 'auth.example.com' }), /PUBLIC_URL/);
  assert.throws(() => loadConfig({ PUBLIC_URL: 'ftp://auth.example.com' }), /PUBLIC_URL/);
});

test('when only the per-IP limit is raised, then the per-account limit follows it at half', () => {
  assert.equal(loadConfig({ RATE_LIMIT_AUTH_PER_MIN: '1000' }).rateLimits.perAccountPerMin, 500);
  assert.equal(loadConfig({ RATE_LIMIT_AUTH_PER_MIN: '1000', RATE_LIMIT_ACCOUNT_PER_MIN: '7' }).rateLimits.perAccountPerMin, 7);
});

test('when TRUST_PROXY is given, then it becomes Express\'s trust-proxy value', () => {
  assert.equal(loadConfig({ TRUST_PROXY: 'true' }).http.trustProxy, true);
  assert.equal(loadConfig({ TRUST_PROXY: '2' }).http.trustProxy, 2);
  assert.equal(loadConfig({ TRUST_PROXY: 'loopback' }).http.trustProxy, 'loopback');
});

test('when a value is malformed, then start-up fails with the variable named', () => {
  assert.throws(() => loadConfig({ BCRYPT_COST: 'twelve' }), /BCRYPT_COST/);
  assert.throws(() => loadConfig({ BCRYPT_COST: '3' }), /BCRYPT_COST/);
  assert.throws(() => loadConfig({ REGISTRATION_MODE: 'closed' }), /REGISTRATION_MODE/);
  assert.throws(() => loadConfig({ ACCESS_TOKEN_TTL: '0' }), /ACCESS_TOKEN_TTL/);
});

test('when a key is declared in the schema, then the README and .env.example document its variable', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1));
  const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
  for (const { env } of describeConfig()) {
    assert.match(table, new RegExp(`\`${env}\``), `README configuration table lacks ${env}`);
    assert.match(example, new RegExp(`^#? ?${env}=`, 'm'), `.env.example lacks ${env}`);
  }
});

test('when every variable is unset, then each key has its documented default', () => {
  const c = loadConfig({}) as unknown as Record<string, Record<string, unknown>>;
  for (const row of describeConfig()) {
    const [group, key] = row.key.split('.') as [string, string];
    assert.ok(key in c[group], `${row.key} missing from loadConfig({})`);
    assert.ok(row.doc.length > 0, `${row.env} needs a description`);
  }
});
