// The hot routes are served two ways (backend/src/http/fast-path.ts): the everyday request by the plain
// node:http fast path, anything unusual (a gzip or chunked body, a query string...) by the Express app's lean
// chain. Which one takes a request is pinned in test/unit/fast-path.test.ts; here the real app shows that both
// give the same answers: status, body, and the same headers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { bearer, registerAndLogin, useTestApp, type TestApp } from '../helpers/app';
import { waitFor } from '../helpers/wait';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;  
}

/** One request over node:http, the body sent as given (a Buffer with Content-Length, or chunks with Transfer-Encoding: chunked). */
function send(app: TestApp, method: string, path: string, headers: Record<string, string>, body?: Buffer | Buffer[]): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, app.url);
    const h: Record<string, string> = { ...headers };
    if (Buffer.isBuffer(body)) h['Content-Length'] = String(body.length);
    const req = http.request(url, { method, headers: h }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    if (Array.isArray(body)) for (const c of body) req.write(c);
    else if (body) req.write(body);
    req.end();
  });
}

const JSON_TYPE = { 'Content-Type': 'application/json' };
const plain = (text: string) => Buffer.from(text);
const gzip = (text: string) => gzipSync(Buffer.from(text));

/** Header names, less the ones that differ by nature between two requests (date, length of a different token). */
function headerNames(a: Answer): string[] {
  return Object.keys(a.headers)
    .filter((h) => !['date', 'content-length', 'connection', 'keep-alive'].includes(h))
    .sort();
}

/** Every header value that should be the same for two answers of one route (security, cache, type). */
function fixedHeaders(a: Answer): Record<string, unknown> {
  // Retry-After and RateLimit-Reset count down to the end of the limit's window: a second apart, they differ.
  const skip = new Set(['date', 'content-length', 'connection', 'keep-alive', 'x-request-id', 'ratelimit-remaining', 'ratelimit-reset', 'retry-after']);
  return Object.fromEntries(Object.entries(a.headers).filter(([h]) => !skip.has(h)));
}

function assertSameAnswer(fast: Answer, express: Answer, what: string): void {
  assert.equal(fast.status, express.status, `${what}: status`);
  assert.deepEqual(headerNames(fast), headerNames(express), `${what}: header names`);
  assert.deepEqual(fixedHeaders(fast), fixedHeaders(express), `${what}: header values`);
}

