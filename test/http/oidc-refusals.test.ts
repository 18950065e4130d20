// Issue 24's negative cases of the authorization code flow, each on its own: PKCE missing, plain or wrong;
// an unregistered redirect URI (a page, never a redirect); a replayed code (the tokens issued from it die);
// an expired code (the FakeClock); prompt=none without a session; a public client asking client_credentials;
// the password grant for a third-party client; implicit response types. Plus the RFC 8252 loopback rule.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { basic, bearer, registerAndLogin, useTestApp } from '../helpers/app';
import {
  adminToken, approveAll, callbackParams, handleOf, issuerOf, nextStep, oidcEnv, openAuthorization, originOf, pkce, publicCodeClient, REDIRECT_URI, registerClient,
} from '../helpers/oidc';

describe('authorization code flow refusals', () => {
  const app = useTestApp({ env: oidcEnv });

  async function authorizeUrl(clientId: string, over: Record<string, string | null> = {}) {
    const { challenge } = await pkce();
    const params: Record<string, string | null> = {
      response_type: 'code', client_id: clientId, redirect_uri: REDIRECT_URI, scope: 'openid email', state: 'st-1', nonce: 'n-1',
      code_challenge: challenge, code_challenge_method: 'S256', ...over,
    };
    const q = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== null));
    return `${app.url}/oauth/authorize?${q.toString()}`;
  }

  async function exchange(clientId: string, code: string, verifier: string, redirectUri = REDIRECT_URI) {
    return app.http.post('/oauth/token').type('form').send({ grant_type: 'authorization_code', client_id: clientId, code, code_verifier: verifier, redirect_uri: redirectUri });
  }

  /** A code for `clientId`, approved by a fresh user, with its verifier. */
  async function codeFor(clientId: string) {
    const user = await registerAndLogin(app);
    const { verifier, challenge } = await pkce();
    const redirectTo = await approveAll(app, await authorizeUrl(clientId, { code_challenge: challenge }), user.accessToken);
    const params = callbackParams(redirectTo);
    assert.ok(params.get('code'), redirectTo);
    return { code: params.get('code')!, verifier, user };
  }

  async function expectRedirectError(url: string, error: string) {
    const res = await openAuthorization(url);
    assert.equal(res.status, 303);
    const params = callbackParams(res.headers.get('location')!);
    assert.equal(params.get('error'), error, res.headers.get('location')!);
    assert.equal(params.get('state'), 'st-1');
    assert.equal(params.get('iss'), issuerOf(app).origin);
    return params;
  }

  it('when code_challenge is missing, then the client gets invalid_request at its redirect URI', async () => {
    const rp = await registerClient(app, publicCodeClient());
    const params = await expectRedirectError(await authorizeUrl(rp.id, { code_challenge: null, code_challenge_method: null }), 'invalid_request');
    assert.match(params.get('error_description')!, /PKCE/);
  });

  it('when code_challenge_method is plain (or absent), then it is invalid_request: S256 only', async () => {
    const rp = await registerClient(app, publicCodeClient());
    await expectRedirectError(await authorizeUrl(rp.id, { code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' }), 'invalid_request');
    await expectRedirectError(await authorizeUrl(rp.id, { code_challenge_method: null }), 'invalid_request');
  });

  it('when the code_verifier does not match the challenge, then the exchange is invalid_grant and the code is spent', async () => {
    const rp = await registerClient(app, publicCodeClient());
    const { code, verifier } = await codeFor(rp.id);
    const wrong = await exchange(rp.id, code, (await pkce()).verifier);
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.error, 'invalid_grant');
    assert.equal((await exchange(rp.id, code, verifier)).body.error, 'invalid_grant', 'a code presented wrongly once cannot be used');
    const missing = await app.http.post('/oauth/token').type('form').send({ grant_type: 'authorization_code', client_id: rp.id, code: 'x', redirect_uri: REDIRECT_URI });
    assert.equal(missing.body.error, 'invalid_request');
  });

  it('when the redirect URI is not registered (or the client unknown), then a page says so and nothing redirects', async () => {
    const rp = await registerClient(app, publicCodeClient());
    for (const url of [await authorizeUrl(rp.id, { redirect_uri: 'https://evil.example/cb' }), await authorizeUrl(rp.id, { redirect_uri: `${REDIRECT_URI}/extra` }), await authorizeUrl('no-such-client')]) {
      const res = await openAuthorization(url);
      assert.equal(res.status, 400, url);
      assert.equal(res.headers.get('location'), null);
      assert.match(res.headers.get('content-type')!, /^text\/html/);
      assert.match(res.headers.get('content-security-policy')!, /frame-ancestors 'none'/);
      assert.match(await res.text(), /cannot be used/);
    }
  });

  it('when a native app registered a loopback redirect, then any port of it is accepted (RFC 8252 §7.3), other hosts and paths are not', async () => {
    const rp = await registerClient(app, publicCodeClient('CLI app', { redirectUris: ['http://127.0.0.1:8080/cb'] }));
    const ok = await openAuthorization(await authorizeUrl(rp.id, { redirect_uri: 'http://127.0.0.1:53111/cb' }));
    handleOf(ok);
    assert.equal((await openAuthorization(await authorizeUrl(rp.id, { redirect_uri: 'http://localhost:53111/cb' }))).status, 400);
    assert.equal((await openAuthorization(await authorizeUrl(rp.id, { redirect_uri: 'http://127.0.0.1:53111/other' }))).status, 400);
  });

  it('when a code is replayed, then the replay is refused and the tokens issued from the code are revoked', async () => {
    const rp = await registerClient(app, publicCodeClient('Replay RP', { redirectUris: [REDIRECT_URI] }));
    const { code, verifier } = await codeFor(rp.id);
    const first = await exchange(rp.id, code, verifier);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal((await app.http.get('/oauth/userinfo').set(bearer(first.body.access_token))).status, 200);
    const replay = await exchange(rp.id, code, verifier);
    assert.equal(replay.status, 400);
    assert.equal(replay.body.error, 'invalid_grant');
    assert.equal((await app.http.get('/oauth/userinfo').set(bearer(first.body.access_token))).status, 401, 'the access token died');
    const refresh = await app.http.post('/oauth/token').type('form').send({ grant_type: 'refresh_token', client_id: rp.id, refresh_token: first.body.refresh_token ?? 'none' });
    assert.equal(refresh.body.error, 'invalid_grant');
    const db = new pg.Client({ connectionString: app.database.url });
    await db.connect();
    const audit = await db.query(`SELECT type FROM "AuditEvent" WHERE metadata->>'clientId' = $1 ORDER BY "createdAt"`, [rp.id]).finally(() => db.end());
    const types = audit.rows.map((r: { type: string }) => r.type);
    assert.ok(types.includes('oauth.code.replayed'), types.join());
    assert.ok(types.includes('oauth.consent.granted') && types.includes('oauth.code.issued'), types.join());
  });

  it('when a code is older than 60 seconds, then the exchange is invalid_grant', async () => {
    const rp = await registerClient(app, publicCodeClient());
    const { code, verifier } = await codeFor(rp.id);
    app.clock.advance(61_000);
    try {
      const res = await exchange(rp.id, code, verifier);
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'invalid_grant');
    } finally {
      app.clock.set(new Date());
    }
  });

  it('when prompt=none finds nobody signed in, then the client gets login_required; signed in without consent, consent_required', async () => {
    const rp = await registerClient(app, publicCodeClient());
    const handle = handleOf(await openAuthorization(await authorizeUrl(rp.id, { prompt: 'none' })));
    const pending = await app.http.get(`/api/oauth/authorization/${handle}/pending`);
    assert.deepEqual(pending.body, { loginHint: null, uiLocales: null, promptNone: true, clientName: 'RP app' });
    const res = await app.http.post(`/api/oauth/authorization/${handle}/login-required`).set('Origin', originOf(app));
    assert.equal(res.status, 200);
    const params = callbackParams(res.body.redirectTo);
    assert.deepEqual([params.get('error'), params.get('state'), params.get('iss')], ['login_required', 'st-1', issuerOf(app).origin]);

    const user = await registerAndLogin(app);
    const h2 = handleOf(await openAuthorization(await authorizeUrl(rp.id, { prompt: 'none' })));
    const step = await nextStep(app, h2, user.accessToken);
    assert.equal(step.step, 'redirect');
    if (step.step === 'redirect') assert.equal(callbackParams(step.redirectTo).get('error'), 'consent_required');

    // Without prompt=none, login_required is not the page's to send.
    const h3 = handleOf(await openAuthorization(await authorizeUrl(rp.id)));
    assert.equal((await app.http.post(`/api/oauth/authorization/${h3}/login-required`).set('Origin', originOf(app))).status, 400);
  });

  it('when prompt=login or max_age=0 meets an earlier sign-in, then the web app must sign in again first', async () => {
    const rp = await registerClient(app, publicCodeClient());
    const user = await registerAndLogin(app);
    for (const over of [{ prompt: 'login' }, { max_age: '0' }] as Record<string, string>[]) {
      const handle = handleOf(await openAuthorization(await authorizeUrl(rp.id, { ...over, login_hint: user.email })));
      await new Promise((r) => setTimeout(r, 5));
      const step = await nextStep(app, handle, user.accessToken);
      assert.equal(step.step, 'login', JSON.stringify(over));
      const decision = await app.http.post(`/api/oauth/authorization/${handle}/decision`).set(bearer(user.accessToken)).set('Origin', originOf(app)).send({ approve: true });
      assert.equal(decision.status, 403);
      assert.equal(decision.body.error.code, 'REAUTH_REQUIRED');
    }
    const handle = handleOf(await openAuthorization(await authorizeUrl(rp.id, { prompt: 'login' })));
    const fresh = await app.http.post('/api/auth/login').send({ email: user.email, password: user.password });
    assert.equal((await nextStep(app, handle, fresh.body.accessToken)).step, 'consent', 'a sign-in after the request satisfies prompt=login');
  });

  it('when response_type asks for implicit or hybrid tokens, then unsupported_response_type', async () => {
    const rp = await registerClient(app, publicCodeClient());
    await expectRedirectError(await authorizeUrl(rp.id, { response_type: 'token' }), 'unsupported_response_type');
    await expectRedirectError(await authorizeUrl(rp.id, { response_type: 'code id_token' }), 'unsupported_response_type');
  });

  it('when a public client asks for client_credentials, then unauthorized_client; it cannot even be registered for it', async () => {
    const rp = await registerClient(app, publicCodeClient());
    const res = await app.http.post('/oauth/token').type('form').send({ grant_type: 'client_credentials', client_id: rp.id });
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'unauthorized_client');
    const admin = await adminToken(app);
    const reg = await app.http.post('/api/admin/oauth-clients').set(bearer(admin)).send({ ...publicCodeClient(), grantTypes: ['authorization_code', 'client_credentials'] });
    assert.equal(reg.status, 400);
  });

  it('when a third-party client (consent required) wants the password grant, then it is refused at registration and at the token endpoint', async () => {
    const admin = await adminToken(app);
    const reg = await app.http.post('/api/admin/oauth-clients').set(bearer(admin)).send({ name: 'Third party', grantTypes: ['password'], requireConsent: true });
    assert.equal(reg.status, 400);
    assert.equal(reg.body.error.details[0].field, 'requireConsent');
    const first = await registerClient(app, { name: 'First party', grantTypes: ['password', 'authorization_code'], redirectUris: [REDIRECT_URI] });
    const shown = await app.http.get(`/api/admin/oauth-clients/${first.id}`).set(bearer(admin));
    assert.equal(shown.body.client.requireConsent, false, 'a password-grant client is first party by default');
    const user = await registerAndLogin(app);
    const ok = await app.http.post('/oauth/token').set('Authorization', basic(first.id, first.secret!)).type('form').send({ grant_type: 'password', username: user.email, password: user.password });
    assert.equal(ok.status, 200);
  });
});
