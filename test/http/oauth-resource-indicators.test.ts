// Issue 25 (first slice): RFC 8707 resource indicators and RFC 9068 access tokens, driven by stock clients
// (openid-client 6 builds `resource` into the authorization URL and the token requests) against a server with
// two registered resources (OAUTH_RESOURCES). A token for a resource has that resource as `aud`, a resource the
// operator did not register is invalid_target, a refresh cannot move a grant to another resource, and tokens
// issued at /oauth/token are `typ: at+jwt` with `client_id` and `scope` while first-party tokens stay as they were.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { basic, bearer, claimsOf, registerAndLogin, TEST_PASSWORD, useTestApp } from '../helpers/app';
import pg from 'pg';
import { approveAll, callbackParams, decide, handleOf, issuerOf, nextStep, oidcEnv, openAuthorization, pkce, publicCodeClient, REDIRECT_URI, registerClient } from '../helpers/oidc';

const API = 'https://api.example.test/v1';
const REPORTS = 'https://reports.example.test/';
const UNREGISTERED = 'https://elsewhere.example.test/';

describe('resource indicators (RFC 8707) and RFC 9068 access tokens', () => {
  const app = useTestApp({ env: { ...oidcEnv, OAUTH_RESOURCES: `${API},${REPORTS}` } });
  let rp: { id: string };
  let config: client.Configuration;
  /** A resource server: client_credentials, and introspection of everyone's tokens. */
  let service: { id: string; secret: string };
  let serviceConfig: client.Configuration;

  before(async () => {
    rp = await registerClient(app, publicCodeClient('Resource RP'));
    config = await client.discovery(issuerOf(app), rp.id, undefined, client.None(), { execute: [client.allowInsecureRequests] });
    const registered = await registerClient(app, { name: 'resource service', grantTypes: ['client_credentials'], allowedScopes: ['api:read', 'tokens:introspect'], defaultScopes: ['api:read'] });
    service = { id: registered.id, secret: registered.secret! };
    serviceConfig = await client.discovery(issuerOf(app), service.id, service.secret, client.ClientSecretBasic(service.secret), { algorithm: 'oauth2', execute: [client.allowInsecureRequests] });
  });

  const jwks = () => createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));

  /** The code flow through openid-client with `resource` on the authorization request (and, if given, the exchange). */
  async function codeFlow(authorizeResource: string | null, exchangeResource: string | null = authorizeResource) {
    const user = await registerAndLogin(app);
    const { verifier, challenge } = await pkce();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI, scope: 'openid offline_access', code_challenge: challenge, code_challenge_method: 'S256', state, nonce: 'n-1',
      ...(authorizeResource ? { resource: authorizeResource } : {}),
    });
    const redirectTo = await approveAll(app, url, user.accessToken);
    const tokens = () =>
      client.authorizationCodeGrant(config, new URL(redirectTo), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: 'n-1', idTokenExpected: true }, exchangeResource ? { resource: exchangeResource } : undefined);
    return { user, redirectTo, tokens };
  }

  async function tokenError(promise: Promise<unknown>): Promise<string> {
    const err = await promise.then(
      () => assert.fail('expected the token endpoint to refuse'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof client.ResponseBodyError, String(err));
    return err.error;
  }

  it('when a client discovers the server, then both metadata documents list the registered resources and S256 as the only PKCE method', async () => {
    const meta = config.serverMetadata();
    assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(meta.protected_resources, [API, REPORTS]);
    const rfc8414 = (await app.http.get('/.well-known/oauth-authorization-server')).body;
    assert.deepEqual(rfc8414.protected_resources, [API, REPORTS]);
    assert.deepEqual(rfc8414.code_challenge_methods_supported, ['S256']);
  });

  it('when the code flow names a registered resource, then the access token is an at+jwt for that audience with client_id and scope, and refreshes keep it', async () => {
    const flow = await codeFlow(API);
    const tokens = await flow.tokens();
    const header = decodeProtectedHeader(tokens.access_token);
    assert.equal(header.typ, 'at+jwt');
    // jose checks the signature against the JWKS, the issuer, and that the audience is the resource.
    const { payload } = await jwtVerify(tokens.access_token, jwks(), { issuer: issuerOf(app).origin, audience: API, algorithms: ['RS256'], typ: 'at+jwt' });
    assert.deepEqual([payload.aud, payload.client_id, payload.scope, payload.sub], [API, rp.id, 'openid offline_access', flow.user.userId]);
    assert.equal(typeof payload.jti, 'string');
    assert.equal(typeof payload.iat, 'number');
    // The ID token is for the client, whatever resource the access token is for.
    assert.equal(tokens.claims()!.aud, rp.id);

    // A token for another service is not accepted by this server's own APIs (userinfo, /api/*).
    assert.equal((await app.http.get('/oauth/userinfo').set(bearer(tokens.access_token))).status, 401);
    assert.equal((await app.http.get('/api/user/me').set(bearer(tokens.access_token))).status, 401);
    assert.deepEqual((await app.http.get('/api/auth/validate').set(bearer(tokens.access_token))).body, { valid: false, reason: 'INVALID_TOKEN' });
    // Introspection (what the resource server asks) reports it active, with its audience.
    const info = await client.tokenIntrospection(serviceConfig, tokens.access_token);
    assert.deepEqual([info.active, info.aud, info.client_id], [true, API, rp.id]);

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    assert.equal(claimsOf(refreshed.access_token).aud, API, 'a refresh without resource keeps the granted one');
    assert.equal(decodeProtectedHeader(refreshed.access_token).typ, 'at+jwt');
    const named = await client.refreshTokenGrant(config, refreshed.refresh_token!, { resource: API });
    assert.equal(claimsOf(named.access_token).aud, API);

    // Another registered resource was not granted: invalid_target, and the refresh token did not rotate.
    assert.equal(await tokenError(client.refreshTokenGrant(config, named.refresh_token!, { resource: REPORTS })), 'invalid_target');
    assert.equal(await tokenError(client.refreshTokenGrant(config, named.refresh_token!, { resource: UNREGISTERED })), 'invalid_target');
    const still = await client.refreshTokenGrant(config, named.refresh_token!);
    assert.equal(claimsOf(still.access_token).aud, API);
  });

  it('when the authorization request names a resource, then the consent step shows it and the consent and code audit entries record it', async () => {
    const user = await registerAndLogin(app);
    const { challenge } = await pkce();
    const url = client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256', state: 'shown', resource: REPORTS });
    const handle = handleOf(await openAuthorization(url));
    const step = (await nextStep(app, handle, user.accessToken)) as { step: string; resource?: string | null };
    assert.equal(step.step, 'consent');
    assert.equal(step.resource, REPORTS);
    assert.ok(callbackParams(await decide(app, handle, user.accessToken, true)).get('code'));
    const db = new pg.Client({ connectionString: app.database.url });
    await db.connect();
    try {
      const rows = await db.query(`SELECT type, metadata->>'resource' AS resource FROM "AuditEvent" WHERE "userId" = $1 AND type IN ('oauth.consent.granted', 'oauth.code.issued') ORDER BY "createdAt", type`, [user.userId]);
      assert.deepEqual(rows.rows.map((r: { type: string; resource: string | null }) => [r.type, r.resource]).sort(), [['oauth.code.issued', REPORTS], ['oauth.consent.granted', REPORTS]]);
    } finally {
      await db.end();
    }
    // Without a resource the step says so (null): the token would be for this server.
    const plain = client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256', state: 'plain', prompt: 'consent' });
    const plainStep = (await nextStep(app, handleOf(await openAuthorization(plain)), user.accessToken)) as { step: string; resource?: string | null };
    assert.equal(plainStep.step, 'consent');
    assert.equal(plainStep.resource, null);
  });

  it('when the authorization request names no resource, then the token is for this server and a refresh cannot add one', async () => {
    const flow = await codeFlow(null);
    const tokens = await flow.tokens();
    assert.equal(claimsOf(tokens.access_token).aud, issuerOf(app).origin);
    assert.equal(decodeProtectedHeader(tokens.access_token).typ, 'at+jwt');
    assert.equal((await app.http.get('/oauth/userinfo').set(bearer(tokens.access_token))).status, 200, 'our own audience: userinfo works');
    assert.equal(await tokenError(client.refreshTokenGrant(config, tokens.refresh_token!, { resource: API })), 'invalid_target');

    // RFC 9068 §4's reason for the type: an access token (same key, same issuer) is never taken for an ID token.
    // (Without client_id, which would already differ from the token's aud.)
    const asHint = await fetch(`${app.url}/oauth/end-session?id_token_hint=${encodeURIComponent(tokens.access_token)}`, { redirect: 'manual' });
    assert.equal(asHint.status, 400);
    assert.equal((await app.http.get('/oauth/userinfo').set(bearer(tokens.access_token))).status, 200, 'nobody was signed out');
  });

  it('when the exchange names another resource than the authorization request, then it is invalid_target', async () => {
    const flow = await codeFlow(API, REPORTS);
    assert.equal(await tokenError(flow.tokens()), 'invalid_target');
  });

  it('when the authorization request names an unregistered resource, or several, then the client gets invalid_target at its redirect URI', async () => {
    for (const resources of [[UNREGISTERED], [API, REPORTS], ['not a uri']]) {
      const { challenge } = await pkce();
      const q = new URLSearchParams({ response_type: 'code', client_id: rp.id, redirect_uri: REDIRECT_URI, scope: 'openid', state: 'st-r', code_challenge: challenge, code_challenge_method: 'S256' });
      for (const r of resources) q.append('resource', r);
      const res = await openAuthorization(`${app.url}/oauth/authorize?${q.toString()}`);
      assert.equal(res.status, 303);
      const params = callbackParams(res.headers.get('location')!);
      assert.equal(params.get('error'), 'invalid_target', resources.join(' '));
      assert.equal(params.get('state'), 'st-r');
    }
  });

  it('when a service asks client_credentials for a resource, then the token is for it; an unregistered resource or several are invalid_target', async () => {
    const cc = await client.clientCredentialsGrant(serviceConfig, { scope: 'api:read', resource: REPORTS });
    const { payload, protectedHeader } = await jwtVerify(cc.access_token, jwks(), { issuer: issuerOf(app).origin, audience: REPORTS, algorithms: ['RS256'] });
    assert.equal(protectedHeader.typ, 'at+jwt');
    assert.deepEqual([payload.sub, payload.client_id, payload.scope], [service.id, service.id, 'api:read']);
    assert.equal(await tokenError(client.clientCredentialsGrant(serviceConfig, { resource: UNREGISTERED })), 'invalid_target');

    // Repeated `resource` (RFC 8707 allows it): this server issues single-audience tokens and says so.
    const several = await app.http.post('/oauth/token').set('Authorization', basic(service.id, service.secret)).type('form').send(`grant_type=client_credentials&resource=${encodeURIComponent(API)}&resource=${encodeURIComponent(REPORTS)}`);
    assert.equal(several.status, 400);
    assert.equal(several.body.error, 'invalid_target');
    assert.match(several.body.error_description, /one resource/);

    // A client_credentials token for a resource can still be revoked by its client, and then is inactive.
    await client.tokenRevocation(serviceConfig, cc.access_token);
    assert.equal((await client.tokenIntrospection(serviceConfig, cc.access_token)).active, false);
  });

  it('when a first-party app uses the password grant with a resource, then the session keeps it: refreshes are for that resource only', async () => {
    const app1 = await registerClient(app, { name: 'first-party app', grantTypes: ['password', 'refresh_token'], allowedScopes: ['profile'], defaultScopes: ['profile'], requireConsent: false });
    const user = await registerAndLogin(app);
    const token = (form: Record<string, string>) => app.http.post('/oauth/token').set('Authorization', basic(app1.id, app1.secret!)).type('form').send(form);
    const signedIn = await token({ grant_type: 'password', username: user.email, password: TEST_PASSWORD, resource: REPORTS });
    assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
    assert.deepEqual([claimsOf(signedIn.body.access_token).aud, claimsOf(signedIn.body.access_token).client_id], [REPORTS, app1.id]);
    assert.equal(decodeProtectedHeader(signedIn.body.access_token).typ, 'at+jwt');
    const refused = await token({ grant_type: 'refresh_token', refresh_token: signedIn.body.refresh_token, resource: API });
    assert.deepEqual([refused.status, refused.body.error], [400, 'invalid_target']);
    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: signedIn.body.refresh_token });
    assert.equal(refreshed.status, 200, 'the refused request did not rotate the refresh token');
    assert.equal(claimsOf(refreshed.body.access_token).aud, REPORTS);
    const unregistered = await token({ grant_type: 'password', username: user.email, password: TEST_PASSWORD, resource: UNREGISTERED });
    assert.deepEqual([unregistered.status, unregistered.body.error], [400, 'invalid_target']);
  });

  it('when /oauth/authorize is POSTed with resource repeated, then it is invalid_target too', async () => {
    const { challenge } = await pkce();
    const body = new URLSearchParams({ response_type: 'code', client_id: rp.id, redirect_uri: REDIRECT_URI, scope: 'openid', state: 'st-p', code_challenge: challenge, code_challenge_method: 'S256' });
    body.append('resource', API);
    body.append('resource', API);
    const res = await fetch(`${app.url}/oauth/authorize`, { method: 'POST', body, redirect: 'manual' });
    assert.equal(res.status, 303);
    assert.equal(callbackParams(res.headers.get('location')!).get('error'), 'invalid_target');
  });

  it('when a user signs in through /api/auth, then the first-party token is unchanged: typ JWT, this server as aud, no client_id', async () => {
    const user = await registerAndLogin(app);
    assert.equal(decodeProtectedHeader(user.accessToken).typ, 'JWT');
    const claims = claimsOf(user.accessToken);
    assert.equal(claims.aud, issuerOf(app).origin);
    assert.equal(claims.client_id, undefined);
    assert.equal((await app.http.get('/api/auth/validate').set(bearer(user.accessToken))).body.valid, true);
  });
});
