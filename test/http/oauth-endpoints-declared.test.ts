// Issue 23: the OAuth protocol endpoints are declared with endpoint() (oauth.endpoints.ts,
// authorize.endpoints.ts), so the route table reports each with its operationId, which
// openapi-routes.test.ts then holds to the document. The wire answers are covered by the oauth-* and oidc-*
// files; this checks only that the declarations are the ones the app routes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useTestApp } from '../helpers/app';

const DECLARED = {
  'POST /oauth/token': 'oauthToken',
  'POST /oauth/revoke': 'oauthRevoke',
  'POST /oauth/introspect': 'oauthIntrospect',
  'GET /oauth/authorize': 'oauthAuthorize',
  'POST /oauth/authorize': 'oauthAuthorizePost',
  'POST /oauth/device_authorization': 'oauthDeviceAuthorization',
  'GET /oauth/end-session': 'oauthEndSession',
  'POST /oauth/end-session': 'oauthEndSessionPost',
  'GET /oauth/userinfo': 'oauthUserinfo',
  'POST /oauth/userinfo': 'oauthUserinfoPost',
  'POST /oauth/register': 'oauthRegisterClient',
  'GET /oauth/register/{clientId}': 'oauthReadClientRegistration',
  'PUT /oauth/register/{clientId}': 'oauthUpdateClientRegistration',
  'DELETE /oauth/register/{clientId}': 'oauthDeleteClientRegistration',
};

describe('OAuth protocol endpoints declared with endpoint()', () => {
  const app = useTestApp();

  it('when the app\'s routes are listed, then every /oauth route is a declared endpoint with its operationId', () => {
    const oauth = Object.fromEntries(app.container.routes.filter((r) => r.path.startsWith('/oauth/')).map((r) => [`${r.method} ${r.path}`, r.operationId]));
    assert.deepEqual(oauth, DECLARED);
  });

  it('when a path under /oauth names no endpoint, then the answer is still the RFC 6749 404 with no-store', async () => {
    const res = await app.http.get('/oauth/token');
    assert.equal(res.status, 404);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.deepEqual(res.body, { error: 'invalid_request', error_description: 'No OAuth endpoint GET /token' });
  });
});
