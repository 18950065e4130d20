// The OAuth client cache across instances: two apps on one database, each with its own 5-minute in-memory
// client cache, invalidated over Redis pub/sub (the 'oauth-client-changed' channel of the shared prefix).
// A secret rotated (no overlap) or a client deactivated on instance A must be refused by instance B at
// once, although B had the client cached a moment before. A third instance on another Redis prefix (so it
// hears nothing) is the control: it still accepts the old secret, which shows B's refusal comes from the
// broadcast and not from a cache that never cached.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { basic, bearer, useTestApps, type TestApp } from '../helpers/app';
import { waitFor } from '../helpers/wait';

const ADMIN_EMAIL = 'cache.admin@example.test';
const ADMIN_PASSWORD = 'admin-Copper-57-lantern';
/** Far below the 5-minute TTL; only a hang guard for pub/sub delivery on a busy machine. */
const AT_ONCE_MS = 3000;

describe('OAuth client cache invalidation across instances', () => {
  const apps = useTestApps();
  let a: TestApp;
  let b: TestApp;
  let deaf: TestApp;
  let adminToken: string;

  const clientCredentials = (app: TestApp, id: string, secret: string) =>
    app.http.post('/oauth/token').type('form').set('Authorization', basic(id, secret)).send({ grant_type: 'client_credentials' });

  async function createClient(name: string, allowedScopes: string[] = []): Promise<{ clientId: string; secret: string }> {
    const res = await a.http.post('/api/admin/oauth-clients').set(bearer(adminToken)).send({ name, grantTypes: ['client_credentials'], allowedScopes });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return { clientId: res.body.client.clientId, secret: res.body.clientSecret };
  }

  before(async () => {
    const dataDir = apps.dataDir();
    const redisPrefix = `test:occ:${Date.now().toString(36)}:`;
    const env = { ADMIN_EMAIL, ADMIN_PASSWORD };
    a = await apps.start({ env, dataDir, redis: true, redisPrefix });
    b = await apps.start({ env, dataDir, redis: true, redisPrefix });
    deaf = await apps.start({ env, dataDir, redis: true, redisPrefix: `${redisPrefix}deaf:` });
    const login = await a.http.post('/api/auth/login').send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    adminToken = login.body.accessToken;
  });

  it('when a secret is rotated without overlap on instance A, then instance B refuses the old secret at once', async () => {
    const c = await createClient('rotated-elsewhere');
    // B and the control cache the client (with the old secret's hash) by using it.
    assert.equal((await clientCredentials(b, c.clientId, c.secret)).status, 200);
    assert.equal((await clientCredentials(deaf, c.clientId, c.secret)).status, 200);

    const rotated = await a.http.post(`/api/admin/oauth-clients/${c.clientId}/rotate-secret`).set(bearer(adminToken)).send({ overlapSeconds: 0 });
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    const started = Date.now();
    await waitFor('instance B to refuse the old secret', async () => (await clientCredentials(b, c.clientId, c.secret)).status, (s) => s === 401, { timeoutMs: AT_ONCE_MS });
    assert.ok(Date.now() - started < AT_ONCE_MS);
    assert.equal((await clientCredentials(b, c.clientId, rotated.body.clientSecret)).status, 200, 'the new secret works on B');

    // Control: an instance that hears no broadcast still serves the cached client with the old secret.
    assert.equal((await clientCredentials(deaf, c.clientId, c.secret)).status, 200);
  });

  it('when a client is deactivated on instance A, then instance B refuses its secret and reports its tokens inactive at once', async () => {
    const c = await createClient('deactivated-elsewhere');
    const issued = await clientCredentials(b, c.clientId, c.secret);
    assert.equal(issued.status, 200, JSON.stringify(issued.body));
    // tokens:introspect: another client's tokens are active:false without it (issue 22).
    const resourceServer = await createClient('introspecting', ['tokens:introspect']);
    const introspect = async () =>
      (await b.http.post('/oauth/introspect').type('form').set('Authorization', basic(resourceServer.clientId, resourceServer.secret)).send({ token: issued.body.access_token })).body
        .active as boolean;
    assert.equal(await introspect(), true);
    assert.equal((await clientCredentials(deaf, c.clientId, c.secret)).status, 200, 'the control instance caches the client');

    const off = await a.http.post(`/api/admin/oauth-clients/${c.clientId}/deactivate`).set(bearer(adminToken)).send({});
    assert.equal(off.status, 200, JSON.stringify(off.body));
    await waitFor('instance B to refuse the deactivated client', async () => (await clientCredentials(b, c.clientId, c.secret)).status, (s) => s === 401, { timeoutMs: AT_ONCE_MS });
    assert.equal(await introspect(), false);
    assert.equal((await clientCredentials(deaf, c.clientId, c.secret)).status, 200, 'the control instance still has the active client cached');
  });
});