describe('hot routes: fast path and Express answer alike', () => {
  const app = useTestApp();

  it('when a refresh comes as plain JSON, gzip or chunked, then each rotates with the same headers', async () => {
    const [a, b, c] = [await registerAndLogin(app), await registerAndLogin(app), await registerAndLogin(app)];
    const body = (t: string) => JSON.stringify({ refreshToken: t });
    const fast = await send(app, 'POST', '/api/auth/refresh', JSON_TYPE, plain(body(a.refreshToken)));
    const zipped = await send(app, 'POST', '/api/auth/refresh', { ...JSON_TYPE, 'Content-Encoding': 'gzip' }, gzip(body(b.refreshToken)));
    const text = body(c.refreshToken);
    const chunked = await send(app, 'POST', '/api/auth/refresh', JSON_TYPE, [plain(text.slice(0, 10)), plain(text.slice(10))]);
    for (const [what, r, sid] of [['plain', fast, a.sessionId], ['gzip', zipped, b.sessionId], ['chunked', chunked, c.sessionId]] as const) {
      assert.equal(r.status, 200, `${what}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.sessionId, sid, what);
      assert.equal(r.headers['cache-control'], 'no-store', what);
      assert.match(String(r.headers['ratelimit-policy']), /;w=60/, what);
      assert.match(String(r.headers['x-request-id']), /^[0-9a-f-]{36}$/, what);
    }
    assert.deepEqual(Object.keys(fast.body).sort(), Object.keys(zipped.body).sort());
    assertSameAnswer(fast, zipped, 'refresh plain vs gzip');
    assertSameAnswer(fast, chunked, 'refresh plain vs chunked');
  });

  it('when a refresh body is bad, then both paths answer the same 4xx with the same body', async () => {
    const { refreshToken } = await registerAndLogin(app);
    const cases = [
      '{"refreshToken": ',
      '[1, 2]',
      '"just a string"',
      '{}',
      '{"refreshToken": 42}',
      `{"refreshToken": "${'x'.repeat(600)}"}`,
      '{"refreshToken": "a\\u0000b"}',
      '{"refreshToken": "\\ud800"}',
      '{"refreshToken": "not-a-token-we-issued"}',
      '',
    ];
    for (const text of cases) {
      const fast = await send(app, 'POST', '/api/auth/refresh', JSON_TYPE, plain(text));
      const express = await send(app, 'POST', '/api/auth/refresh', { ...JSON_TYPE, 'Content-Encoding': 'gzip' }, gzip(text));
      assert.ok(fast.status >= 400 && fast.status < 500, `${text.slice(0, 40)} → ${fast.status}`);
      assert.deepEqual(fast.body, express.body, `${text.slice(0, 40)}: body`);
      assertSameAnswer(fast, express, text.slice(0, 40));
    }
    // None of the above touched the real token.
    assert.equal((await send(app, 'POST', '/api/auth/refresh', JSON_TYPE, plain(JSON.stringify({ refreshToken })))).status, 200);
  });

  it('when a replaced refresh token comes back, then both paths report the reuse alike', async () => {
    const first = await registerAndLogin(app);
    const rotated = await send(app, 'POST', '/api/auth/refresh', JSON_TYPE, plain(JSON.stringify({ refreshToken: first.refreshToken })));
    assert.equal(rotated.status, 200);
    // Past the grace window for the replaced token: both paths see the same reuse (the session is revoked by the first).
    app.clock.advance(60);
    const fast = await send(app, 'POST', '/api/auth/refresh', JSON_TYPE, plain(JSON.stringify({ refreshToken: first.refreshToken })));
    const express = await send(app, 'POST', '/api/auth/refresh', { ...JSON_TYPE, 'Content-Encoding': 'gzip' }, gzip(JSON.stringify({ refreshToken: first.refreshToken })));
    assert.equal(fast.status, 401);
    assert.equal(fast.body.error.code, 'REFRESH_TOKEN_REUSED');
    assert.equal(express.status, 401);
    assertSameAnswer(fast, express, 'reuse');
  });

  it('when the session list, /me or validate is asked with and without a query string, then the answers match', async () => {
    const { accessToken } = await registerAndLogin(app);
    // The first authenticated request stamps the session's last seen (then at most once a minute): done
    // here, so the answers compared below describe the same session.
    await send(app, 'GET', '/api/user/me', bearer(accessToken));
    await waitFor('last seen to be stamped', () => send(app, 'GET', '/api/user/sessions', bearer(accessToken)), (r) => r.body.sessions[0].lastSeenAt !== r.body.sessions[0].lastActiveAt);
    for (const path of ['/api/user/sessions', '/api/user/me', '/api/auth/validate']) {
      const fast = await send(app, 'GET', path, bearer(accessToken));
      const express = await send(app, 'GET', `${path}?via=express`, bearer(accessToken));
      assert.equal(fast.status, 200, path);
      assert.deepEqual(fast.body, express.body, `${path}: body`);
      assertSameAnswer(fast, express, path);
      // Without a token, and with a broken one: the same 401 (or validate's 200 with a reason).
      for (const headers of [{}, { Authorization: 'Bearer' }, { Authorization: 'Bearer nope' }] as Record<string, string>[]) {
        const f = await send(app, 'GET', path, headers);
        const e = await send(app, 'GET', `${path}?via=express`, headers);
        assert.deepEqual(f.body, e.body, `${path} ${JSON.stringify(headers)}: body`);
        assertSameAnswer(f, e, `${path} ${JSON.stringify(headers)}`);
      }
    }
  });

  it('when the caller sends an X-Request-Id, then both paths echo it, on answers and errors alike', async () => {
    for (const path of ['/api/user/me', '/api/user/me?via=express']) {
      const r = await send(app, 'GET', path, { 'X-Request-Id': 'trace-42.a:b' });
      assert.equal(r.status, 401);
      assert.equal(r.headers['x-request-id'], 'trace-42.a:b', path);
      const unsafe = await send(app, 'GET', path, { 'X-Request-Id': 'no spaces allowed' });
      assert.match(String(unsafe.headers['x-request-id']), /^[0-9a-f-]{36}$/, path);
    }
  });

  it('when a GET of a hot route is a HEAD, then Express answers it as before (headers, no body)', async () => {
    const { accessToken } = await registerAndLogin(app);
    const r = await send(app, 'HEAD', '/api/user/me', bearer(accessToken));
    assert.equal(r.status, 200);
    assert.equal(r.body, undefined);
    assert.match(String(r.headers['content-type']), /application\/json/);
  });
});

describe('hot routes: the per-IP limit on refresh, both paths', () => {
  const app = useTestApp({ env: { RATE_LIMIT_AUTH_PER_MIN: '4' } });

  it('when the per-IP budget is spent, then both paths answer 429 RATE_LIMITED with Retry-After and RateLimit headers', async () => {
    // Register and login spend two points of the same per-IP bucket as /refresh (all of /api/auth).
    const { refreshToken } = await registerAndLogin(app);
    const ok = await send(app, 'POST', '/api/auth/refresh', JSON_TYPE, plain(JSON.stringify({ refreshToken })));
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['ratelimit-limit'], '4');
    assert.equal(ok.headers['ratelimit-remaining'], '1');
    const body = JSON.stringify({ refreshToken: ok.body.refreshToken });
    await send(app, 'POST', '/api/auth/refresh', JSON_TYPE, plain('{}'));
    const fast = await send(app, 'POST', '/api/auth/refresh', JSON_TYPE, plain(body));
    const express = await send(app, 'POST', '/api/auth/refresh', { ...JSON_TYPE, 'Content-Encoding': 'gzip' }, gzip(body));
    for (const [what, r] of [['fast', fast], ['express', express]] as const) {
      assert.equal(r.status, 429, what);
      assert.equal(r.body.error.code, 'RATE_LIMITED', what);
      assert.match(String(r.headers['retry-after']), /^\d+$/, what);
      assert.equal(r.headers['ratelimit-remaining'], '0', what);
    }
    assert.deepEqual(fast.body, express.body);
    assertSameAnswer(fast, express, '429');
  });
});

describe('hot routes: the fast path counts the client address as Express does', () => {
  const proxied = useTestApp({ env: { RATE_LIMIT_AUTH_PER_MIN: '3', TRUST_PROXY: '1' } });
  const direct = useTestApp({ env: { RATE_LIMIT_AUTH_PER_MIN: '3' } });
  const refresh = (app: TestApp, ip: string) =>
    send(app, 'POST', '/api/auth/refresh', { ...JSON_TYPE, 'X-Forwarded-For': ip }, plain('{"refreshToken": "not-one-of-ours"}'));

  it('when TRUST_PROXY=1, then refreshes from different X-Forwarded-For addresses count in separate buckets', async () => {
    for (let i = 0; i < 3; i += 1) assert.equal((await refresh(proxied, '203.0.113.10')).status, 401);
    assert.equal((await refresh(proxied, '203.0.113.10')).status, 429);
    const other = await refresh(proxied, '203.0.113.20');
    assert.equal(other.status, 401);
    assert.equal(other.headers['ratelimit-remaining'], '2');
    // One trusted hop: only the right-most address counts.
    assert.equal((await refresh(proxied, '192.0.2.77, 203.0.113.10')).status, 429);
  });

  it('when TRUST_PROXY is unset, then a varying X-Forwarded-For does not dodge the limit', async () => {
    for (let i = 1; i <= 3; i += 1) assert.equal((await refresh(direct, `198.51.100.${i}`)).status, 401);
    assert.equal((await refresh(direct, '198.51.100.99')).status, 429);
  });
});
