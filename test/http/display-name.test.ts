// The display name given at sign-up (`username`) is the owner's to change or remove: PATCH /api/user/me.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, registerAndLogin, useTestApp } from '../helpers/app';

describe('display name', () => {
  const app = useTestApp();

  it('when the owner sets a name, then it is trimmed, /me shows it at once, and null removes it', async () => {
    const s = await registerAndLogin(app);
    const set = await app.http.patch('/api/user/me').set(bearer(s.accessToken)).send({ username: '  Ada Lovelace  ' });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.equal(set.body.user.username, 'Ada Lovelace');
    assert.equal(set.body.user.email, s.email);
    assert.equal((await app.http.get('/api/user/me').set(bearer(s.accessToken))).body.user.username, 'Ada Lovelace');
    const cleared = await app.http.patch('/api/user/me').set(bearer(s.accessToken)).send({ username: null });
    assert.equal(cleared.status, 200);
    assert.equal(cleared.body.user.username, null);
    assert.equal((await app.http.get('/api/user/me').set(bearer(s.accessToken))).body.user.username, null);
  });

  it('when the name is missing, empty, too long or not a string, then 400 VALIDATION_ERROR and nothing changes', async () => {
    const s = await registerAndLogin(app);
    await app.http.patch('/api/user/me').set(bearer(s.accessToken)).send({ username: 'Kept' }).expect(200);
    for (const body of [{}, { username: '   ' }, { username: 'x'.repeat(65) }, { username: 42 }, { username: ['a'] }]) {
      const res = await app.http.patch('/api/user/me').set(bearer(s.accessToken)).send(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.code, 'VALIDATION_ERROR');
    }
    assert.equal((await app.http.get('/api/user/me').set(bearer(s.accessToken))).body.user.username, 'Kept');
  });

  it('when there is no bearer token, then 401', async () => {
    await app.http.patch('/api/user/me').send({ username: 'Nobody' }).expect(401);
  });
});
