// Revocations must not fail open when Redis goes away: two instances share one database and a redis-server
// this test owns. With Redis stopped, a logout on A answers 204 (it committed) and B refuses the token within
// the bound, by reading revocations back from the database; after Redis returns, B still refuses it and the
// pub/sub path works again. ioredis must not print "Unhandled error event" lines outside the JSON log.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { bearer, registerAndLogin, startTestApp, STRONG_PASSWORD, type TestApp } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { ownRedis, waitFor, type OwnRedis } from '../helpers/own-servers';

const MAX_LAG_SECONDS = 3;

describe('revocation fan-out without Redis', () => {
  let redis: OwnRedis;
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  const stray: string[] = [];
  const consoleError = console.error;

  before(async () => {
    // ioredis reports errors nobody listens to through console.error.
    console.error = (...args: unknown[]) => {
      stray.push(args.map(String).join(' '));
      consoleError(...args);
    };
    redis = await ownRedis();
    db = await createTestDatabase();
    const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const env = { REDIS_URL: redis.url, JWT_PRIVATE_KEY: key, REVOCATION_MAX_LAG_SECONDS: String(MAX_LAG_SECONDS) };
    const redisPrefix = `test:${randomBytes(6).toString('hex')}:`;
    a = await startTestApp({ database: db, redisPrefix, env });
    b = await startTestApp({ database: db, redisPrefix, env });
  });

  after(async () => {
    console.error = consoleError;
    await redis?.start();
    await a?.close();
    await b?.close();
    await db?.drop();
    await redis?.stop();
  });

  const meOnB = async (token: string) => {
    const res = await b.http.get('/api/user/me').set(bearer(token));
    return { status: res.status, code: res.body?.error?.code as string | undefined };
  };

  it('when Redis is down, then logout and change-password on A answer success and B refuses the tokens within the bound, also after Redis returns', async (t) => {
    const victim = await registerAndLogin(a);
    const other = await a.http.post('/api/auth/login').send({ email: victim.email, password: victim.password });
    const bystander = await registerAndLogin(a);
    assert.equal((await meOnB(victim.accessToken)).status, 200);
    assert.equal((await meOnB(other.body.accessToken)).status, 200);

    await redis.stop();
    const out = await a.http.post('/api/auth/logout').set(bearer(victim.accessToken));
    assert.equal(out.status, 204, JSON.stringify(out.body));
    const loggedOutAt = Date.now();
    await waitFor('B to refuse the logged-out token', async () => (await meOnB(victim.accessToken)).status === 401, 10_000);
    const lagMs = Date.now() - loggedOutAt;
    assert.deepEqual(await meOnB(victim.accessToken), { status: 401, code: 'SESSION_TERMINATED' });
    t.diagnostic(`B refused the logged-out token ${lagMs} ms after the logout answered`);
    assert.ok(lagMs <= MAX_LAG_SECONDS * 1000 + 2000, `refused after ${lagMs} ms`);
    const validate = await b.http.get('/api/auth/validate').set(bearer(victim.accessToken));
    assert.deepEqual(validate.body, { valid: false, reason: 'SESSION_TERMINATED' });

    // Every revoke path goes the same way: change-password from another session ends the rest.
    const second = await a.http.post('/api/auth/login').send({ email: bystander.email, password: bystander.password });
    const changed = await a.http
      .post('/api/user/change-password')
      .set(bearer(second.body.accessToken))
      .send({ currentPassword: STRONG_PASSWORD, newPassword: 'violet-Harbor-42-compass' });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    await waitFor('B to refuse the session ended by the password change', async () => (await meOnB(bystander.accessToken)).status === 401, 10_000);
    // Sessions nobody revoked keep working on B during the outage: the database feed keeps it trusted.
    assert.equal((await meOnB(second.body.accessToken)).status, 200);

    await redis.start();
    // Pub/sub works again: a logout on A reaches B (bounded poll), and the earlier revocations still hold.
    const out2 = await a.http.post('/api/auth/logout').set(bearer(other.body.accessToken));
    assert.equal(out2.status, 204);
    await waitFor('B to refuse the token logged out after Redis returned', async () => (await meOnB(other.body.accessToken)).status === 401, 10_000);
    assert.deepEqual(await meOnB(victim.accessToken), { status: 401, code: 'SESSION_TERMINATED' });
    assert.deepEqual(await meOnB(bystander.accessToken), { status: 401, code: 'SESSION_TERMINATED' });
    assert.deepEqual(stray.filter((l) => l.includes('[ioredis]')), []);
    assert.ok(a.logs.some((l) => l.includes('redis connection error')), 'the outage is in the JSON log');
  });
});
