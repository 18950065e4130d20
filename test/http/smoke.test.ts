import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, registerAndLogin, useTestApp } from '../helpers/app';

describe('smoke: register, login, me, logout against PostgreSQL', () => {
  const app = useTestApp();

  it('when a user logs out, then its access token gets SESSION_TERMINATED at once', async () => {
    const s = await registerAndLogin(app);
    const me = await app.http.get('/api/user/me').set(bearer(s.accessToken));
    assert.equal(me.status, 200);
    assert.equal(me.body.user.email, s.email);
    assert.equal((await app.http.post('/api/auth/logout').set(bearer(s.accessToken))).status, 204);
    const after = await app.http.get('/api/user/me').set(bearer(s.accessToken));
    assert.equal(after.status, 401);
    assert.equal(after.body.error.code, 'SESSION_TERMINATED');
  });
});
