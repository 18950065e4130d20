// Issue 25: OAuth Client ID Metadata Documents. A client_id that is a URL is fetched by the server; the SSRF
// defence refuses private addresses (without the development setting), redirects, oversized, slow and
// mismatching documents; a valid document is cached per its Cache-Control and its client completes the
// authorization code flow with PKCE (openid-client as the client). The documents are served by this test on
// 127.0.0.1 over plain http, which OAUTH_CLIENT_METADATA_ALLOW_PRIVATE (development only) permits.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';
import pg from 'pg';
import { registerAndLogin, useTestApp, type TestApp } from '../helpers/app';
import { decide, handleOf, issuerOf, nextStep, oidcEnv, openAuthorization, pkce } from '../helpers/oidc';

const CALLBACK = 'http://127.0.0.1:9/cimd-callback';

async function auditReasons(app: TestApp): Promise<string[]> {
  const db = new pg.Client({ connectionString: app.database.url });
  await db.connect();
  try {
    const { rows } = await db.query(`SELECT metadata->>'reason' AS reason FROM "AuditEvent" WHERE type = 'oauth_client.metadata_refused' ORDER BY "createdAt"`);
    return rows.map((r: { reason: string }) => r.reason);
  } finally {
    await db.end();
  }
}

/** An authorization request of `clientId`: the response of /oauth/authorize (not followed). */
async function authorize(app: TestApp, clientId: string, redirectUri = CALLBACK) {
  const { verifier, challenge } = await pkce();
  const url = new URL('/oauth/authorize', issuerOf(app));
  url.search = new URLSearchParams({ client_id: clientId, redirect_uri: redirectUri, response_type: 'code', code_challenge: challenge, code_challenge_method: 'S256', state: 'st' }).toString();
  return { res: await openAuthorization(url), verifier };
}

describe('client metadata documents: private addresses refused without the development setting', () => {
  const app = useTestApp({ env: { ...oidcEnv, OAUTH_CLIENT_METADATA_DOCUMENTS: 'on' } });

  it('when the client_id URL is on a loopback address or a name resolving to one, then the authorization request is refused before any fetch', async () => {
    for (const clientId of ['https://127.0.0.1:9/client.json', 'https://localhost:9/client.json', 'https://[::1]:9/client.json', 'https://169.254.169.254/latest/meta-data']) {
      const { res } = await authorize(app, clientId);
      assert.equal(res.status, 400, clientId);
      assert.match(await res.text(), /metadata document cannot be used/);
    }
    const reasons = await auditReasons(app);
    assert.equal(reasons.length, 4);
    for (const r of reasons) assert.match(r, /private or reserved address/);
  });

  it('when documents are on, then the metadata says so; a plain http client_id is not a document URL', async () => {
    const meta = await app.http.get('/.well-known/oauth-authorization-server');
    assert.equal(meta.body.client_id_metadata_document_supported, true);
    const { res } = await authorize(app, 'http://127.0.0.1:9/client.json');
    assert.equal(res.status, 400);
    assert.match(await res.text(), /not registered/);
  });
});

