// Issue 25: Dynamic Client Registration (RFC 7591) and its management (RFC 7592) over HTTP. Off by default
// (404, not advertised); open; behind an initial access token (refused without it or with a wrong one, per-IP
// limited, audited); metadata refusals in RFC 7591's words; a registered public client completes the
// authorization code flow with PKCE as openid-client's own dynamicClientRegistration() registers it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import pg from 'pg';
import type { TestApp } from '../helpers/app';
import { bearer, registerAndLogin, useTestApp } from '../helpers/app';
import { adminToken, approveAll, issuerOf, oidcEnv, openAuthorization, pkce, REDIRECT_URI } from '../helpers/oidc';

/** Rows of one query on the app's database. */
async function query(app: TestApp, sql: string, params: unknown[] = []): Promise<Record<string, string>[]> {
  const db = new pg.Client({ connectionString: app.database.url });
  await db.connect();
  try {
    return (await db.query(sql, params)).rows;
  } finally {
    await db.end();
  }
}

const INITIAL_TOKEN = 'initial-access-token-for-tests-0123456789';

describe('dynamic client registration off (the default)', () => {
  const app = useTestApp({ env: oidcEnv });

  it('when registration is off, then POST /oauth/register is 404 and the metadata lists no registration_endpoint', async () => {
    const res = await app.http.post('/oauth/register').send({ redirect_uris: [REDIRECT_URI] });
    assert.equal(res.status, 404);
    assert.equal(res.body.error, 'invalid_request');
    assert.equal((await app.http.get('/oauth/register/anything').set(bearer('x'))).status, 404);
    const meta = await app.http.get('/.well-known/oauth-authorization-server');
    assert.equal(meta.body.registration_endpoint, undefined);
  });
});

describe('open dynamic client registration', () => {
  const app = useTestApp({ env: { ...oidcEnv, OAUTH_REGISTRATION: 'open', OAUTH_REGISTRATION_SCOPES: 'mcp:tools,mcp:read', RATE_LIMIT_CLIENT_REGISTRATION_PER_HOUR: '1000' } });

  it('when registration is open, then the metadata advertises registration_endpoint in both documents', async () => {
    const base = issuerOf(app).origin;
    assert.equal((await app.http.get('/.well-known/oauth-authorization-server')).body.registration_endpoint, `${base}/oauth/register`);
    assert.equal((await app.http.get('/.well-known/openid-configuration')).body.registration_endpoint, `${base}/oauth/register`);
  });

  it('when the metadata is not acceptable, then the answer is invalid_redirect_uri or invalid_client_metadata', async () => {
    const refused = async (body: unknown, error: string) => {
      const res = await app.http.post('/oauth/register').send(body as object);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.error, error, JSON.stringify(res.body));
      assert.equal(res.headers['cache-control'], 'no-store');
    };
    await refused({ redirect_uris: ['https://app.example/cb#frag'] }, 'invalid_redirect_uri');
    await refused({ redirect_uris: ['http://app.example/cb'] }, 'invalid_redirect_uri');
    await refused({ redirect_uris: [] }, 'invalid_redirect_uri');
    await refused({ client_name: 'no redirects' }, 'invalid_redirect_uri');
    await refused({ redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: 'private_key_jwt' }, 'invalid_client_metadata');
    await refused({ redirect_uris: [REDIRECT_URI], grant_types: ['password'] }, 'invalid_client_metadata');
    await refused({ redirect_uris: [REDIRECT_URI], grant_types: ['client_credentials'] }, 'invalid_client_metadata');
    await refused({ redirect_uris: [REDIRECT_URI], response_types: ['token'] }, 'invalid_client_metadata');
    await refused({ redirect_uris: [REDIRECT_URI], client_uri: 'javascript:alert(1)' }, 'invalid_client_metadata');
    await refused([REDIRECT_URI], 'invalid_client_metadata');
  });

  it('when a confidential client registers, then it gets a secret, only the allowed scopes, and RFC 7592 read, update and delete work with its registration token only', async () => {
    const res = await app.http.post('/oauth/register').send({ client_name: 'Reports agent', redirect_uris: ['https://agent.example/cb'], scope: 'mcp:tools admin:everything', grant_types: ['authorization_code', 'refresh_token'] });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const reg = res.body;
    assert.equal(reg.token_endpoint_auth_method, 'client_secret_basic');
    assert.equal(typeof reg.client_secret, 'string');
    assert.equal(reg.client_secret_expires_at, 0);
    assert.equal(reg.scope, 'mcp:tools', 'a scope outside OAUTH_REGISTRATION_SCOPES is left out');
    assert.equal(reg.registration_client_uri, `${issuerOf(app).origin}/oauth/register/${encodeURIComponent(reg.client_id)}`);
    const path = `/oauth/register/${encodeURIComponent(reg.client_id)}`;

    // Wrong or missing token: 401 invalid_token with the Bearer challenge; so is an unknown client.
    for (const r of [await app.http.get(path), await app.http.get(path).set(bearer('wrong')), await app.http.get('/oauth/register/nobody').set(bearer(reg.registration_access_token))]) {
      assert.equal(r.status, 401);
      assert.equal(r.body.error, 'invalid_token');
      assert.match(r.headers['www-authenticate'], /^Bearer error="invalid_token"/);
    }
    const read = await app.http.get(path).set(bearer(reg.registration_access_token));
    assert.equal(read.status, 200, JSON.stringify(read.body));
    assert.equal(read.body.client_name, 'Reports agent');
    assert.equal(read.body.client_secret, undefined, 'the secret is shown once');

    const put = await app.http.put(path).set(bearer(reg.registration_access_token)).send({ client_id: reg.client_id, client_name: 'Reports agent 2', redirect_uris: ['https://agent.example/cb2'], scope: 'mcp:read' });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual([put.body.client_name, put.body.redirect_uris, put.body.scope, put.body.grant_types], ['Reports agent 2', ['https://agent.example/cb2'], 'mcp:read', ['authorization_code']]);
    const wrongPut = await app.http.put(path).set(bearer('wrong')).send({ redirect_uris: ['https://agent.example/cb3'] });
    assert.equal(wrongPut.status, 401);
    const switchType = await app.http.put(path).set(bearer(reg.registration_access_token)).send({ redirect_uris: ['https://agent.example/cb'], token_endpoint_auth_method: 'none' });
    assert.equal(switchType.body.error, 'invalid_client_metadata');

    // The admin listing shows it as dynamically registered.
    const admin = await app.http.get(`/api/admin/oauth-clients/${encodeURIComponent(reg.client_id)}`).set(bearer(await adminToken(app)));
    assert.equal(admin.status, 200);
    assert.deepEqual([admin.body.client.registration, admin.body.client.name, admin.body.client.requireConsent], ['dynamic', 'Reports agent 2', true]);

    assert.equal((await app.http.delete(path).set(bearer('wrong'))).status, 401);
    assert.equal((await app.http.delete(path).set(bearer(reg.registration_access_token))).status, 204);
    assert.equal((await app.http.get(path).set(bearer(reg.registration_access_token))).status, 401, 'the token ends with the client');
    const after = await app.http.get(`/api/admin/oauth-clients/${encodeURIComponent(reg.client_id)}`).set(bearer(await adminToken(app)));
    assert.equal(after.body.client.active, false);

    const audit = await query(app, `SELECT type FROM "AuditEvent" WHERE metadata->>'clientId' = $1 ORDER BY "createdAt"`, [reg.client_id]);
    assert.deepEqual(audit.map((r) => r.type), ['oauth_client.created', 'oauth_client.updated', 'oauth_client.deactivated']);
  });

  it('when openid-client registers a public client, then it completes the authorization code flow with PKCE and consent', async () => {
    const config = await client.dynamicClientRegistration(
      issuerOf(app),
      { client_name: 'MCP desktop client', redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], scope: 'mcp:tools' },
      client.None(),
      { execute: [client.allowInsecureRequests] },
    );
    const registered = config.clientMetadata();
    assert.equal(registered.token_endpoint_auth_method, 'none');
    assert.equal(registered.client_secret, undefined);

    const user = await registerAndLogin(app);
    const { verifier, challenge } = await pkce();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'mcp:tools', code_challenge: challenge, code_challenge_method: 'S256', state });
    const redirectTo = await approveAll(app, url, user.accessToken);
    const tokens = await client.authorizationCodeGrant(config, new URL(redirectTo), { pkceCodeVerifier: verifier, expectedState: state });
    assert.equal(tokens.scope, 'mcp:tools');
    assert.ok(tokens.refresh_token);
    const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1], 'base64url').toString());
    assert.deepEqual([claims.sub, claims.client_id], [user.userId, registered.client_id]);

    const wide = client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'mcp:read', code_challenge: challenge, code_challenge_method: 'S256', state });
    const refused = await openAuthorization(wide);
    assert.equal(refused.status, 303);
    assert.equal(new URL(refused.headers.get('location')!).searchParams.get('error'), 'invalid_scope', 'a scope the client was not given is refused');
  });
});

