// Issue 25, end to end: an MCP server built with @modelcontextprotocol/sdk and protected by @sessionary/verifier
// (RFC 9728 metadata, audience = its resource identifier), and an MCP client of the same SDK with its OAuth
// support: 401 → protected resource metadata → authorization server metadata → Dynamic Client Registration →
// authorization (sign-in and consent driven over HTTP, as the web app does) → token for the MCP server's
// resource (RFC 8707) → a tool call. A token for another resource, and a first-party token, are refused by the
// MCP server. (The SDK accepts only an https clientMetadataUrl, so the metadata-document path is covered by
// oauth-client-metadata-document.test.ts with openid-client instead.)
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { z } from 'zod';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { authOf, bearerToken, createVerifier, protectedResourceMetadata, type SessionaryVerifier } from '../../backend/verifier/src/index';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { basic, bearer, registerAndLogin, startTestApp, type TestApp } from '../helpers/app';
import { approveAll, ADMIN_EMAIL, ADMIN_PASSWORD, issuerOf, oidcEnv, REDIRECT_URI } from '../helpers/oidc';

/** An MCP client's OAuth state, in memory; the authorization URL is kept for the test to drive. */
class MemoryProvider implements OAuthClientProvider {
  info: OAuthClientInformationMixed | undefined;
  saved: OAuthTokens | undefined;
  verifier = '';
  authorizationUrl: URL | null = null;
  get redirectUrl() {
    return REDIRECT_URI;
  }
  get clientMetadata(): OAuthClientMetadata {
    return { client_name: 'SDK MCP client', redirect_uris: [REDIRECT_URI], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none', scope: 'mcp:tools' };
  }
  clientInformation() {
    return this.info;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.info = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(v: string) {
    this.verifier = v;
  }
  codeVerifier() {
    return this.verifier;
  }
}

function mcpServer(): McpServer {
  const server = new McpServer({ name: 'echo-mcp', version: '1.0.0' });
  server.registerTool('echo', { description: 'Echoes its text', inputSchema: { text: z.string() } }, ({ text }) => ({ content: [{ type: 'text', text: `echo: ${text}` }] }));
  return server;
}

describe('an MCP client (SDK, OAuth) against an MCP server protected by the verifier', () => {
  let app: TestApp;
  let mcp: Server;
  let resource: string;
  let other: string;
  let verifier: SessionaryVerifier | undefined;

  before(async () => {
    // The MCP server listens first: its URL is the resource the authorization server must know (OAUTH_RESOURCES).
    const service = express();
    mcp = createServer(service);
    await new Promise<void>((resolve) => mcp.listen(0, '127.0.0.1', resolve));
    const port = (mcp.address() as AddressInfo).port;
    resource = `http://127.0.0.1:${port}/mcp`;
    other = `http://127.0.0.1:${port}/other`;
    app = await startTestApp({ env: { ...oidcEnv, OAUTH_REGISTRATION: 'open', OAUTH_REGISTRATION_SCOPES: 'mcp:tools', OAUTH_RESOURCES: `${resource},${other}`, RATE_LIMIT_CLIENT_REGISTRATION_PER_HOUR: '100' } });
    const issuer = issuerOf(app).origin;
    const prm = protectedResourceMetadata({ resource, authorizationServers: [issuer], scopesSupported: ['mcp:tools'], resourceName: 'Echo MCP' });
    verifier = createVerifier({ issuer, audience: resource, jwksUri: `${issuer}/.well-known/jwks.json`, resourceMetadataUrl: prm.url });
    service.get(prm.path, prm.handler);
    service.post('/mcp', express.json(), (req, res, next) => verifier!.requireAuth()(req, res, next), async (req, res) => {
      // Stateless: a server and transport per request.
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      const server = mcpServer();
      res.on('close', () => void transport.close().then(() => server.close()));
      await server.connect(transport);
      // The SDK's tools see the verified token as its AuthInfo (req.auth there; the verifier's claims here).
      const claims = authOf(req)!;
      const auth: AuthInfo = { token: bearerToken(req.headers.authorization)!, clientId: String(claims.client_id), scopes: String(claims.scope ?? '').split(' ').filter(Boolean), expiresAt: claims.exp };
      await transport.handleRequest(Object.assign(req, { auth }), res, req.body);
    });
  });
  after(async () => {
    await new Promise<void>((resolve) => mcp.close(() => resolve()));
    await app.close();
  });

  it('when the client connects, then it discovers, registers, is authorized with consent, and calls a tool with a token for the MCP server', async () => {
    const provider = new MemoryProvider();
    const first = new StreamableHTTPClientTransport(new URL(resource), { authProvider: provider });
    await assert.rejects(new Client({ name: 'sdk-client', version: '1.0.0' }).connect(first), UnauthorizedError);
    assert.ok(provider.info?.client_id, 'registered by RFC 7591');
    assert.ok(provider.authorizationUrl, 'sent to the authorization endpoint');
    assert.equal(provider.authorizationUrl.searchParams.get('resource'), resource, 'RFC 8707 resource from the RFC 9728 metadata');

    const user = await registerAndLogin(app);
    const back = new URL(await approveAll(app, provider.authorizationUrl, user.accessToken));
    await first.finishAuth(back.searchParams.get('code')!);
    const claims = JSON.parse(Buffer.from(provider.saved!.access_token.split('.')[1], 'base64url').toString());
    assert.deepEqual([claims.aud, claims.sub, claims.client_id, claims.scope], [resource, user.userId, provider.info.client_id, 'mcp:tools']);

    const client = new Client({ name: 'sdk-client', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(resource), { authProvider: provider }));
    const result = await client.callTool({ name: 'echo', arguments: { text: 'hello' } });
    assert.deepEqual(result.content, [{ type: 'text', text: 'echo: hello' }]);
    await client.close();

    const registered = await app.container.services.oauthClients.show(provider.info.client_id);
    assert.equal(registered.registration, 'dynamic');
  });

  it('when a token is for another resource, or is a first-party token, then the MCP server refuses it with the resource metadata challenge', async () => {
    const login = await app.http.post('/api/auth/login').send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    const created = await app.http.post('/api/admin/oauth-clients').set(bearer(login.body.accessToken)).send({ name: 'other caller', grantTypes: ['client_credentials'], allowedScopes: ['mcp:tools'], defaultScopes: ['mcp:tools'] });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const cc = await app.http.post('/oauth/token').set('Authorization', basic(created.body.client.clientId, created.body.clientSecret)).type('form').send({ grant_type: 'client_credentials', resource: other });
    assert.equal(cc.status, 200, JSON.stringify(cc.body));
    const call = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} };
    for (const token of [cc.body.access_token as string, login.body.accessToken as string]) {
      const res = await fetch(resource, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify(call) });
      assert.equal(res.status, 401);
      assert.match(res.headers.get('www-authenticate') ?? '', /resource_metadata="/);
    }
  });
});
