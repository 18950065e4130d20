// Recovery: a user who lost the authenticator and every backup code gets 2FA turned off by an admin.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateTotpCode } from '../../backend/src/infrastructure/two-factor/totp';
import { bearer, registerAndLogin, useTestApp, TEST_PASSWORD } from '../helpers/app';

const ADMIN = { email: 'root@example.test', password: 'admin-Quartz-41-meadow' };

describe('admin 2FA reset', () => {
  const app = useTestApp({ env: { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password } });
  let adminToken: string;
  before(async () => {
    adminToken = (await app.http.post('/api/auth/login').send(ADMIN)).body.accessToken;
  });

  it('when an admin resets a user\'s 2FA, then the user signs in with the password alone and the event names the admin', async () => {
    const user = await registerAndLogin(app);
    const enrol = await app.http.post('/api/user/2fa/enable').set(bearer(user.accessToken)).expect(200);
    await app.http.post('/api/user/2fa/verify').set(bearer(user.accessToken)).send({ code: generateTotpCode(enrol.body.secret, app.clock.now()) }).expect(200);
    assert.equal((await app.http.post('/api/auth/login').send({ email: user.email, password: TEST_PASSWORD })).body.mfaRequired, true);

    const reset = await app.http.post(`/api/admin/users/${user.userId}/reset-2fa`).set(bearer(adminToken));
    assert.equal(reset.status, 200);
    assert.deepEqual(reset.body, { enabled: false });

    const login = await app.http.post('/api/auth/login').send({ email: user.email, password: TEST_PASSWORD });
    assert.equal(login.status, 200);
    assert.ok(login.body.accessToken);
    const me = await app.http.get('/api/user/me').set(bearer(login.body.accessToken));
    assert.equal(me.body.user.twoFactorEnabled, false);
    const events = (await app.http.get('/api/user/security-events').set(bearer(login.body.accessToken))).body.events;
    const disabled = events.find((e: { type: string }) => e.type === '2fa.disabled');
    assert.equal(disabled.metadata.method, 'admin_reset');
  });

  it('when a non-admin or an unknown user id is used, then 403 FORBIDDEN and 404 NOT_FOUND', async () => {
    const user = await registerAndLogin(app);
    const denied = await app.http.post(`/api/admin/users/${user.userId}/reset-2fa`).set(bearer(user.accessToken));
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error.code, 'FORBIDDEN');
    const missing = await app.http.post('/api/admin/users/00000000-0000-4000-8000-000000000000/reset-2fa').set(bearer(adminToken));
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'NOT_FOUND');
  });
});
