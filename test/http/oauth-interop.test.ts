// Stock OAuth clients against the authorization server (issue 22): openid-client 6 and oauth4webapi 3 discover
// it (RFC 8414, with their issuer check), use client_credentials, the password grant of a first-party client and
// refresh, revoke (RFC 7009) and introspect (RFC 7662); jose verifies access tokens against the JWKS. The server
// runs WITHOUT PUBLIC_URL on a random port, as in development: discovery must find the port it listens on.
// http is allowed for this loopback server only (openid-client's allowInsecureRequests, oauth4webapi's symbol).
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import * as oauth from 'oauth4webapi';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { TEST_PASSWORD, bearer, registerAndLogin, useTestApp } from '../helpers/app';

const ADMIN_EMAIL = 'interop.admin@example.test';
const ADMIN_PASSWORD = 'admin-Juniper-58-orchard';

describe('stock OAuth clients (openid-client, oauth4webapi, jose) against a server without PUBLIC_URL', () => {
  // No PUBLIC_URL, and the fixture's fixed JWT_ISSUER/JWT_AUDIENCE turned off (empty = unset): the defaults.
  const app = useTestApp({ env: { ADMIN_EMAIL, ADMIN_PASSWORD, JWT_ISSUER: '', JWT_AUDIENCE: '' } });
  /** What a developer would type: the server on localhost at the port it listens on. */
  let issuer: URL;
  /** A resource server / service: client_credentials, allowed to introspect everyone's tokens. */
  let service: { id: string; secret: string };
  /** A first-party confidential app: password and refresh_token. */
  let firstParty: { id: string; secret: string };

  async function register(body: Record<string, unknown>, adminToken: string) {
    const res = await app.http.post('/api/admin/oauth-clients').set(bearer(adminToken)).send(body);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return { id: res.body.client.clientId as string, secret: res.body.clientSecret as string };
  }

  async function verifyWithJose(token: string, jwksUri: string) {
    const jwks = createRemoteJWKSet(new URL(jwksUri));
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: issuer.origin, audience: issuer.origin, algorithms: ['RS256'] });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(typeof protectedHeader.kid, 'string');
    return payload;
  }

  before(async () => {
    issuer = new URL(`http://localhost:${new URL(app.url).port}`);
    const login = await app.http.post('/api/auth/login').send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    service = await register({ name: 'interop service', grantTypes: ['client_credentials'], allowedScopes: ['api:read', 'tokens:introspect'], defaultScopes: ['api:read'] }, login.body.accessToken);
    firstParty = await register({ name: 'interop app', grantTypes: ['password', 'refresh_token'], allowedScopes: ['profile'], defaultScopes: ['profile'] }, login.body.accessToken);
  });

  it('when openid-client discovers the server, then client_credentials, password + refresh, introspection and revocation work, and jose verifies the tokens', async () => {
    const options = { algorithm: 'oauth2' as const, execute: [client.allowInsecureRequests] };
    const svc = await client.discovery(issuer, service.id, service.secret, client.ClientSecretBasic(service.secret), options);
    const meta = svc.serverMetadata();
    assert.equal(meta.issuer, issuer.origin);
    assert.equal(meta.token_endpoint, `${issuer.origin}/oauth/token`);

    const cc = await client.clientCredentialsGrant(svc, { scope: 'api:read' });
    assert.equal(cc.token_type.toLowerCase(), 'bearer');
    assert.equal(cc.scope, 'api:read');
    const ccClaims = await verifyWithJose(cc.access_token, meta.jwks_uri!);
    assert.deepEqual([ccClaims.sub, ccClaims.client_id, ccClaims.scope], [service.id, service.id, 'api:read']);

    const user = await registerAndLogin(app);
    const appConfig = await client.discovery(issuer, firstParty.id, firstParty.secret, client.ClientSecretBasic(firstParty.secret), options);
    const signedIn = await client.genericGrantRequest(appConfig, 'password', { username: user.email, password: TEST_PASSWORD });
    assert.ok(signedIn.refresh_token);
    const refreshed = await client.refreshTokenGrant(appConfig, signedIn.refresh_token);
    assert.ok(refreshed.refresh_token && refreshed.refresh_token !== signedIn.refresh_token, 'the refresh token rotates');
    const userClaims = await verifyWithJose(refreshed.access_token, meta.jwks_uri!);
    assert.deepEqual([userClaims.client_id, userClaims.scope], [firstParty.id, 'profile']);

    const active = await client.tokenIntrospection(svc, refreshed.refresh_token);
    assert.equal(active.active, true);
    assert.equal(active.client_id, firstParty.id);
    assert.equal(active.sub, userClaims.sub);
    await client.tokenRevocation(appConfig, refreshed.refresh_token);
    assert.equal((await client.tokenIntrospection(svc, refreshed.refresh_token)).active, false);
    assert.equal((await client.tokenIntrospection(svc, refreshed.access_token)).active, false, 'the session ended with its refresh token');
  });

  it('when oauth4webapi discovers the server, then client_credentials, password + refresh, introspection and revocation work, and jose verifies the tokens', async () => {
    const insecure = { [oauth.allowInsecureRequests]: true };
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
    assert.equal(as.issuer, issuer.origin);
    const svc: oauth.Client = { client_id: service.id };
    const svcAuth = oauth.ClientSecretBasic(service.secret);

    const cc = await oauth.processClientCredentialsResponse(as, svc, await oauth.clientCredentialsGrantRequest(as, svc, svcAuth, { scope: 'api:read' }, insecure));
    assert.equal(cc.token_type, 'bearer'); // oauth4webapi lower-cases it
    const ccClaims = await verifyWithJose(cc.access_token, as.jwks_uri!);
    assert.equal(ccClaims.client_id, service.id);

    const user = await registerAndLogin(app);
    const fp: oauth.Client = { client_id: firstParty.id };
    const fpAuth = oauth.ClientSecretBasic(firstParty.secret);
    const signedIn = await oauth.processGenericTokenEndpointResponse(
      as, fp, await oauth.genericTokenEndpointRequest(as, fp, fpAuth, 'password', { username: user.email, password: TEST_PASSWORD }, insecure),
    );
    const refreshed = await oauth.processRefreshTokenResponse(as, fp, await oauth.refreshTokenGrantRequest(as, fp, fpAuth, signedIn.refresh_token!, insecure));
    assert.ok(refreshed.refresh_token && refreshed.refresh_token !== signedIn.refresh_token);
    await verifyWithJose(refreshed.access_token, as.jwks_uri!);

    const introspect = async (token: string) => oauth.processIntrospectionResponse(as, svc, await oauth.introspectionRequest(as, svc, svcAuth, token, insecure));
    const active = await introspect(refreshed.access_token);
    assert.equal(active.active, true);
    assert.equal(active.client_id, firstParty.id);
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, fp, fpAuth, refreshed.refresh_token, insecure));
    assert.equal((await introspect(refreshed.refresh_token)).active, false);
    assert.equal((await introspect(refreshed.access_token)).active, false);
  });
});
