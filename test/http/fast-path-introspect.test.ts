// POST /oauth/introspect is served two ways (backend/src/http/fast-path.ts, oauth.routes.ts oauthHotRoutes):
// the everyday form by the plain node:http fast path, anything else (gzip, another charset, a query string...)
// by the /oauth router in Express. Here the real app shows that both give the same status, body and headers,
// for good and bad requests alike, and count and log them alike. Which requests are taken is pinned in
// test/unit/fast-path.test.ts.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { basic, bearer, registerAndLogin, useTestApp, type TestApp } from '../helpers/app';

const ADMIN_EMAIL = 'introspect.admin@example.test';
const ADMIN_PASSWORD = 'admin-Quartz-63-meadow';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;  
}

function send(app: TestApp, path: string, headers: Record<string, string>, body: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, app.url), { method: 'POST', headers: { ...headers, 'Content-Length': String(body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

/** Every header but those that differ by nature between two requests. */
function comparable(a: Answer): Record<string, unknown> {
  const skip = new Set(['date', 'content-length', 'connection', 'keep-alive', 'x-request-id']);
  return Object.fromEntries(Object.entries(a.headers).filter(([h]) => !skip.has(h)));
}

/** The same request three ways: fast path (plain form), Express by a query string, Express by gzip. */
async function threeWays(app: TestApp, text: string, headers: Record<string, string>, what: string): Promise<Answer> {
  const fast = await send(app, '/oauth/introspect', { ...FORM, ...headers }, Buffer.from(text));
  const query = await send(app, '/oauth/introspect?via=express', { ...FORM, ...headers }, Buffer.from(text));
  const zipped = await send(app, '/oauth/introspect', { ...FORM, ...headers, 'Content-Encoding': 'gzip' }, gzipSync(text));
  for (const [how, other] of [['query string', query], ['gzip', zipped]] as const) {
    assert.equal(fast.status, other.status, `${what} (${how}): status ${JSON.stringify(fast.body)} vs ${JSON.stringify(other.body)}`);
    assert.deepEqual(fast.body, other.body, `${what} (${how}): body`);
    assert.deepEqual(comparable(fast), comparable(other), `${what} (${how}): headers`);
  }
  assert.match(String(fast.headers['x-request-id']), /^[0-9a-f-]{36}$/, what);
  assert.equal(fast.headers['cache-control'], 'no-store', what);
  assert.equal(fast.headers.pragma, 'no-cache', what);
  assert.equal(fast.headers['content-type'], 'application/json; charset=utf-8', what);
  return fast;
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

describe('POST /oauth/introspect: fast path and Express answer alike', () => {
  const app = useTestApp({ env: { ADMIN_EMAIL, ADMIN_PASSWORD } });
  let adminToken: string;
  let rs: { clientId: string; secret: string };

  async function createClient(body: Record<string, unknown>): Promise<{ clientId: string; secret: string }> {
    const res = await app.http.post('/api/admin/oauth-clients').set(bearer(adminToken)).send(body);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return { clientId: res.body.client.clientId, secret: res.body.clientSecret };
  }

  before(async () => {
    const login = await app.http.post('/api/auth/login').send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    adminToken = login.body.accessToken;
    // tokens:introspect: without it, other clients' and users' tokens are active:false (issue 22, item 7).
    rs = await createClient({ name: 'resource server', grantTypes: ['client_credentials'], allowedScopes: ['tokens:introspect'] });
  });

  it('when a user access token is active, then both paths give the same claims and headers, by Basic or by client_secret_post', async () => {
    const user = await registerAndLogin(app);
    const byBasic = await threeWays(app, form({ token: user.accessToken }), { Authorization: basic(rs.clientId, rs.secret) }, 'basic');
    assert.equal(byBasic.status, 200);
    assert.equal(byBasic.body.active, true);
    assert.equal(byBasic.body.sid, user.sessionId);
    const byPost = await threeWays(app, form({ token: user.accessToken, client_id: rs.clientId, client_secret: rs.secret, token_type_hint: 'access_token' }), {}, 'client_secret_post');
    assert.deepEqual(byPost.body, byBasic.body);
  });

  it('when the token is inactive (unknown, forged, logged out), then both paths answer 200 active: false', async () => {
    const auth = { Authorization: basic(rs.clientId, rs.secret) };
    const user = await registerAndLogin(app);
    const [h, p] = user.accessToken.split('.');
    for (const token of ['not-a-token', 'a.b.c', `${h}.${p}.AAAA`, user.refreshToken.slice(0, -2)]) {
      const r = await threeWays(app, form({ token }), auth, `inactive ${token.slice(0, 12)}`);
      assert.deepEqual([r.status, r.body], [200, { active: false }]);
    }
    await app.http.post('/api/auth/logout').set(bearer(user.accessToken));
    const r = await threeWays(app, form({ token: user.accessToken }), auth, 'logged out');
    assert.deepEqual([r.status, r.body], [200, { active: false }]);
  });

  it('when the client is not authenticated (wrong secret, unknown, public, malformed Basic, no credentials), then both paths answer the same invalid_client', async () => {
    const { accessToken: token } = await registerAndLogin(app);
    const cases: [string, string, Record<string, string>, boolean][] = [
      ['wrong secret', form({ token }), { Authorization: basic(rs.clientId, 'not-the-secret') }, true],
      ['unknown client', form({ token }), { Authorization: basic('no-such-client', rs.secret) }, true],
      ['malformed Basic', form({ token }), { Authorization: 'Basic %%%' }, true],
      ['bad escape in Basic', form({ token }), { Authorization: `Basic ${Buffer.from('%zz:x').toString('base64')}` }, true],
      ['Bearer instead of Basic', form({ token }), { Authorization: `Bearer ${token}` }, true],
      ['public client', form({ token, client_id: 'web' }), {}, false],
      ['wrong secret in the body', form({ token, client_id: rs.clientId, client_secret: 'nope' }), {}, false],
      ['no credentials', form({ token }), {}, false],
    ];
    for (const [what, text, headers, challenge] of cases) {
      const r = await threeWays(app, text, headers, what);
      assert.equal(r.status, 401, what);
      assert.equal(r.body.error, 'invalid_client', what);
      assert.equal(typeof r.body.error_description, 'string', what);
      assert.equal(r.headers['www-authenticate'], challenge ? 'Basic realm="oauth", charset="UTF-8"' : undefined, what);
    }
  });

  it('when the body is bad, then both paths answer the same 400 invalid_request; an unknown hint is ignored alike', async () => {
    const auth = { Authorization: basic(rs.clientId, rs.secret) };
    const { accessToken: token } = await registerAndLogin(app);
    const cases: [string, string, Record<string, string>, string][] = [
      ['no token', 'token_type_hint=access_token', auth, 'invalid_request'],
      ['empty token', 'token=', auth, 'invalid_request'],
      ['token without =', 'token', auth, 'invalid_request'],
      ['token twice', `token=${token}&token=${token}`, auth, 'invalid_request'],
      ['NUL in the token', 'token=a%00b', auth, 'invalid_request'],
      ['21 parameters', Array.from({ length: 21 }, (_, i) => `f${i}=x`).join('&'), auth, 'invalid_request'],
      ['secret in header and body', form({ token, client_secret: rs.secret }), auth, 'invalid_request'],
      ['another client_id in the body', form({ token, client_id: 'someone-else' }), auth, 'invalid_request'],
      ['bracketed name', `token[a]=${token}`, auth, 'invalid_request'],
    ];
    for (const [what, text, headers, error] of cases) {
      const r = await threeWays(app, text, headers, what);
      assert.equal(r.status, 400, `${what}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error, error, what);
    }
    // An unknown hint is ignored (RFC 7009 §2.1, RFC 7662 §2.1; issue 22), on both paths.
    assert.equal((await threeWays(app, form({ token, token_type_hint: 'id_token' }), auth, 'unknown hint')).body.active, true);
    assert.deepEqual((await threeWays(app, 'token=%zz&token_type_hint=%ZZ', auth, 'bad escape (kept as is)')).body, { active: false });
    // A token with a + or an escaped character reads the same both ways.
    const plusToken = await threeWays(app, `token=${token.slice(0, 10)}+%41`, auth, 'plus and escape');
    assert.deepEqual(plusToken.body, { active: false });
  });

  it('when the client is deactivated, then its secret stops working on both paths at once', async () => {
    const gone = await createClient({ name: 'soon gone', grantTypes: ['client_credentials'] });
    const { accessToken: token } = await registerAndLogin(app);
    assert.equal((await threeWays(app, form({ token }), { Authorization: basic(gone.clientId, gone.secret) }, 'before')).status, 200);
    const off = await app.http.post(`/api/admin/oauth-clients/${gone.clientId}/deactivate`).set(bearer(adminToken));
    assert.equal(off.status, 200, JSON.stringify(off.body));
    const r = await threeWays(app, form({ token }), { Authorization: basic(gone.clientId, gone.secret) }, 'deactivated');
    assert.deepEqual([r.status, r.body.error], [401, 'invalid_client']);
  });

  it('when introspections are answered by either path, then each is counted under the route and logged with its path', async () => {
    const { accessToken: token } = await registerAndLogin(app);
    const auth = { Authorization: basic(rs.clientId, rs.secret) };
    const count = async () => {
      const text = (await app.http.get('/metrics')).text;
      const m = /http_request_duration_seconds_count\{method="POST",route="\/oauth\/introspect",status="200"\} (\d+)/.exec(text);
      return m ? Number(m[1]) : 0;
    };
    const before = await count();
    const fast = await send(app, '/oauth/introspect', { ...FORM, ...auth, 'X-Request-Id': 'introspect-fast-1' }, Buffer.from(form({ token })));
    const slow = await send(app, '/oauth/introspect', { ...FORM, ...auth, 'X-Request-Id': 'introspect-gzip-1', 'Content-Encoding': 'gzip' }, gzipSync(form({ token })));
    assert.deepEqual([fast.status, slow.status], [200, 200]);
    assert.equal(fast.headers['x-request-id'], 'introspect-fast-1');
    assert.equal(await count(), before + 2);
    for (const id of ['introspect-fast-1', 'introspect-gzip-1']) {
      const line = app.logs.map((l) => JSON.parse(l)).find((l) => l.requestId === id && l.message === 'request');
      assert.ok(line, `log line of ${id}`);
      assert.deepEqual([line.method, line.path, line.status], ['POST', '/oauth/introspect', 200]);
    }
  });
});
