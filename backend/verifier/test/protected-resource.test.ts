// RFC 9728 in the verifier: a service publishes its protected resource metadata, answers 401 with
// WWW-Authenticate: Bearer resource_metadata="…", and with `audience` set to its resource identifier accepts
// only tokens the server issued for it (RFC 8707 `resource`), never tokens for another resource or the
// server's own first-party tokens. Tokens come from a real server with two registered resources.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import supertest from 'supertest';
import { basic, bearer, registerAndLogin, startTestApp, type TestApp } from '../../../test/helpers/app';
import { createVerifier, protectedResourceMetadata, protectedResourceMetadataUrl, VerifierError } from '../src/index';
import { serveService } from './helpers';

const ISSUER = 'http://auth.test';
const API = 'https://api.example.test/v1';
const REPORTS = 'https://reports.example.test/';
const ADMIN = { ADMIN_EMAIL: 'root@example.test', ADMIN_PASSWORD: 'plum-Orbit-7-lantern' };

describe('protected resource metadata (RFC 9728) and resource-bound tokens', () => {
  let app: TestApp;
  let service: ReturnType<typeof supertest>;
  let close: () => Promise<void>;
  let client: { id: string; secret: string };
  const resource = protectedResourceMetadata({ resource: API, authorizationServers: [ISSUER], scopesSupported: ['api:read'], resourceName: 'Example API' });

  /** A client_credentials token from the server, for `target` when given. */
  async function tokenFor(target: string | null): Promise<string> {
    const form: Record<string, string> = { grant_type: 'client_credentials', scope: 'api:read', ...(target ? { resource: target } : {}) };
    const res = await app.http.post('/oauth/token').set('Authorization', basic(client.id, client.secret)).type('form').send(form);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.access_token;
  }

  before(async () => {
    app = await startTestApp({ env: { ...ADMIN, OAUTH_RESOURCES: `${API},${REPORTS}` } });
    const login = await app.http.post('/api/auth/login').send({ email: ADMIN.ADMIN_EMAIL, password: ADMIN.ADMIN_PASSWORD });
    const created = await app.http
      .post('/api/admin/oauth-clients')
      .set(bearer(login.body.accessToken))
      .send({ name: 'api caller', grantTypes: ['client_credentials'], allowedScopes: ['api:read'], defaultScopes: ['api:read'] });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    client = { id: created.body.client.clientId, secret: created.body.clientSecret };

    const auth = createVerifier({ issuer: ISSUER, audience: API, jwksUri: `${app.url}/.well-known/jwks.json`, resourceMetadataUrl: resource.url });
    const other = express();
    other.get(resource.path, resource.handler);
    other.get('/v1/data', auth.requireAuth(), (_req, res) => {
      res.json({ ok: true });
    });
    other.get('/v1/admin', auth.requireScope('api:write'), (_req, res) => {
      res.json({ ok: true });
    });
    ({ service, close } = await serveService(other));
  });
  after(async () => {
    await close();
    await app.close();
  });

  it('when the metadata URL is derived, then the well-known segment goes between the host and the path (RFC 9728 §3.1)', () => {
    assert.equal(protectedResourceMetadataUrl('https://api.example.com/v1'), 'https://api.example.com/.well-known/oauth-protected-resource/v1');
    assert.equal(protectedResourceMetadataUrl('https://api.example.com'), 'https://api.example.com/.well-known/oauth-protected-resource');
    assert.equal(protectedResourceMetadataUrl('https://api.example.com/'), 'https://api.example.com/.well-known/oauth-protected-resource');
    assert.throws(() => protectedResourceMetadata({ resource: 'https://api.example.com/#x', authorizationServers: [ISSUER] }), TypeError);
    assert.throws(() => protectedResourceMetadata({ resource: '/relative', authorizationServers: [ISSUER] }), TypeError);
    assert.throws(() => protectedResourceMetadata({ resource: API, authorizationServers: [] }), TypeError);
  });

  it('when a client fetches the well-known document, then it names the resource, the authorization server, the scopes and the header method', async () => {
    const res = await service.get('/.well-known/oauth-protected-resource/v1').expect(200);
    assert.match(res.headers['content-type'], /^application\/json/);
    assert.deepEqual(res.body, {
      resource: API,
      authorization_servers: [ISSUER],
      bearer_methods_supported: ['header'],
      scopes_supported: ['api:read'],
      resource_name: 'Example API',
    });
  });

  it('when no token is sent, then 401 with WWW-Authenticate naming the metadata URL', async () => {
    const res = await service.get('/v1/data').expect(401);
    assert.equal(res.headers['www-authenticate'], `Bearer resource_metadata="${resource.url}"`);
    assert.equal(res.body.error.code, 'UNAUTHENTICATED');
  });

  it('when a token was issued for this resource, then it is accepted; one for another resource or a first-party token is INVALID_TOKEN', async () => {
    await service.get('/v1/data').set(bearer(await tokenFor(API))).expect(200);

    const forReports = await service.get('/v1/data').set(bearer(await tokenFor(REPORTS))).expect(401);
    assert.equal(forReports.body.error.code, 'INVALID_TOKEN');
    assert.equal(forReports.headers['www-authenticate'], `Bearer resource_metadata="${resource.url}", error="invalid_token"`);
    // No resource asked for: the token is for the server itself (its JWT_AUDIENCE), not for this service.
    assert.equal((await service.get('/v1/data').set(bearer(await tokenFor(null))).expect(401)).body.error.code, 'INVALID_TOKEN');
    const user = await registerAndLogin(app);
    assert.equal((await service.get('/v1/data').set(bearer(user.accessToken)).expect(401)).body.error.code, 'INVALID_TOKEN');

    // verify() says the same outside Express.
    const verifier = createVerifier({ issuer: ISSUER, audience: API, jwksUri: `${app.url}/.well-known/jwks.json` });
    assert.equal((await verifier.verify(await tokenFor(API))).aud, API);
    await assert.rejects(verifier.verify(await tokenFor(REPORTS)), (err: unknown) => err instanceof VerifierError && err.code === 'INVALID_TOKEN');
  });

  it('when the token lacks a scope, then 403 with insufficient_scope and the metadata URL', async () => {
    const res = await service.get('/v1/admin').set(bearer(await tokenFor(API))).expect(403);
    assert.equal(res.headers['www-authenticate'], `Bearer resource_metadata="${resource.url}", error="insufficient_scope"`);
  });
});
