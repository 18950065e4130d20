// Refresh-token rotation and reuse detection, logout, /validate, JWKS and access-token forgeries.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign as rsaSign, verify as rsaVerify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bearer, registerAndLogin, useTestApp, type TestApp } from '../helpers/app';
import { waitFor } from '../helpers/wait';

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const decodePart = (token: string, i: 0 | 1) => JSON.parse(Buffer.from(token.split('.')[i], 'base64url').toString('utf8'));

function rs256(header: object, payload: object, key: KeyObject): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${rsaSign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

async function code(app: TestApp, token: string, path = '/api/user/me') {
  const res = await app.http.get(path).set(bearer(token));
  return { status: res.status, code: res.body?.error?.code as string | undefined };
}

async function refresh(app: TestApp, refreshToken: string) {
  return app.http.post('/api/auth/refresh').send({ refreshToken });
}

describe('tokens: refresh, logout, validate, JWKS, forgeries', () => {
  const app = useTestApp();

  it('when a refresh token is used, then a new pair for the same session comes back with no-store', async () => {
    const s = await registerAndLogin(app);
    const res = await refresh(app, s.refreshToken);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.match(res.headers['cache-control'] ?? '', /no-store/);
    assert.equal(res.body.sessionId, s.sessionId);
    assert.equal(res.body.tokenType, 'Bearer');
    assert.notEqual(res.body.refreshToken, s.refreshToken);
    assert.notEqual(res.body.accessToken, s.accessToken);
    assert.equal((await code(app, res.body.accessToken)).status, 200);
  });

  it('when a rotated refresh token is presented again, then REFRESH_TOKEN_REUSED and the whole session is revoked', async () => {
    const s = await registerAndLogin(app);
    const first = await refresh(app, s.refreshToken);
    assert.equal(first.status, 200);
    app.clock.advance(11); // past REFRESH_REUSE_GRACE_SECONDS (10 s), see refresh-grace.test.ts
    const reuse = await refresh(app, s.refreshToken);
    assert.equal(reuse.status, 401);
    assert.equal(reuse.body.error.code, 'REFRESH_TOKEN_REUSED');
    assert.deepEqual(await code(app, first.body.accessToken), { status: 401, code: 'SESSION_TERMINATED' });
    assert.deepEqual(await code(app, s.accessToken), { status: 401, code: 'SESSION_TERMINATED' });
    const newest = await refresh(app, first.body.refreshToken);
    assert.equal(newest.status, 401);
    assert.ok(['INVALID_REFRESH_TOKEN', 'REFRESH_TOKEN_REUSED'].includes(newest.body.error.code), newest.body.error.code);
    // The reuse is visible to the user as a security event.
    const again = await app.http.post('/api/auth/login').send({ email: s.email, password: s.password });
    const events = await app.http.get('/api/user/security-events').set(bearer(again.body.accessToken));
    const reused = events.body.events.find((e: { type: string }) => e.type === 'refresh_token.reused');
    assert.ok(reused, 'refresh_token.reused event recorded');
    assert.equal(reused.metadata.sessionId, s.sessionId);
  });

  it('when an unknown or malformed refresh token is presented, then INVALID_REFRESH_TOKEN / VALIDATION_ERROR', async () => {
    const res = await refresh(app, 'this-token-was-never-issued-by-the-server-at-all');
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'INVALID_REFRESH_TOKEN');
    const missing = await app.http.post('/api/auth/refresh').send({});
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error.code, 'VALIDATION_ERROR');
    assert.equal(missing.body.error.details[0].field, 'refreshToken');
  });

  it('when 20 refreshes race with one token, then exactly one rotation happens and all get its successor', async () => {
    const s = await registerAndLogin(app);
    const results = await Promise.all(Array.from({ length: 20 }, () => refresh(app, s.refreshToken)));
    assert.deepEqual(results.map((r) => r.status), Array(20).fill(200));
    assert.equal(new Set(results.map((r) => r.body.refreshToken)).size, 1);
  });

  it('when a user logs out, then 204, its access token is SESSION_TERMINATED and its refresh token is refused', async () => {
    const s = await registerAndLogin(app);
    const out = await app.http.post('/api/auth/logout').set(bearer(s.accessToken));
    assert.equal(out.status, 204);
    assert.equal(out.text, '');
    assert.deepEqual(await code(app, s.accessToken), { status: 401, code: 'SESSION_TERMINATED' });
    const r = await refresh(app, s.refreshToken);
    assert.equal(r.status, 401);
    assert.equal(r.body.error.code, 'INVALID_REFRESH_TOKEN');
  });

  it('when a user logs out everywhere, then every session of the user is revoked and others are untouched', async () => {
    const a = await registerAndLogin(app);
    const second = await app.http.post('/api/auth/login').send({ email: a.email, password: a.password });
    assert.equal(second.status, 200);
    const stranger = await registerAndLogin(app);
    assert.equal((await app.http.post('/api/auth/logout-all').set(bearer(a.accessToken))).status, 204);
    assert.deepEqual(await code(app, a.accessToken), { status: 401, code: 'SESSION_TERMINATED' });
    assert.deepEqual(await code(app, second.body.accessToken), { status: 401, code: 'SESSION_TERMINATED' });
    assert.equal((await refresh(app, second.body.refreshToken)).body.error.code, 'INVALID_REFRESH_TOKEN');
    assert.equal((await code(app, stranger.accessToken)).status, 200);
  });

  it('when logout is called without a token, then 401 UNAUTHENTICATED', async () => {
    const res = await app.http.post('/api/auth/logout');
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'UNAUTHENTICATED');
  });

  it('when /validate gets a live token, then valid with sub, sid, role, email, username, aal and exp', async () => {
    const s = await registerAndLogin(app);
    const res = await app.http.get('/api/auth/validate').set(bearer(s.accessToken));
    assert.equal(res.status, 200);
    assert.equal(res.body.valid, true);
    const c = res.body.claims;
    assert.equal(c.sub, s.userId);
    assert.equal(c.sid, s.sessionId);
    assert.equal(c.role, 'user');
    assert.equal(c.email, s.email);
    assert.ok('username' in c);
    assert.equal(c.aal, 1);
    assert.equal(typeof c.exp, 'number');
    assert.ok(c.exp > Date.now() / 1000);
  });

  it('when /validate gets no token, garbage or a revoked token, then 200 valid:false with the reason', async () => {
    const none = await app.http.get('/api/auth/validate');
    assert.deepEqual([none.status, none.body], [200, { valid: false, reason: 'UNAUTHENTICATED' }]);
    const garbage = await app.http.get('/api/auth/validate').set(bearer('not.a.jwt'));
    assert.deepEqual([garbage.status, garbage.body], [200, { valid: false, reason: 'INVALID_TOKEN' }]);
    const s = await registerAndLogin(app);
    await app.http.post('/api/auth/logout').set(bearer(s.accessToken));
    const revoked = await app.http.get('/api/auth/validate').set(bearer(s.accessToken));
    assert.deepEqual([revoked.status, revoked.body], [200, { valid: false, reason: 'SESSION_TERMINATED' }]);
  });

  it('when JWKS is fetched, then RSA signing keys with kid, n, e are listed and the token kid is among them', async () => {
    const res = await app.http.get('/.well-known/jwks.json');
    assert.equal(res.status, 200);
    assert.ok(Array.isArray(res.body.keys) && res.body.keys.length >= 1);
    for (const k of res.body.keys) {
      assert.equal(k.kty, 'RSA');
      assert.equal(k.use, 'sig');
      assert.equal(k.alg, 'RS256');
      for (const f of ['kid', 'n', 'e']) assert.ok(typeof k[f] === 'string' && k[f].length > 0, f);
      assert.equal(k.d, undefined, 'private exponent must never be published');
    }
    const s = await registerAndLogin(app);
    const header = decodePart(s.accessToken, 0);
    assert.equal(header.alg, 'RS256');
    const jwk = res.body.keys.find((k: { kid: string }) => k.kid === header.kid);
    assert.ok(jwk, 'token kid must be in the JWKS');
    // The published key really verifies the token.
    const [h, p, sig] = s.accessToken.split('.');
    assert.ok(rsaVerify('sha256', Buffer.from(`${h}.${p}`), createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(sig, 'base64url')));
  });

  it('when an access token is decoded, then it carries sub, sid, role, aal, iat, exp, iss, aud and jti', async () => {
    const s = await registerAndLogin(app);
    const c = decodePart(s.accessToken, 1);
    assert.equal(c.sub, s.userId);
    assert.equal(c.sid, s.sessionId);
    assert.equal(c.role, 'user');
    assert.equal(c.aal, 1);
    assert.equal(c.iss, 'http://auth.test');
    assert.equal(c.aud, 'auth-test');
    assert.equal(typeof c.jti, 'string');
    assert.equal(c.exp - c.iat, 900);
    assert.ok(!('passwordHash' in c));
  });

  it('when the bearer header is missing, then UNAUTHENTICATED; when malformed, then INVALID_TOKEN', async () => {
    const res = await app.http.get('/api/user/me');
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'UNAUTHENTICATED');
    const empty = await app.http.get('/api/user/me').set('Authorization', 'Bearer');
    assert.equal(empty.status, 401);
    assert.equal(empty.body.error.code, 'INVALID_TOKEN');
  });

  it('when Authorization carries another scheme (Basic), then there is no bearer token: UNAUTHENTICATED', async () => {
    const basic = await app.http.get('/api/user/me').set('Authorization', `Basic ${Buffer.from('a:b').toString('base64')}`);
    assert.equal(basic.status, 401);
    assert.equal(basic.body.error.code, 'UNAUTHENTICATED');
    const v = await app.http.get('/api/auth/validate').set('Authorization', 'Basic YTpi');
    assert.deepEqual(v.body, { valid: false, reason: 'UNAUTHENTICATED' });
  });

  it('when forged tokens (alg none, HS256 with the public key, edited payload, unknown kid, wrong iss/aud) are sent, then 401 INVALID_TOKEN', async () => {
    const s = await registerAndLogin(app);
    const [h, p, sig] = s.accessToken.split('.') as [string, string, string];
    const header = decodePart(s.accessToken, 0);
    const claims = decodePart(s.accessToken, 1);
    const jwks = (await app.http.get('/.well-known/jwks.json')).body.keys;
    const publicPem = createPublicKey({ key: jwks[0], format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;
    const realKey = createPrivateKey(readFileSync(join(app.dataDir, 'keys', 'jwt-signing-key.pem'), 'utf8'));
    const { privateKey: strangerKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const fresh = { ...claims, jti: randomUUID() };

    const hsInput = `${b64({ alg: 'HS256', typ: 'JWT', kid: header.kid })}.${b64({ ...fresh, role: 'admin' })}`;
    const forgeries: Record<string, string> = {
      algNone: `${b64({ alg: 'none', typ: 'JWT', kid: header.kid })}.${b64({ ...fresh, role: 'admin' })}.`,
      hs256WithPublicKey: `${hsInput}.${createHmac('sha256', publicPem).update(hsInput).digest('base64url')}`,
      editedPayload: `${h}.${b64({ ...claims, role: 'admin' })}.${sig}`,
      unknownKid: rs256({ alg: 'RS256', typ: 'JWT', kid: 'not-a-published-kid' }, fresh, strangerKey),
      strangerKeyWithRealKid: rs256(header, fresh, strangerKey),
      wrongIssuer: rs256(header, { ...fresh, iss: 'https://evil.example' }, realKey),
      wrongAudience: rs256(header, { ...fresh, aud: 'some-other-service' }, realKey),
      truncatedSignature: `${h}.${p}.${sig.slice(0, -4)}`,
      garbage: 'abc.def.ghi',
    };
    // Sanity: the real key with the real claims is accepted, so refusals below are about the forgery.
    assert.equal((await code(app, rs256(header, fresh, realKey))).status, 200);
    for (const [name, token] of Object.entries(forgeries)) {
      assert.deepEqual(await code(app, token), { status: 401, code: 'INVALID_TOKEN' }, name);
    }
  });
});

describe('tokens: short ACCESS_TOKEN_TTL and SESSION_IDLE_TTL', () => {
  const app = useTestApp({ env: { ACCESS_TOKEN_TTL: '1', SESSION_IDLE_TTL: '60' } });

  it('when the access token is past exp, then 401 TOKEN_EXPIRED and /validate says TOKEN_EXPIRED', async () => {
    const s = await registerAndLogin(app);
    const login = await app.http.post('/api/auth/login').send({ email: s.email, password: s.password });
    assert.equal(login.body.expiresIn, 1);
    // exp is whole seconds (iat + 1), so the token dies within about a second: poll instead of sleeping 2.1 s.
    const expired = await waitFor('the 1 s access token to expire', () => code(app, s.accessToken), (c) => c.status === 401, { timeoutMs: 5_000, intervalMs: 50 });
    assert.deepEqual(expired, { status: 401, code: 'TOKEN_EXPIRED' });
    const v = await app.http.get('/api/auth/validate').set(bearer(s.accessToken));
    assert.deepEqual(v.body, { valid: false, reason: 'TOKEN_EXPIRED' });
    // The session itself is still alive: refreshing yields a working token.
    const r = await refresh(app, s.refreshToken);
    assert.equal(r.status, 200);
    assert.equal((await code(app, r.body.accessToken)).status, 200);
  });

  it('when a session is idle longer than SESSION_IDLE_TTL, then its refresh token is INVALID_REFRESH_TOKEN', async () => {
    const s = await registerAndLogin(app);
    app.clock.advance(30);
    const kept = await refresh(app, s.refreshToken); // activity within the window extends it
    assert.equal(kept.status, 200);
    app.clock.advance(61);
    const res = await refresh(app, kept.body.refreshToken);
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'INVALID_REFRESH_TOKEN');
  });
});