describe('client metadata documents served on loopback (OAUTH_CLIENT_METADATA_ALLOW_PRIVATE=on)', () => {
  const app = useTestApp({ env: { ...oidcEnv, OAUTH_CLIENT_METADATA_DOCUMENTS: 'on', OAUTH_CLIENT_METADATA_ALLOW_PRIVATE: 'on', OAUTH_REGISTRATION_SCOPES: 'mcp:tools' } });
  let server: Server;
  let base: string;
  const fetches: Record<string, number> = {};
  const document = (path: string, extra: Record<string, unknown> = {}) => JSON.stringify({
    client_id: `${base}${path}`, client_name: 'Agent from a document', redirect_uris: [CALLBACK], grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'none', scope: 'mcp:tools other:scope', client_uri: 'https://agent.example/', ...extra,
  });

  before(async () => {
    server = createServer((req, res) => {
      const path = req.url ?? '/';
      fetches[path] = (fetches[path] ?? 0) + 1;
      if (path === '/redirect') return void res.writeHead(302, { location: `${base}/good` }).end();
      if (path === '/big') return void res.writeHead(200, { 'content-type': 'application/json' }).end(document('/big', { padding: 'x'.repeat(6000) }));
      if (path === '/slow') {
        const timer = setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(document('/slow')), 4500);
        res.on('close', () => clearTimeout(timer));
        return;
      }
      if (path === '/mismatch') return void res.writeHead(200, { 'content-type': 'application/json' }).end(document('/someone-else'));
      if (path === '/good') return void res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=600' }).end(document('/good'));
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('when the document redirects, is too large, is too slow or names another client_id, then the authorization request is refused', async () => {
    for (const path of ['/redirect', '/big', '/slow', '/mismatch', '/missing']) {
      const { res } = await authorize(app, `${base}${path}`);
      assert.equal(res.status, 400, path);
    }
    const reasons = await auditReasons(app);
    assert.equal(reasons.length, 5, reasons.join('; '));
    assert.match(reasons[0], /redirects/);
    assert.match(reasons[1], /larger than 5120 bytes/);
    assert.match(reasons[2], /not read within 3000 ms/);
    assert.match(reasons[3], /client_id is not its own URL/);
    assert.match(reasons[4], /answered 404/);
    assert.equal(fetches['/good'], undefined, 'the redirect was not followed');
  });

  it('when the document is valid, then its client completes the code flow with PKCE, its redirect_uris are enforced, and it is fetched once while cached', async () => {
    const clientId = `${base}/good`;
    const wrongRedirect = await authorize(app, clientId, 'http://127.0.0.1:9/other');
    assert.equal(wrongRedirect.res.status, 400, 'a redirect URI the document does not list');
    const loopbackPort = await authorize(app, clientId, 'http://127.0.0.1:10/cimd-callback');
    assert.equal(loopbackPort.res.status, 400, 'the exact URI, not another loopback port');

    const user = await registerAndLogin(app);
    const config = await client.discovery(issuerOf(app), clientId, undefined, client.None(), { execute: [client.allowInsecureRequests] });
    const { verifier, challenge } = await pkce();
    const url = client.buildAuthorizationUrl(config, { redirect_uri: CALLBACK, scope: 'mcp:tools', code_challenge: challenge, code_challenge_method: 'S256', state: 's1' });
    const handle = handleOf(await openAuthorization(url));
    const step = await nextStep(app, handle, user.accessToken);
    assert.equal(step.step, 'consent');
    if (step.step !== 'consent') return;
    assert.equal(step.client.name, 'Agent from a document');
    assert.equal((step.client as { host?: string }).host, '127.0.0.1', 'the consent screen names the document\'s host');
    const redirectTo = await decide(app, handle, user.accessToken, true);
    const tokens = await client.authorizationCodeGrant(config, new URL(redirectTo), { pkceCodeVerifier: verifier, expectedState: 's1' });
    assert.equal(tokens.scope, 'mcp:tools');
    const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1], 'base64url').toString());
    assert.deepEqual([claims.sub, claims.client_id], [user.userId, clientId]);
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    assert.ok(refreshed.access_token);
    assert.equal(fetches['/good'], 1, 'max-age=600: fetched once for the whole flow');

    // A public client: a secret is refused; the registry shows it as a metadata document client.
    const withSecret = await fetch(new URL('/oauth/token', issuerOf(app)), { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshed.refresh_token!, client_id: clientId, client_secret: 'x' }) });
    assert.equal(withSecret.status, 401);
    const listed = (await app.container.services.oauthClients.list()).find((c) => c.clientId === clientId);
    assert.deepEqual([listed?.registration, listed?.type, listed?.tokenEndpointAuthMethod, listed?.allowedScopes], ['metadata_document', 'public', 'none', ['mcp:tools']]);
  });
});
