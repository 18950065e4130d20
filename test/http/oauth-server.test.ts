// The OAuth 2 authorization server end to end: client registry through the admin API, client authentication
// (Basic and form), the password, refresh_token and client_credentials grants with scopes and per-client
// lifetimes, RFC 7009 revocation, RFC 7662 introspection, RFC 8414 metadata, and every error path.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { TEST_PASSWORD, basic, bearer, claimsOf, registerAndLogin, useTestApp } from '../helpers/app';

const ADMIN_EMAIL = 'oauth.admin@example.test';
const ADMIN_PASSWORD = 'admin-Cobalt-41-harbor';

type Res = { status: number; body: any; headers: Record<string, string | undefined>; text?: string };

function assertOAuthError(res: Res, status: number, error: string) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body.error, error, JSON.stringify(res.body));
  assert.equal(typeof res.body.error_description, 'string');
  assert.match(res.headers['cache-control'] ?? '', /no-store/);
}

describe('OAuth authorization server', () => {
  const app = useTestApp({ env: { ADMIN_EMAIL, ADMIN_PASSWORD, OAUTH_CLIENTS: 'legacy-app' } });
  let adminToken: string;
  let gateway: { clientId: string; secret: string };
  let mobile: { clientId: string; secret: string };
  let resourceServer: { clientId: string; secret: string };

  const post = (path: string, fields: Record<string, string>, auth?: string) => {
    const req = app.http.post(path).type('form');
    if (auth) req.set('Authorization', auth);
    return req.send(fields) as unknown as Promise<Res>;
  };
  const token = (fields: Record<string, string>, auth?: string) => post('/oauth/token', fields, auth);
  const introspect = (tok: string) => post('/oauth/introspect', { token: tok }, basic(resourceServer.clientId, resourceServer.secret));

  async function createClient(body: Record<string, unknown>): Promise<{ clientId: string; secret: string; body: any }> {
    const res = await app.http.post('/api/admin/oauth-clients').set(bearer(adminToken)).send(body);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return { clientId: res.body.client.clientId, secret: res.body.clientSecret, body: res.body };
  }

  async function passwordLogin(clientId: string, secret: string | null, extra: Record<string, string> = {}) {
    const u = await registerAndLogin(app);
    const fields: Record<string, string> = { grant_type: 'password', username: u.email, password: TEST_PASSWORD, ...extra };
    const res = secret === null ? await token({ ...fields, client_id: clientId }) : await token(fields, basic(clientId, secret));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return { user: u, tokens: res.body as { access_token: string; refresh_token: string; scope: string; expires_in: number } };
  }

  before(async () => {
    const login = await app.http.post('/api/auth/login').send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    adminToken = login.body.accessToken;
    gateway = await createClient({ name: 'gateway', grantTypes: ['client_credentials'], allowedScopes: ['api:read', 'api:write'], defaultScopes: ['api:read'] });
    mobile = await createClient({
      name: 'mobile', grantTypes: ['password', 'refresh_token'], allowedScopes: ['read', 'write'], defaultScopes: ['read'],
      accessTokenTtl: 60, refreshTokenTtl: 3600,
    });
    // tokens:introspect: without it, other clients' and users' tokens are active:false (issue 22, item 7).
    resourceServer = await createClient({ name: 'resource server', grantTypes: ['client_credentials'], allowedScopes: ['tokens:introspect'] });
  });

  describe('client registry', () => {
    it('when the server starts on a fresh database, then the public client web and the OAUTH_CLIENTS ids exist with password and refresh_token', async () => {
      for (const id of ['web', 'legacy-app']) {
        const res = await app.http.get(`/api/admin/oauth-clients/${id}`).set(bearer(adminToken));
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.body.client.type, 'public');
        assert.equal(res.body.client.active, true);
        assert.deepEqual(res.body.client.grantTypes, ['password', 'refresh_token']);
      }
      const { tokens } = await passwordLogin('legacy-app', null);
      assert.equal(claimsOf(tokens.access_token).client_id, 'legacy-app');
    });

    it('when a client is created, then the secret is in that response only; list and show never carry a secret or hash', async () => {
      const created = await createClient({ name: 'Billing Service', grantTypes: ['client_credentials'], allowedScopes: ['billing'] });
      assert.match(created.clientId, /^billing-service-[a-z0-9]{8}$/);
      assert.match(created.secret, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(created.body.client.type, 'confidential');
      const shown = await app.http.get(`/api/admin/oauth-clients/${created.clientId}`).set(bearer(adminToken));
      const listed = await app.http.get('/api/admin/oauth-clients').set(bearer(adminToken));
      assert.equal(listed.status, 200);
      assert.ok(listed.body.clients.some((c: { clientId: string }) => c.clientId === created.clientId));
      for (const text of [shown.text, listed.text]) {
        assert.ok(!text.includes(created.secret));
        assert.doesNotMatch(text, /secretHash|secret_hash|clientSecret/);
      }
      // Only the hash is stored.
      const db = new pg.Client({ connectionString: app.database.url });
      await db.connect();
      const { rows } = await db.query('SELECT secret_hash FROM oauth_clients WHERE client_id = $1', [created.clientId]);
      await db.end();
      assert.match(rows[0].secret_hash, /^[0-9a-f]{64}$/);
      assert.ok(!rows[0].secret_hash.includes(created.secret));
    });

    it('when the admin API is misused, then 401/403 without admin, 400 VALIDATION_ERROR, 404 NOT_FOUND and 409 CLIENT_ID_TAKEN', async () => {
      const u = await registerAndLogin(app);
      assert.equal((await app.http.get('/api/admin/oauth-clients')).status, 401);
      const forbidden = await app.http.post('/api/admin/oauth-clients').set(bearer(u.accessToken)).send({ name: 'x', grantTypes: ['client_credentials'] });
      assert.equal(forbidden.status, 403);
      const bad = [
        { name: 'x', type: 'public', grantTypes: ['client_credentials'] },
        { name: 'x', grantTypes: ['implicit'] },
        { name: 'x', grantTypes: [] },
        { name: '', grantTypes: ['password'] },
        { name: 'x', grantTypes: ['client_credentials'], allowedScopes: ['a'], defaultScopes: ['b'] },
        { name: 'x', grantTypes: ['client_credentials'], allowedScopes: ['bad"scope'] },
        { name: 'x', grantTypes: ['client_credentials'], accessTokenTtl: 100_000 },
        { name: 'x', grantTypes: ['client_credentials'], redirectUris: ['http://example.com/cb'] },
        { name: 'x', clientId: '5f0c3d1e-0000-4000-8000-000000000000', grantTypes: ['client_credentials'] },
      ];
      for (const body of bad) {
        const res = await app.http.post('/api/admin/oauth-clients').set(bearer(adminToken)).send(body);
        assert.equal(res.status, 400, JSON.stringify({ body, res: res.body }));
        assert.equal(res.body.error.code, 'VALIDATION_ERROR');
      }
      const missing = await app.http.get('/api/admin/oauth-clients/no-such-client').set(bearer(adminToken));
      assert.equal(missing.status, 404);
      assert.equal(missing.body.error.code, 'NOT_FOUND');
      assert.equal((await app.http.post('/api/admin/oauth-clients/no-such-client/rotate-secret').set(bearer(adminToken))).status, 404);
      assert.equal((await app.http.post('/api/admin/oauth-clients/no-such-client/deactivate').set(bearer(adminToken))).status, 404);
      const dup = await app.http.post('/api/admin/oauth-clients').set(bearer(adminToken)).send({ name: 'dup', clientId: 'web', grantTypes: ['password'] });
      assert.equal(dup.status, 409);
      assert.equal(dup.body.error.code, 'CLIENT_ID_TAKEN');
      const noRotate = await app.http.post('/api/admin/oauth-clients/web/rotate-secret').set(bearer(adminToken));
      assert.equal(noRotate.status, 400);
      const typeChange = await app.http.patch(`/api/admin/oauth-clients/${gateway.clientId}`).set(bearer(adminToken)).send({ type: 'public' });
      assert.equal(typeChange.status, 400);
    });

    it('when a client is updated, then the token endpoint sees the change at once (cache invalidated)', async () => {
      const c = await createClient({ name: 'updatable', grantTypes: ['client_credentials'], allowedScopes: ['one'] });
      const before = await token({ grant_type: 'client_credentials', scope: 'two' }, basic(c.clientId, c.secret));
      assertOAuthError(before, 400, 'invalid_scope');
      const upd = await app.http.patch(`/api/admin/oauth-clients/${c.clientId}`).set(bearer(adminToken)).send({ allowedScopes: ['one', 'two'], name: 'renamed' });
      assert.equal(upd.status, 200, JSON.stringify(upd.body));
      assert.deepEqual(upd.body.client.allowedScopes, ['one', 'two']);
      assert.equal(upd.body.client.name, 'renamed');
      const afterUpdate = await token({ grant_type: 'client_credentials', scope: 'two' }, basic(c.clientId, c.secret));
      assert.equal(afterUpdate.status, 200, JSON.stringify(afterUpdate.body));
      assert.equal(afterUpdate.body.scope, 'two');
    });

    it('when a secret is rotated, then the old one works during the overlap and overlapSeconds 0 ends it at once', async () => {
      const c = await createClient({ name: 'rotating', grantTypes: ['client_credentials'] });
      const rotated = await app.http.post(`/api/admin/oauth-clients/${c.clientId}/rotate-secret`).set(bearer(adminToken)).send({});
      assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
      assert.match(rotated.headers['cache-control'] ?? '', /no-store/);
      const second = rotated.body.clientSecret as string;
      assert.notEqual(second, c.secret);
      assert.ok(Date.parse(rotated.body.client.previousSecretExpiresAt) > Date.now() + 23 * 3600_000);
      assert.equal((await token({ grant_type: 'client_credentials' }, basic(c.clientId, c.secret))).status, 200);
      assert.equal((await token({ grant_type: 'client_credentials' }, basic(c.clientId, second))).status, 200);

      const third = await app.http.post(`/api/admin/oauth-clients/${c.clientId}/rotate-secret`).set(bearer(adminToken)).send({ overlapSeconds: 0 });
      assert.equal(third.status, 200);
      assert.equal(third.body.client.previousSecretExpiresAt, null);
      assertOAuthError(await token({ grant_type: 'client_credentials' }, basic(c.clientId, c.secret)), 401, 'invalid_client');
      assertOAuthError(await token({ grant_type: 'client_credentials' }, basic(c.clientId, second)), 401, 'invalid_client');
      assert.equal((await token({ grant_type: 'client_credentials' }, basic(c.clientId, third.body.clientSecret))).status, 200);
    });

    it('when the overlap passes, then the previous secret stops working', async () => {
      const c = await createClient({ name: 'overlap', grantTypes: ['client_credentials'] });
      const rotated = await app.http.post(`/api/admin/oauth-clients/${c.clientId}/rotate-secret`).set(bearer(adminToken)).send({ overlapSeconds: 60 });
      assert.equal(rotated.status, 200);
      assert.equal((await token({ grant_type: 'client_credentials' }, basic(c.clientId, c.secret))).status, 200);
      app.clock.advance(61);
      try {
        assertOAuthError(await token({ grant_type: 'client_credentials' }, basic(c.clientId, c.secret)), 401, 'invalid_client');
        assert.equal((await token({ grant_type: 'client_credentials' }, basic(c.clientId, rotated.body.clientSecret))).status, 200);
      } finally {
        app.clock.advance(-61);
      }
    });
  });

  describe('token endpoint', () => {
    it('when a client_credentials client authenticates by Basic or by form, then an access token for the client with its default or requested scope, no refresh token', async () => {
      const viaBasic = await token({ grant_type: 'client_credentials' }, basic(gateway.clientId, gateway.secret));
      assert.equal(viaBasic.status, 200, JSON.stringify(viaBasic.body));
      assert.match(viaBasic.headers['cache-control'] ?? '', /no-store/);
      assert.equal(viaBasic.body.token_type, 'Bearer');
      assert.equal(viaBasic.body.expires_in, 900);
      assert.equal(viaBasic.body.scope, 'api:read');
      assert.equal(viaBasic.body.refresh_token, undefined);
      const claims = claimsOf(viaBasic.body.access_token);
      assert.equal(claims.sub, gateway.clientId);
      assert.equal(claims.client_id, gateway.clientId);
      assert.equal(claims.scope, 'api:read');

      const viaPost = await token({ grant_type: 'client_credentials', client_id: gateway.clientId, client_secret: gateway.secret, scope: 'api:write api:read' });
      assert.equal(viaPost.status, 200, JSON.stringify(viaPost.body));
      assert.equal(viaPost.body.scope, 'api:write api:read');
      assert.equal(claimsOf(viaPost.body.access_token).scope, 'api:write api:read');
    });

    it('when a client with scope revocations:read uses client_credentials, then its token carries that scope', async () => {
      const feed = await createClient({ name: 'verifier', grantTypes: ['client_credentials'], allowedScopes: ['revocations:read'], defaultScopes: ['revocations:read'] });
      const res = await token({ grant_type: 'client_credentials' }, basic(feed.clientId, feed.secret));
      assert.equal(res.status, 200);
      assert.equal(claimsOf(res.body.access_token).scope, 'revocations:read');
      const claims = await app.container.services.oauthTokens.authenticateClientToken(res.body.access_token, 'revocations:read');
      assert.equal(claims.client_id, feed.clientId);
      await assert.rejects(app.container.services.oauthTokens.authenticateClientToken(res.body.access_token, 'admin'), /Scope admin required/);

      // The revocation feed accepts it; a client token without the scope gets 403.
      const stream = async (t: string) => {
        const ac = new AbortController();
        const r = await fetch(`${app.url}/api/revocations/stream`, { headers: bearer(t), signal: ac.signal });
        const status = r.status;
        ac.abort();
        await r.body?.cancel().catch(() => undefined);
        return status;
      };
      assert.equal(await stream(res.body.access_token), 200);
      const other = await token({ grant_type: 'client_credentials' }, basic(gateway.clientId, gateway.secret));
      assert.equal(await stream(other.body.access_token), 403);
      // Deactivating the client ends its tokens' access to the feed.
      assert.equal((await app.http.post(`/api/admin/oauth-clients/${feed.clientId}/deactivate`).set(bearer(adminToken))).status, 200);
      assert.equal(await stream(res.body.access_token), 401);
    });

    it('when a client_credentials token is used as a user token, then /api/* refuses it', async () => {
      const res = await token({ grant_type: 'client_credentials' }, basic(gateway.clientId, gateway.secret));
      const me = await app.http.get('/api/user/me').set(bearer(res.body.access_token));
      assert.equal(me.status, 401);
      assert.equal(me.body.error.code, 'INVALID_TOKEN');
      const admin = await app.http.get('/api/admin/oauth-clients').set(bearer(res.body.access_token));
      assert.equal(admin.status, 401);
      const v = await app.http.get('/api/auth/validate').set(bearer(res.body.access_token));
      assert.equal(v.body.valid, false);
    });

    it('when client authentication fails, then 401 invalid_client, with WWW-Authenticate: Basic only when Basic was used', async () => {
      const cases: [string, Promise<Res>, boolean][] = [
        ['wrong secret (Basic)', token({ grant_type: 'client_credentials' }, basic(gateway.clientId, 'wrong-secret')), true],
        ['wrong secret (post)', token({ grant_type: 'client_credentials', client_id: gateway.clientId, client_secret: 'wrong-secret' }), false],
        ['unknown client (Basic)', token({ grant_type: 'client_credentials' }, basic('no-such-client', 'x')), true],
        ['unknown client (post)', token({ grant_type: 'password', client_id: 'no-such-client', username: 'a@b.test', password: 'x' }), false],
        ['confidential client without secret', token({ grant_type: 'client_credentials', client_id: gateway.clientId }), false],
        ['public client with a secret', token({ grant_type: 'password', client_id: 'web', client_secret: 'anything', username: 'a@b.test', password: 'x' }), false],
        ['no client at all', token({ grant_type: 'client_credentials' }), false],
        ['malformed Basic header', token({ grant_type: 'client_credentials' }, 'Basic !!!not-base64'), true],
        ['Bearer instead of Basic', token({ grant_type: 'client_credentials' }, 'Bearer abc'), true],
      ];
      for (const [label, pending, challenge] of cases) {
        const res = await pending;
        assertOAuthError(res, 401, 'invalid_client');
        if (challenge) assert.match(res.headers['www-authenticate'] ?? '', /^Basic /, label);
        else assert.equal(res.headers['www-authenticate'], undefined, label);
      }
    });

    it('when a client is deactivated, then it cannot authenticate and its sessions and tokens end at once', async () => {
      const c = await createClient({ name: 'doomed', grantTypes: ['client_credentials', 'password', 'refresh_token'] });
      const cc = await token({ grant_type: 'client_credentials' }, basic(c.clientId, c.secret));
      const { tokens } = await passwordLogin(c.clientId, c.secret);
      assert.equal((await introspect(cc.body.access_token)).body.active, true);
      const off = await app.http.post(`/api/admin/oauth-clients/${c.clientId}/deactivate`).set(bearer(adminToken));
      assert.equal(off.status, 200, JSON.stringify(off.body));
      assert.equal(off.body.client.active, false);
      assert.equal(off.body.sessionsRevoked, 1);
      assertOAuthError(await token({ grant_type: 'client_credentials' }, basic(c.clientId, c.secret)), 401, 'invalid_client');
      assert.equal((await introspect(cc.body.access_token)).body.active, false);
      assert.equal((await introspect(tokens.access_token)).body.active, false);
      assert.equal((await introspect(tokens.refresh_token)).body.active, false);
      const me = await app.http.get('/api/user/me').set(bearer(tokens.access_token));
      assert.equal(me.body.error.code, 'SESSION_TERMINATED');
    });

    it('when a grant or scope is not allowed, then 400 unauthorized_client or invalid_scope', async () => {
      assertOAuthError(await token({ grant_type: 'password', username: 'a@b.test', password: 'x' }, basic(gateway.clientId, gateway.secret)), 400, 'unauthorized_client');
      assertOAuthError(await token({ grant_type: 'refresh_token', refresh_token: 'x'.repeat(43) }, basic(gateway.clientId, gateway.secret)), 400, 'unauthorized_client');
      assertOAuthError(await token({ grant_type: 'client_credentials' }, basic(mobile.clientId, mobile.secret)), 400, 'unauthorized_client');
      assertOAuthError(await token({ grant_type: 'client_credentials', client_id: 'web' }), 400, 'unauthorized_client');
      assertOAuthError(await token({ grant_type: 'client_credentials', scope: 'api:admin' }, basic(gateway.clientId, gateway.secret)), 400, 'invalid_scope');
      assertOAuthError(await token({ grant_type: 'client_credentials', scope: 'api:read "x' }, basic(gateway.clientId, gateway.secret)), 400, 'invalid_scope');
      assertOAuthError(await token({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer' }, basic(gateway.clientId, gateway.secret)), 400, 'unsupported_grant_type');
    });

    it('when a request is malformed, then 400 invalid_request', async () => {
      const auth = basic(gateway.clientId, gateway.secret);
      assertOAuthError(await token({}, auth), 400, 'invalid_request');
      assertOAuthError(await token({ grant_type: 'password', username: 'a@b.test' }, basic(mobile.clientId, mobile.secret)), 400, 'invalid_request');
      assertOAuthError(await token({ grant_type: 'refresh_token' }, basic(mobile.clientId, mobile.secret)), 400, 'invalid_request');
      assertOAuthError(await token({ grant_type: 'client_credentials', client_secret: gateway.secret }, auth), 400, 'invalid_request');
      assertOAuthError(await token({ grant_type: 'client_credentials', client_id: 'someone-else' }, auth), 400, 'invalid_request');
      const dup = (await app.http.post('/oauth/token').set('Authorization', auth).type('form').send('grant_type=client_credentials&grant_type=password')) as unknown as Res;
      assertOAuthError(dup, 400, 'invalid_request');
      const json = (await app.http.post('/oauth/token').set('Authorization', auth).send({ grant_type: 'client_credentials' })) as unknown as Res;
      assertOAuthError(json, 400, 'invalid_request');
      const big = (await app.http.post('/oauth/token').type('form').send(`grant_type=client_credentials&scope=${'a'.repeat(9000)}`)) as unknown as Res;
      assert.ok(big.status === 413 || big.status === 400, String(big.status));
      assert.equal(big.body.error, 'invalid_request');
    });

    it('when a user signs in by the password grant, then the session is bound to the client with its scopes and lifetimes', async () => {
      const { tokens } = await passwordLogin(mobile.clientId, mobile.secret);
      assert.equal(tokens.scope, 'read');
      assert.equal(tokens.expires_in, 60);
      const claims = claimsOf(tokens.access_token);
      assert.equal(claims.client_id, mobile.clientId);
      assert.equal(claims.scope, 'read');
      assert.equal(claims.exp - claims.iat, 60);
      const rt = await introspect(tokens.refresh_token);
      assert.equal(rt.body.active, true);
      assert.equal(rt.body.token_type, 'refresh_token');
      assert.equal(rt.body.client_id, mobile.clientId);
      // refreshTokenTtl 3600: the session ends within the hour.
      assert.ok(rt.body.exp <= Math.floor(Date.now() / 1000) + 3601 && rt.body.exp > Math.floor(Date.now() / 1000) + 3500, String(rt.body.exp));
    });

    it('when a refresh asks for scopes, then it keeps or narrows them; a wider scope is invalid_scope and the token still works', async () => {
      const { tokens } = await passwordLogin(mobile.clientId, mobile.secret, { scope: 'read write' });
      assert.equal(tokens.scope, 'read write');
      const auth = basic(mobile.clientId, mobile.secret);
      const kept = await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, auth);
      assert.equal(kept.status, 200, JSON.stringify(kept.body));
      assert.equal(kept.body.scope, 'read write');
      const narrowed = await token({ grant_type: 'refresh_token', refresh_token: kept.body.refresh_token, scope: 'write' }, auth);
      assert.equal(narrowed.status, 200, JSON.stringify(narrowed.body));
      assert.equal(narrowed.body.scope, 'write');
      assert.equal(claimsOf(narrowed.body.access_token).scope, 'write');
      assert.equal(narrowed.body.expires_in, 60);
      // The refresh token keeps the original grant: the next refresh without scope gets both again.
      const wider = await token({ grant_type: 'refresh_token', refresh_token: narrowed.body.refresh_token, scope: 'read write admin' }, auth);
      assertOAuthError(wider, 400, 'invalid_scope');
      const again = await token({ grant_type: 'refresh_token', refresh_token: narrowed.body.refresh_token }, auth);
      assert.equal(again.status, 200, JSON.stringify(again.body));
      assert.equal(again.body.scope, 'read write');
    });

    it('when another client presents a refresh token, then invalid_grant and the token still works for its own client', async () => {
      const { tokens } = await passwordLogin('web', null);
      const stolen = await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, basic(mobile.clientId, mobile.secret));
      assertOAuthError(stolen, 400, 'invalid_grant');
      const viaApi = await app.http.post('/api/auth/refresh').send({ refreshToken: tokens.refresh_token });
      assert.equal(viaApi.status, 401);
      const own = await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: 'web' });
      assert.equal(own.status, 200, JSON.stringify(own.body));
    });

    it('when a 2FA user uses the password grant, then invalid_grant (the second factor needs /api/auth/login)', async () => {
      const u = await registerAndLogin(app);
      const db = new pg.Client({ connectionString: app.database.url });
      await db.connect();
      await db.query(`UPDATE "User" SET "twoFactorEnabled" = true, "totpSecretEncrypted" = 'x' WHERE "id" = $1`, [u.userId]);
      await db.end();
      const res = await token({ grant_type: 'password', username: u.email, password: TEST_PASSWORD, client_id: 'web' });
      assertOAuthError(res, 400, 'invalid_grant');
      assert.match(res.body.error_description, /two-factor/);
    });
  });

  describe('revocation (RFC 7009)', () => {
    it('when a refresh token is revoked, then its session ends and the session access tokens fail at once', async () => {
      const { tokens } = await passwordLogin(mobile.clientId, mobile.secret);
      assert.equal((await app.http.get('/api/user/me').set(bearer(tokens.access_token))).status, 200);
      const res = await post('/oauth/revoke', { token: tokens.refresh_token, token_type_hint: 'refresh_token' }, basic(mobile.clientId, mobile.secret));
      assert.equal(res.status, 200);
      assert.match(res.headers['cache-control'] ?? '', /no-store/);
      const me = await app.http.get('/api/user/me').set(bearer(tokens.access_token));
      assert.equal(me.body.error.code, 'SESSION_TERMINATED');
      assert.equal((await introspect(tokens.access_token)).body.active, false);
      assertOAuthError(await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, basic(mobile.clientId, mobile.secret)), 400, 'invalid_grant');
    });

    it('when a user access token is revoked, then its session ends', async () => {
      const { tokens } = await passwordLogin('web', null);
      assert.equal((await post('/oauth/revoke', { token: tokens.access_token, client_id: 'web' })).status, 200);
      assert.equal((await app.http.get('/api/user/me').set(bearer(tokens.access_token))).body.error.code, 'SESSION_TERMINATED');
      assertOAuthError(await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: 'web' }), 400, 'invalid_grant');
    });

    it('when a client_credentials token is revoked, then introspection reports it inactive and other tokens of the client stay valid', async () => {
      const auth = basic(gateway.clientId, gateway.secret);
      const one = await token({ grant_type: 'client_credentials' }, auth);
      const two = await token({ grant_type: 'client_credentials' }, auth);
      assert.equal((await post('/oauth/revoke', { token: one.body.access_token }, auth)).status, 200);
      assert.equal((await introspect(one.body.access_token)).body.active, false);
      assert.equal((await introspect(two.body.access_token)).body.active, true);
      await assert.rejects(app.container.services.oauthTokens.authenticateClientToken(one.body.access_token));
    });

    it('when the token is unknown, malformed or already revoked, then 200; another client\'s token is refused; bad requests get RFC errors', async () => {
      const auth = basic(gateway.clientId, gateway.secret);
      for (const t of ['never-issued-token', 'a.b.c', 'x'.repeat(43)]) assert.equal((await post('/oauth/revoke', { token: t }, auth)).status, 200);
      const { tokens } = await passwordLogin('web', null);
      assertOAuthError(await post('/oauth/revoke', { token: tokens.refresh_token }, auth), 400, 'unauthorized_client');
      assertOAuthError(await post('/oauth/revoke', { token: tokens.access_token }, auth), 400, 'unauthorized_client');
      assert.equal((await app.http.get('/api/user/me').set(bearer(tokens.access_token))).status, 200);
      assertOAuthError(await post('/oauth/revoke', {}, auth), 400, 'invalid_request');
      // An unknown hint is ignored (RFC 7009 §2.1; issue 22): 200 as for any unknown token.
      assert.equal((await post('/oauth/revoke', { token: 'x', token_type_hint: 'id_token' }, auth)).status, 200);
      assertOAuthError(await post('/oauth/revoke', { token: 'x' }, basic(gateway.clientId, 'wrong')), 401, 'invalid_client');
    });
  });

  describe('introspection (RFC 7662)', () => {
    it('when a token is active, then scope, client_id, sub, exp, iat, iss and token_type', async () => {
      const { user, tokens } = await passwordLogin(mobile.clientId, mobile.secret);
      const res = await introspect(tokens.access_token);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.match(res.headers['cache-control'] ?? '', /no-store/);
      const claims = claimsOf(tokens.access_token);
      assert.deepEqual(
        { active: res.body.active, scope: res.body.scope, client_id: res.body.client_id, sub: res.body.sub, exp: res.body.exp, iat: res.body.iat, iss: res.body.iss, token_type: res.body.token_type },
        { active: true, scope: 'read', client_id: mobile.clientId, sub: user.userId, exp: claims.exp, iat: claims.iat, iss: 'http://auth.test', token_type: 'Bearer' },
      );
      const cc = await token({ grant_type: 'client_credentials' }, basic(gateway.clientId, gateway.secret));
      const ccRes = await introspect(cc.body.access_token);
      assert.equal(ccRes.body.active, true);
      assert.equal(ccRes.body.sub, gateway.clientId);
      assert.equal(ccRes.body.client_id, gateway.clientId);
      assert.equal(ccRes.body.scope, 'api:read');
    });

    it('when a token is forged, unknown, for a revoked session or expired, then active: false', async () => {
      const { tokens } = await passwordLogin(mobile.clientId, mobile.secret);
      const [h, p, s] = tokens.access_token.split('.');
      const payload = claimsOf(tokens.access_token);
      const forgedPayload = Buffer.from(JSON.stringify({ ...payload, scope: 'read write admin' })).toString('base64url');
      for (const t of [`${h}.${forgedPayload}.${s}`, `${h}.${p}.${s.slice(0, -4)}AAAA`, 'not-a-token', 'a.b.c']) {
        const res = await introspect(t);
        assert.equal(res.status, 200);
        assert.deepEqual(res.body, { active: false });
      }
      await app.http.post('/api/auth/logout').set(bearer(tokens.access_token));
      assert.deepEqual((await introspect(tokens.access_token)).body, { active: false });
      assert.deepEqual((await introspect(tokens.refresh_token)).body, { active: false });

      const shortLived = await createClient({ name: 'short', grantTypes: ['client_credentials'], accessTokenTtl: 1 });
      const cc = await token({ grant_type: 'client_credentials' }, basic(shortLived.clientId, shortLived.secret));
      assert.equal(cc.body.expires_in, 1);
      const deadline = Date.now() + 5000;
      let active = true;
      while (active && Date.now() < deadline) {
        active = (await introspect(cc.body.access_token)).body.active;
        if (active) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(active, false, 'the expired token is reported inactive');
    });

    it('when the caller is not an authenticated confidential client, then 401 invalid_client; without token, then invalid_request', async () => {
      const { tokens } = await passwordLogin('web', null);
      assertOAuthError(await post('/oauth/introspect', { token: tokens.access_token, client_id: 'web' }), 401, 'invalid_client');
      assertOAuthError(await post('/oauth/introspect', { token: tokens.access_token }), 401, 'invalid_client');
      const wrong = await post('/oauth/introspect', { token: tokens.access_token }, basic(resourceServer.clientId, 'nope'));
      assertOAuthError(wrong, 401, 'invalid_client');
      assert.match(wrong.headers['www-authenticate'] ?? '', /^Basic /);
      assertOAuthError(await post('/oauth/introspect', {}, basic(resourceServer.clientId, resourceServer.secret)), 400, 'invalid_request');
    });
  });

  describe('discovery and shape', () => {
    it('when the metadata is fetched, then RFC 8414 endpoints, grants, auth methods and scopes', async () => {
      const res = await app.http.get('/.well-known/oauth-authorization-server');
      assert.equal(res.status, 200);
      assert.equal(res.body.issuer, 'http://auth.test');
      assert.equal(res.body.token_endpoint, 'http://auth.test/oauth/token');
      assert.equal(res.body.revocation_endpoint, 'http://auth.test/oauth/revoke');
      assert.equal(res.body.introspection_endpoint, 'http://auth.test/oauth/introspect');
      assert.equal(res.body.jwks_uri, 'http://auth.test/.well-known/jwks.json');
      assert.deepEqual(res.body.grant_types_supported, ['authorization_code', 'password', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code']);
      assert.equal(res.body.authorization_endpoint, 'http://auth.test/oauth/authorize');
      assert.deepEqual(res.body.code_challenge_methods_supported, ['S256']);
      assert.deepEqual(res.body.token_endpoint_auth_methods_supported, ['client_secret_basic', 'client_secret_post', 'none']);
      for (const s of ['api:read', 'api:write', 'read', 'write']) assert.ok(res.body.scopes_supported.includes(s), s);
    });

    it('when an unknown /oauth path is called, then 404 in the OAuth error shape with no-store', async () => {
      const res = (await app.http.get('/oauth/device')) as unknown as Res;
      assertOAuthError(res, 404, 'invalid_request');
    });
  });
});
