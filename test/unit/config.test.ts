import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../backend/src/config';

test('when no variable is set, then the defaults are the contract\'s', () => {
  const c = loadConfig({});
  assert.deepEqual(
    {
      port: c.port, databaseUrl: c.databaseUrl, dataDir: c.dataDir, redisUrl: c.redisUrl, natsUrl: c.natsUrl,
      registrationMode: c.registrationMode, bcryptCost: c.bcryptCost, accessTokenTtl: c.accessTokenTtl,
      refreshTokenTtl: c.refreshTokenTtl, sessionIdleTtl: c.sessionIdleTtl, maxSessionsPerUser: c.maxSessionsPerUser,
      loginMaxFailures: c.loginMaxFailures, loginLockSeconds: c.loginLockSeconds, rateLimitAuthPerMin: c.rateLimitAuthPerMin,
      trustProxy: c.trustProxy, adminEmail: c.adminEmail,
    },
    {
      port: 3000, databaseUrl: null, dataDir: './data', redisUrl: null, natsUrl: null, registrationMode: 'open', bcryptCost: 12,
      accessTokenTtl: 900, refreshTokenTtl: 2_592_000, sessionIdleTtl: 1_209_600, maxSessionsPerUser: 10, loginMaxFailures: 5,
      loginLockSeconds: 900, rateLimitAuthPerMin: 20, trustProxy: undefined, adminEmail: null,
    },
  );
  assert.equal(c.jwtIssuer, 'http://localhost:3000');
  assert.equal(c.jwtAudience, c.jwtIssuer);
  assert.equal(c.rateLimitAccountPerMin, 10, 'tighter than the per-IP limit');
});

test('when only the per-IP limit is raised, then the per-account limit follows it at half', () => {
  assert.equal(loadConfig({ RATE_LIMIT_AUTH_PER_MIN: '1000' }).rateLimitAccountPerMin, 500);
  assert.equal(loadConfig({ RATE_LIMIT_AUTH_PER_MIN: '1000', RATE_LIMIT_ACCOUNT_PER_MIN: '7' }).rateLimitAccountPerMin, 7);
});

test('when TRUST_PROXY is given, then it becomes Express\'s trust-proxy value', () => {
  assert.equal(loadConfig({ TRUST_PROXY: 'true' }).trustProxy, true);
  assert.equal(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2);
  assert.equal(loadConfig({ TRUST_PROXY: 'loopback' }).trustProxy, 'loopback');
});

test('when a value is malformed, then start-up fails with the variable named', () => {
  assert.throws(() => loadConfig({ BCRYPT_COST: 'twelve' }), /BCRYPT_COST/);
  assert.throws(() => loadConfig({ BCRYPT_COST: '3' }), /BCRYPT_COST/);
  assert.throws(() => loadConfig({ REGISTRATION_MODE: 'closed' }), /REGISTRATION_MODE/);
  assert.throws(() => loadConfig({ ACCESS_TOKEN_TTL: '0' }), /ACCESS_TOKEN_TTL/);
});
