// A revoked client_credentials token stays revoked across a restart: the revocation is written to
// revoked_client_tokens, and the next instance warms its in-memory view from that table (as it does from
// Session.revokedAt for users' tokens). One database and DATA_DIR (same signing key), no Redis: the
// restarted instance can only know from the database. Another token of the same client is the control:
// it stays active after the restart, so the refusal is the revocation and not a new key.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { basic, bearer, useTestApps, type TestApp } from '../helpers/app';

const ADMIN = { email: 'restart.admin@example.test', password: 'admin-Granite-73-willow' };

describe('client_credentials token revocation across a restart', () => {
  const apps = useTestApps();

  it('when a client_credentials token is revoked and the server restarts, then the new instance still reports it inactive', async () => {
    const dataDir = apps.dataDir();
    const env = { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password };
    const first = await apps.start({ env, dataDir });
    const admin = (await first.http.post('/api/auth/login').send(ADMIN)).body.accessToken as string;
    const created = await first.http.post('/api/admin/oauth-clients').set(bearer(admin)).send({ name: 'service', grantTypes: ['client_credentials'] });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const auth = basic(created.body.client.clientId, created.body.clientSecret);
    const issue = async (app: TestApp) => {
      const res = await app.http.post('/oauth/token').type('form').set('Authorization', auth).send({ grant_type: 'client_credentials' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.access_token as string;
    };
    const active = async (app: TestApp, token: string) => (await app.http.post('/oauth/introspect').type('form').set('Authorization', auth).send({ token })).body.active as boolean;

    const revoked = await issue(first);
    const kept = await issue(first);
    assert.equal((await first.http.post('/oauth/revoke').type('form').set('Authorization', auth).send({ token: revoked })).status, 200);
    assert.equal(await active(first, revoked), false);
    await first.close();

    const second = await apps.start({ env, dataDir });
    assert.equal(await active(second, revoked), false, 'the revocation survived the restart');
    assert.equal(await active(second, kept), true, 'control: an unrevoked token of the same client is still active');
    await assert.rejects(second.container.services.oauthTokens.authenticateClientToken(revoked), /terminated|revoked/i);
  });
});
