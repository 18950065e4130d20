// GET /me may be served from a short in-process cache; a change made through any instance must show at
// once on that instance and, through Redis, on the others.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { generateTotpCode } from '../../backend/src/infrastructure/two-factor/totp';
import { bearer, registerAndLogin, useTestApps, type TestApp } from '../helpers/app';
import { waitFor } from '../helpers/wait';

describe('profile cache invalidation', () => {
  const apps = useTestApps();
  let a: TestApp;
  let b: TestApp;
  before(async () => {
    const redisPrefix = `test:${randomBytes(6).toString('hex')}:`;
    // A long TTL: only invalidation can make the change visible in time.
    // One signing key, so both instances accept the same access tokens.
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const env = { PROFILE_CACHE_MS: '60000', JWT_PRIVATE_KEY: pem };
    a = await apps.start({ redis: true, redisPrefix, env });
    b = await apps.start({ redis: true, redisPrefix, env });
  });

  it('when 2FA is enabled through instance A, then /me shows it at once on A and within moments on B', async () => {
    const s = await registerAndLogin(a);
    // Warm both caches.
    assert.equal((await a.http.get('/api/user/me').set(bearer(s.accessToken))).body.user.twoFactorEnabled, false);
    assert.equal((await b.http.get('/api/user/me').set(bearer(s.accessToken))).body.user.twoFactorEnabled, false);

    const enrol = await a.http.post('/api/user/2fa/enable').set(bearer(s.accessToken)).expect(200);
    const code = generateTotpCode(enrol.body.secret, a.clock.now());
    await a.http.post('/api/user/2fa/verify').set(bearer(s.accessToken)).send({ code }).expect(200);

    assert.equal((await a.http.get('/api/user/me').set(bearer(s.accessToken))).body.user.twoFactorEnabled, true);
    // Bounded poll: pub/sub delivery takes milliseconds; the bound only guards against a hang.
    const seen = await waitFor('instance B to drop its cached profile', async () => (await b.http.get('/api/user/me').set(bearer(s.accessToken))).body.user.twoFactorEnabled, (v) => v === true);
    assert.equal(seen, true);
  });
});
