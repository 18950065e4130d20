// The issuer (`iss`/`aud` of access tokens, the OAuth metadata): PUBLIC_URL in production, the same on every
// instance, so instances on several ports accept each other's tokens (issue 9). Without PUBLIC_URL it is the
// URL of the port this instance listens on (issue 22, item 12: a fixed http://localhost:3000 failed stock
// clients' discovery on any other port, and pointed a client that skipped the issuer check at port 3000).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, claimsOf, registerAndLogin, useTestApps, type TestApp } from '../helpers/app';

// Empty values count as unset: the fixture's fixed JWT_ISSUER/JWT_AUDIENCE are turned off here.
const unsetIssuer = { JWT_ISSUER: '', JWT_AUDIENCE: '' };
const logged = (app: TestApp) => app.logs.map((l) => JSON.parse(l) as { level: string; message: string; issuer?: string; port?: number });
const issuerWarnings = (app: TestApp) => logged(app).filter((l) => l.level === 'warn' && /issuer/.test(l.message));

describe('the issuer', () => {
  const apps = useTestApps();

  it('when PUBLIC_URL is unset, then iss, aud and every metadata URL are http://localhost:<the port listened on>, logged at start', async () => {
    const app = await apps.start({ env: unsetIssuer }); // the fixture listens on a random port (0)
    const port = Number(new URL(app.url).port);
    const base = `http://localhost:${port}`;
    const s = await registerAndLogin(app);
    assert.deepEqual([claimsOf(s.accessToken).iss, claimsOf(s.accessToken).aud], [base, base]);
    assert.equal((await app.http.get('/api/user/me').set(bearer(s.accessToken))).status, 200);
    const meta = (await app.http.get('/.well-known/oauth-authorization-server')).body;
    assert.equal(meta.issuer, base);
    for (const k of ['token_endpoint', 'revocation_endpoint', 'introspection_endpoint', 'jwks_uri']) assert.ok(String(meta[k]).startsWith(`${base}/`), `${k}: ${meta[k]}`);
    const listening = logged(app).find((l) => l.message === 'listening');
    assert.deepEqual([listening?.port, listening?.issuer], [port, base]);
    assert.deepEqual(issuerWarnings(app), [], 'http on localhost in development is no warning');
  });

  it('when two instances on different ports share PUBLIC_URL, then each accepts the other\'s tokens', async () => {
    const dataDir = apps.dataDir(); // one signing key, as two instances of one deployment have
    const env = { ...unsetIssuer, PUBLIC_URL: 'https://auth.example.com' };
    const a = await apps.start({ dataDir, env: { ...env, PORT: '4101' } });
    const b = await apps.start({ dataDir, env: { ...env, PORT: '4102' } });
    const onA = await registerAndLogin(a);
    const onB = await registerAndLogin(b);
    assert.equal(claimsOf(onA.accessToken).iss, 'https://auth.example.com');
    const meOnB = await b.http.get('/api/user/me').set(bearer(onA.accessToken));
    assert.equal(meOnB.status, 200, JSON.stringify(meOnB.body));
    assert.equal(meOnB.body.user.email, onA.email);
    assert.equal((await a.http.get('/api/user/me').set(bearer(onB.accessToken))).status, 200);
    assert.equal((await a.http.get('/api/auth/validate').set(bearer(onB.accessToken))).body.valid, true);
  });

  it('when PUBLIC_URL is set, then it is the iss and aud of access tokens and the OAuth metadata issuer', async () => {
    const app = await apps.start({ env: { ...unsetIssuer, PUBLIC_URL: 'https://auth.example.com/' } });
    const s = await registerAndLogin(app);
    const c = claimsOf(s.accessToken);
    assert.equal(c.iss, 'https://auth.example.com');
    assert.equal(c.aud, 'https://auth.example.com');
    const meta = await app.http.get('/.well-known/oauth-authorization-server');
    assert.equal(meta.body.issuer, 'https://auth.example.com');
    assert.equal((await app.http.get('/api/user/me').set(bearer(s.accessToken))).status, 200);
    assert.deepEqual(issuerWarnings(app), []);
  });

  it('when the issuer is not https outside development, then the server warns at start', async () => {
    const plain = await apps.start({ env: { ...unsetIssuer, PUBLIC_URL: 'http://auth.example.com' } });
    assert.equal(issuerWarnings(plain).length, 1, 'a non-loopback http issuer');
    const production = await apps.start({ env: { ...unsetIssuer, NODE_ENV: 'production' } });
    assert.equal(issuerWarnings(production).length, 1, 'NODE_ENV=production without PUBLIC_URL');
  });
});