describe('dynamic client registration behind an initial access token', () => {
  const app = useTestApp({ env: { ...oidcEnv, OAUTH_REGISTRATION: 'token', OAUTH_REGISTRATION_TOKEN: INITIAL_TOKEN, RATE_LIMIT_CLIENT_REGISTRATION_PER_HOUR: '3' } });

  it('when the initial access token is missing or wrong, then 401 invalid_token (audited); with it, 201; past the per-IP limit, 429', async () => {
    const body = { redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: 'none' };
    const none = await app.http.post('/oauth/register').send(body);
    assert.equal(none.status, 401);
    assert.equal(none.body.error, 'invalid_token');
    const wrong = await app.http.post('/oauth/register').set(bearer(`${INITIAL_TOKEN}x`)).send(body);
    assert.equal(wrong.status, 401);
    const ok = await app.http.post('/oauth/register').set(bearer(INITIAL_TOKEN)).send(body);
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.equal(ok.body.client_secret, undefined, 'a public client has no secret');
    const limited = await app.http.post('/oauth/register').set(bearer(INITIAL_TOKEN)).send(body);
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error, 'rate_limited');
    assert.ok(Number(limited.headers['retry-after']) > 0);

    const audit = await query(app, `SELECT metadata->>'reason' AS reason FROM "AuditEvent" WHERE type = 'oauth_client.registration_refused' ORDER BY "createdAt"`);
    assert.deepEqual(audit.map((r) => r.reason), ['no_initial_access_token', 'wrong_initial_access_token']);
    const created = await query(app, `SELECT metadata->>'registration' AS registration FROM "AuditEvent" WHERE type = 'oauth_client.created' AND metadata->>'clientId' = $1`, [ok.body.client_id]);
    assert.deepEqual(created.map((r) => r.registration), ['dynamic']);
  });
});
