// Issue 24: the authorization code flow with PKCE and OpenID Connect, driven by a stock relying party
// (openid-client 6, panva) against the running server: discovery, the authorization URL, the web app's
// consent (over HTTP here; in Chromium in test/browser/oidc-sign-in.test.ts), the code exchange with its
// id_token checked by openid-client and by jose against the JWKS, userinfo, refresh, and the end of the
// browser session ending the client's tokens.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { bearer, claimsOf, registerAndLogin, useTestApp } from '../helpers/app';
import { approveAll, decide, handleOf, issuerOf, nextStep, oidcEnv, openAuthorization, pkce, POST_LOGOUT_URI, publicCodeClient, REDIRECT_URI, registerClient } from '../helpers/oidc';

describe('OpenID Connect authorization code flow with openid-client', () => {
  const app = useTestApp({ env: oidcEnv });
  let rp: { id: string };
  let config: client.Configuration;

  before(async () => {
    rp = await registerClient(app, publicCodeClient('Photo Printer'));
    config = await client.discovery(issuerOf(app), rp.id, undefined, client.None(), { execute: [client.allowInsecureRequests] });
  });

  async function signInThroughRp(scope = 'openid email profile offline_access') {
    const { verifier, challenge } = await pkce();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope, code_challenge: challenge, code_challenge_method: 'S256', state, nonce });
    return { url, verifier, state, nonce, finish: (redirectTo: string) => client.authorizationCodeGrant(config, new URL(redirectTo), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: scope.includes('openid') }) };
  }

  it('when openid-client discovers the provider, then the OpenID configuration and the RFC 8414 document agree and advertise the code flow with S256 only', async () => {
    const meta = config.serverMetadata();
    const rfc8414 = (await app.http.get('/.well-known/oauth-authorization-server')).body;
    for (const key of Object.keys(rfc8414)) assert.deepEqual((meta as Record<string, unknown>)[key], rfc8414[key], key);
    assert.equal(meta.authorization_endpoint, `${issuerOf(app).origin}/oauth/authorize`);
    assert.equal(meta.userinfo_endpoint, `${issuerOf(app).origin}/oauth/userinfo`);
    assert.deepEqual(meta.response_types_supported, ['code']);
    assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(meta.id_token_signing_alg_values_supported, ['RS256']);
    assert.equal(meta.authorization_response_iss_parameter_supported, true);
    for (const s of ['openid', 'profile', 'email', 'offline_access']) assert.ok(meta.scopes_supported?.includes(s), s);
  });

  it('when a user approves the consent screen, then the RP gets a verified id_token, userinfo and a rotating refresh token, and the tokens end with the browser session', async () => {
    const user = await registerAndLogin(app);
    const flow = await signInThroughRp();
    const handle = handleOf(await openAuthorization(flow.url));
    const step = await nextStep(app, handle, user.accessToken);
    assert.equal(step.step, 'consent');
    if (step.step !== 'consent') return;
    assert.equal(step.client.name, 'Photo Printer');
    assert.equal(step.client.clientUri, 'https://rp.example/');
    assert.deepEqual(step.scopes, ['openid', 'email', 'profile', 'offline_access']);
    const redirectTo = await decide(app, handle, user.accessToken, true);
    const back = new URL(redirectTo);
    assert.equal(`${back.origin}${back.pathname}`, REDIRECT_URI);
    assert.equal(back.searchParams.get('state'), flow.state);
    assert.equal(back.searchParams.get('iss'), issuerOf(app).origin, 'RFC 9207 iss in the response');

    // openid-client checks iss, state, the id_token's signature (JWKS), iss, aud, exp, iat, nonce.
    const tokens = await flow.finish(redirectTo);
    assert.ok(tokens.id_token && tokens.refresh_token);
    const idClaims = tokens.claims()!;
    assert.equal(idClaims.sub, user.userId);
    assert.equal(idClaims.aud, rp.id);
    assert.equal(idClaims.nonce, flow.nonce);
    assert.equal(idClaims.sid, user.sessionId, 'sid names the browser session (the sign-in)');
    assert.deepEqual([idClaims.acr, idClaims.amr], ['aal1', ['pwd']]);
    assert.equal(typeof idClaims.auth_time, 'number');
    assert.equal(idClaims.email, user.email);
    // jose, independently: the published JWKS verifies the id_token; at_hash is the access token's.
    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
    const { payload, protectedHeader } = await jwtVerify(tokens.id_token, jwks, { issuer: issuerOf(app).origin, audience: rp.id, algorithms: ['RS256'] });
    assert.equal(protectedHeader.kid, claimsOf(tokens.access_token).kid ?? protectedHeader.kid);
    const { createHash } = await import('node:crypto');
    assert.equal(payload.at_hash, createHash('sha256').update(tokens.access_token).digest().subarray(0, 16).toString('base64url'));

    const info = await client.fetchUserInfo(config, tokens.access_token, user.userId);
    assert.deepEqual([info.sub, info.email, info.email_verified], [user.userId, user.email, false]);

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
    assert.ok(refreshed.refresh_token && refreshed.refresh_token !== tokens.refresh_token, 'rotated');
    assert.equal((await client.fetchUserInfo(config, refreshed.access_token, user.userId)).sub, user.userId, 'the refreshed token keeps openid');
    // Reuse detection applies as to every session: the old refresh token after the grace window ends it.
    // (Within REFRESH_REUSE_GRACE_SECONDS it would get the same successor; refresh-grace.test.ts covers that.)

    // The remembered grant: the same scopes again skip the consent screen.
    const again = await signInThroughRp();
    const second = await again.finish(await approveAll(app, again.url, user.accessToken));
    assert.ok(second.access_token);

    // Signing out of the browser session ends every token the client got through it.
    assert.equal((await app.http.post('/api/auth/logout').set(bearer(user.accessToken))).status, 204);
    const after = await app.http.get('/oauth/userinfo').set(bearer(refreshed.access_token));
    assert.equal(after.status, 401);
    assert.match(after.headers['www-authenticate'], /error="invalid_token"/);
    await assert.rejects(client.refreshTokenGrant(config, refreshed.refresh_token), (e: { error?: string }) => e.error === 'invalid_grant');
    assert.equal((await app.http.get('/oauth/userinfo').set(bearer(second.access_token))).status, 401);
  });

  it("when the code flow's refresh token is refreshed twice at once, then both get one successor; replayed past the grace window, it is reuse that ends the client's session and not the browser's", async () => {
    const user = await registerAndLogin(app);
    const flow = await signInThroughRp();
    const tokens = await flow.finish(await approveAll(app, flow.url, user.accessToken));
    assert.ok(tokens.refresh_token, 'offline_access gives a refresh token');
    const refresh = (refreshToken: string) => app.http.post('/oauth/token').type('form').send({ grant_type: 'refresh_token', client_id: rp.id, refresh_token: refreshToken });

    // A client retrying (or two of its workers racing) inside REFRESH_REUSE_GRACE_SECONDS (10 s) gets the same successor.
    const [a, b] = await Promise.all([refresh(tokens.refresh_token), refresh(tokens.refresh_token)]);
    assert.deepEqual([a.status, b.status], [200, 200], JSON.stringify([a.body, b.body]));
    assert.notEqual(a.body.refresh_token, tokens.refresh_token);
    assert.equal(a.body.refresh_token, b.body.refresh_token);
    assert.equal(a.body.scope, 'openid email profile offline_access');
    assert.equal((await app.http.get('/oauth/userinfo').set(bearer(b.body.access_token))).status, 200);

    app.clock.advance(11);
    const replay = await refresh(tokens.refresh_token);
    assert.equal(replay.status, 400);
    assert.equal(replay.body.error, 'invalid_grant');
    const ended = await app.http.get('/oauth/userinfo').set(bearer(a.body.access_token));
    assert.equal(ended.status, 401, "the reuse ended the client's session");
    assert.equal((await refresh(a.body.refresh_token)).body.error, 'invalid_grant', 'the successor is dead too');
    assert.equal((await app.http.get('/api/user/me').set(bearer(user.accessToken))).status, 200, 'the browser session that approved the code lives on');
  });

  it('when the RP sends the browser to end_session_endpoint with its id_token, then that sign-in ends with the tokens issued from it and the browser returns with state', async () => {
    assert.equal(config.serverMetadata().end_session_endpoint, `${issuerOf(app).origin}/oauth/end-session`);
    const user = await registerAndLogin(app);
    const flow = await signInThroughRp();
    const tokens = await flow.finish(await approveAll(app, flow.url, user.accessToken));

    // Refused without a trace: an unregistered post-logout URI (a page, no redirect) and a forged hint.
    const wrongUri = await fetch(client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://evil.example/' }), { redirect: 'manual' });
    assert.equal(wrongUri.status, 400);
    assert.equal(wrongUri.headers.get('location'), null);
    const [h, p] = tokens.id_token!.split('.');
    const forged = await fetch(client.buildEndSessionUrl(config, { id_token_hint: `${h}.${p}.${'A'.repeat(342)}` }), { redirect: 'manual' });
    assert.equal(forged.status, 400);
    // A bare link signs nobody out.
    const bare = await fetch(client.buildEndSessionUrl(config, {}), { redirect: 'manual' });
    assert.equal(bare.status, 200);
    assert.match(await bare.text(), /Nothing to sign out/);
    assert.equal((await app.http.get('/oauth/userinfo').set(bearer(tokens.access_token))).status, 200, 'still signed in');

    const res = await fetch(client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: POST_LOGOUT_URI, state: 'bye-1' }), { redirect: 'manual' });
    assert.equal(res.status, 303);
    const back = new URL(res.headers.get('location')!);
    assert.equal(`${back.origin}${back.pathname}`, POST_LOGOUT_URI);
    assert.equal(back.searchParams.get('state'), 'bye-1');
    assert.equal((await app.http.get('/oauth/userinfo').set(bearer(tokens.access_token))).status, 401, "the client's token ended");
    assert.equal((await app.http.get('/api/user/me').set(bearer(user.accessToken))).status, 401, 'the browser session ended');
  });

  it('when the consent is denied, then the RP gets access_denied with its state and the issuer', async () => {
    const user = await registerAndLogin(app);
    const flow = await signInThroughRp();
    const handle = handleOf(await openAuthorization(flow.url));
    assert.equal((await nextStep(app, handle, user.accessToken)).step, 'consent');
    const back = new URL(await decide(app, handle, user.accessToken, false));
    assert.equal(back.searchParams.get('error'), 'access_denied');
    assert.equal(back.searchParams.get('state'), flow.state);
    assert.equal(back.searchParams.get('iss'), issuerOf(app).origin);
    await assert.rejects(flow.finish(back.href), (e: { error?: string }) => e.error === 'access_denied');
    // The request is spent: it cannot be approved afterwards.
    const late = await app.http.post(`/api/oauth/authorization/${handle}/decision`).set(bearer(user.accessToken)).set('Origin', new URL(app.url).origin).send({ approve: true });
    assert.equal(late.status, 404);
  });

  it('when the consent decision comes cross-site or without the web app token, then it is refused and the request stays unanswered', async () => {
    const user = await registerAndLogin(app);
    const flow = await signInThroughRp();
    const handle = handleOf(await openAuthorization(flow.url));
    const path = `/api/oauth/authorization/${handle}/decision`;
    const forged = await app.http.post(path).set(bearer(user.accessToken)).set('Origin', 'https://evil.example').send({ approve: true });
    assert.equal(forged.status, 403);
    assert.equal(forged.body.error.code, 'FORBIDDEN');
    const noOrigin = await app.http.post(path).set(bearer(user.accessToken)).send({ approve: true });
    assert.equal(noOrigin.status, 403, 'no Origin and no Sec-Fetch-Site: refused');
    const noToken = await app.http.post(path).set('Origin', new URL(app.url).origin).send({ approve: true });
    assert.equal(noToken.status, 401);
    // A cross-site HTML form posts a form body, which carries no bearer token either.
    const form = await app.http.post(path).set('Origin', 'https://evil.example').type('form').send({ approve: 'true' });
    assert.equal(form.status, 403);
    assert.equal((await nextStep(app, handle, user.accessToken)).step, 'consent', 'nothing was decided');
  });

  it('when a first-party client needs no consent, then the code comes back at once', async () => {
    const fp = await registerClient(app, publicCodeClient('First party', { requireConsent: false }));
    const fpConfig = await client.discovery(issuerOf(app), fp.id, undefined, client.None(), { execute: [client.allowInsecureRequests] });
    const user = await registerAndLogin(app);
    const { verifier, challenge } = await pkce();
    const url = client.buildAuthorizationUrl(fpConfig, { redirect_uri: REDIRECT_URI, scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256', state: 's1' });
    const step = await nextStep(app, handleOf(await openAuthorization(url)), user.accessToken);
    assert.equal(step.step, 'redirect');
    if (step.step !== 'redirect') return;
    const tokens = await client.authorizationCodeGrant(fpConfig, new URL(step.redirectTo), { pkceCodeVerifier: verifier, expectedState: 's1' });
    assert.ok(tokens.id_token);
    assert.equal(tokens.refresh_token, undefined, 'openid without offline_access: no refresh token');
  });
});
