// Issue 9, item 9: the default `iss`/`aud` used to be http://localhost:$PORT, so two instances on two ports
// (or a restart on another port) refused each other's tokens. They now come from PUBLIC_URL.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, claimsOf, registerAndLogin, useTestApps } from '../helpers/app';

describe('issuer independent of the port', () => {
  const apps = useTestApps();

  it('when two instances run with different PORT values and no JWT_ISSUER, then each accepts the other\'s tokens', async () => {
    const dataDir = apps.dataDir(); // one signing key, as two instances of one deployment have
    // Empty values count as unset: the fixture's fixed JWT_ISSUER/JWT_AUDIENCE are turned off here.
    const unsetIssuer = { JWT_ISSUER: '', JWT_AUDIENCE: '' };
    const a = await apps.start({ dataDir, env: { ...unsetIssuer, PORT: '4101' } });
    const b = await apps.start({ dataDir, env: { ...unsetIssuer, PORT: '4102' } });
    const onA = await registerAndLogin(a);
    const onB = await registerAndLogin(b);
    assert.deepEqual(claimsOf(onA.accessToken), { ...claimsOf(onA.accessToken), iss: 'http://localhost:3000', aud: 'http://localhost:3000' });

    const meOnB = await b.http.get('/api/user/me').set(bearer(onA.accessToken));
    assert.equal(meOnB.status, 200, JSON.stringify(meOnB.body));
    assert.equal(meOnB.body.user.email, onA.email);
    const meOnA = await a.http.get('/api/user/me').set(bearer(onB.accessToken));
    assert.equal(meOnA.status, 200, JSON.stringify(meOnA.body));
    const validate = await a.http.get('/api/auth/validate').set(bearer(onB.accessToken));
    assert.equal(validate.body.valid, true, JSON.stringify(validate.body));
  });

  it('when PUBLIC_URL is set, then it is the iss and aud of access tokens and the OAuth metadata issuer', async () => {
    const app = await apps.start({ env: { JWT_ISSUER: '', JWT_AUDIENCE: '', PUBLIC_URL: 'https://auth.example.com/' } });
    const s = await registerAndLogin(app);
    const c = claimsOf(s.accessToken);
    assert.equal(c.iss, 'https://auth.example.com');
    assert.equal(c.aud, 'https://auth.example.com');
    const meta = await app.http.get('/.well-known/oauth-authorization-server');
    assert.equal(meta.body.issuer, 'https://auth.example.com');
    assert.equal((await app.http.get('/api/user/me').set(bearer(s.accessToken))).status, 200);
  });
});
