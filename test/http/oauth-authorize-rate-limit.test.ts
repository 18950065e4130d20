// Issue 25: /oauth/authorize has a per-IP limit of its own (RATE_LIMIT_AUTHORIZE_PER_MIN): every request
// naming a new Client ID Metadata Document URL makes the server fetch it, from unauthenticated traffic. Past the
// limit the answer is the endpoint's page for refusals before the redirect URI is trusted (never a redirect),
// 429 with Retry-After and the RateLimit headers, on GET and POST alike, and no fetch happens.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useTestApp } from '../helpers/app';
import { oidcEnv, pkce, publicCodeClient, REDIRECT_URI, registerClient } from '../helpers/oidc';

describe('per-IP limit of /oauth/authorize', () => {
  const app = useTestApp({ env: { ...oidcEnv, RATE_LIMIT_AUTHORIZE_PER_MIN: '4', OAUTH_CLIENT_METADATA_DOCUMENTS: 'on', OAUTH_CLIENT_METADATA_ALLOW_PRIVATE: 'on' } });
  let documents: Server;
  let fetches = 0;
  let base: string;

  before(async () => {
    documents = createServer((_req, res) => {
      fetches++;
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => documents.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(documents.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => documents.close(() => resolve())));

  it('when one address sends more authorization requests than the limit, then the rest get a 429 page with Retry-After, and no metadata document is fetched for them', async () => {
    const rp = await registerClient(app, publicCodeClient('Limited RP'));
    const { challenge } = await pkce();
    const query = new URLSearchParams({ response_type: 'code', client_id: rp.id, redirect_uri: REDIRECT_URI, scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256', state: 's' });
    const first = await app.http.get(`/oauth/authorize?${query.toString()}`);
    assert.equal(first.status, 303);
    assert.equal(first.headers['ratelimit-limit'], '4');
    // Three requests naming metadata documents (refused: 404), each one fetch.
    for (let i = 0; i < 3; i++) {
      const res = await app.http.get(`/oauth/authorize?${new URLSearchParams({ ...Object.fromEntries(query), client_id: `${base}/agent-${i}.json` }).toString()}`);
      assert.equal(res.status, 400, res.text);
    }
    assert.equal(fetches, 3);
    const limited = await app.http.get(`/oauth/authorize?${new URLSearchParams({ ...Object.fromEntries(query), client_id: `${base}/agent-9.json` }).toString()}`);
    assert.equal(limited.status, 429);
    assert.match(limited.headers['content-type'] ?? '', /text\/html/);
    assert.match(limited.text, /temporarily_unavailable/);
    assert.equal(limited.headers.location, undefined, 'never a redirect');
    assert.ok(Number(limited.headers['retry-after']) >= 1);
    assert.equal(limited.headers['cache-control'], 'no-store');
    assert.equal(fetches, 3, 'the limited request fetched nothing');
    const post = await app.http.post('/oauth/authorize').type('form').send(Object.fromEntries(query));
    assert.equal(post.status, 429);
  });
});
