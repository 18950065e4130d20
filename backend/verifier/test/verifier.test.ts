import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import supertest from 'supertest';
import { registerAndLogin, startTestApp, type TestApp } from '../../../test/helpers/app';
import { createVerifier, VerifierError } from '../src/index';
import { forgeToken, payloadOf, serveService, startJwksProxy } from './helpers';

const ISSUER = 'http://auth.test';
const AUDIENCE = 'auth-test';

async function rejects(promise: Promise<unknown>, code: string) {
  await assert.rejects(promise, (err: unknown) => err instanceof VerifierError && err.code === code);
}

describe('verifier against a running server', () => {
  let app: TestApp;
  let jwksUri: string;
  before(async () => {
    app = await startTestApp();
    jwksUri = `${app.url}/.well-known/jwks.json`;
  });
  after(() => app.close());

  it('when a token from the server is verified, then its claims come back', async () => {
    const user = await registerAndLogin(app);
    const verifier = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri });
    const claims = await verifier.verify(user.accessToken);
    assert.equal(claims.sub, user.userId);
    assert.equal(claims.sid, user.sessionId);
    assert.equal(claims.role, 'user');
    assert.equal(claims.email, user.email);
  });

  it('when the issuer or audience differs, then INVALID_TOKEN', async () => {
    const user = await registerAndLogin(app);
    await rejects(createVerifier({ issuer: 'http://other', audience: AUDIENCE, jwksUri }).verify(user.accessToken), 'INVALID_TOKEN');
    await rejects(createVerifier({ issuer: ISSUER, audience: 'other', jwksUri }).verify(user.accessToken), 'INVALID_TOKEN');
  });

  it('when the clock is past exp beyond the tolerance, then TOKEN_EXPIRED; within it, accepted', async () => {
    const user = await registerAndLogin(app);
    const exp = payloadOf(user.accessToken).exp as number;
    const at = (seconds: number) => createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri, clockTolerance: 5, now: () => new Date(seconds * 1000) });
    assert.equal((await at(exp + 4).verify(user.accessToken)).sub, user.userId);
    await rejects(at(exp + 6).verify(user.accessToken), 'TOKEN_EXPIRED');
  });

  it('when a token is not yet valid (nbf) or was tampered with, then INVALID_TOKEN', async () => {
    const user = await registerAndLogin(app);
    const verifier = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri });
    const [h, , s] = user.accessToken.split('.');
    const body = Buffer.from(JSON.stringify({ ...payloadOf(user.accessToken), role: 'admin' })).toString('base64url');
    await rejects(verifier.verify(`${h}.${body}.${s}`), 'INVALID_TOKEN');
    await rejects(verifier.verify('not-a-jwt'), 'INVALID_TOKEN');
    await rejects(verifier.verify(''), 'UNAUTHENTICATED');
    const { token } = await forgeToken({ sub: 'x', iss: ISSUER, aud: AUDIENCE, nbf: Math.floor(Date.now() / 1000) + 600 });
    await rejects(verifier.verify(token), 'INVALID_TOKEN');
  });

  it('when a token uses another algorithm (none, HS256 keyed with the public key), then INVALID_TOKEN', async () => {
    const verifier = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri });
    const user = await registerAndLogin(app);
    const payload = Buffer.from(JSON.stringify(payloadOf(user.accessToken))).toString('base64url');
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
    await rejects(verifier.verify(none), 'INVALID_TOKEN');
    const jwks = (await app.http.get('/.well-known/jwks.json')).body as { keys: { kid: string; n: string }[] };
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', kid: jwks.keys[0].kid })).toString('base64url');
    const mac = createHmac('sha256', jwks.keys[0].n).update(`${header}.${payload}`).digest('base64url');
    await rejects(verifier.verify(`${header}.${payload}.${mac}`), 'INVALID_TOKEN');
  });

  it('when the key set cannot be fetched, then AUTH_UNAVAILABLE (not a bad token)', async () => {
    const user = await registerAndLogin(app);
    const verifier = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: `${app.url}/no-such-jwks.json` });
    await rejects(verifier.verify(user.accessToken), 'AUTH_UNAVAILABLE');
  });

  // Found by the chaos soak (issue 32): the fail-closed 503 had no Retry-After, unlike the server's own.
  it('when the key set cannot be fetched, then the Express helper answers 503 AUTH_UNAVAILABLE with Retry-After', async () => {
    const user = await registerAndLogin(app);
    const auth = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: `${app.url}/no-such-jwks.json` });
    const other = express();
    other.get('/work', auth.requireAuth(), (_req, res) => {
      res.json({ ok: true });
    });
    const res = await supertest(other).get('/work').set('Authorization', `Bearer ${user.accessToken}`);
    assert.equal(res.status, 503);
    assert.equal(res.body.error.code, 'AUTH_UNAVAILABLE');
    assert.ok(Number(res.headers['retry-after']) >= 1, `Retry-After: ${res.headers['retry-after']}`);
  });
});

describe('key rotation and unknown kids', () => {
  let oldKeys: TestApp;
  let newKeys: TestApp;
  before(async () => {
    // Two servers with the same issuer and audience but their own signing keys (separate DATA_DIRs):
    // switching the proxy from one key set to the other is a key rotation as the verifier sees it.
    [oldKeys, newKeys] = await Promise.all([startTestApp(), startTestApp()]);
  });
  after(async () => {
    await Promise.all([oldKeys.close(), newKeys.close()]);
  });

  it('when the server rotates its key, then a token with the new kid verifies without restarting the verifier', async () => {
    const proxy = await startJwksProxy(`${oldKeys.url}/.well-known/jwks.json`);
    try {
      const verifier = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: proxy.url, jwksCooldownMs: 0 });
      const before = await registerAndLogin(oldKeys);
      assert.equal((await verifier.verify(before.accessToken)).sub, before.userId);
      assert.equal(proxy.state.hits, 1);
      await verifier.verify(before.accessToken);
      assert.equal(proxy.state.hits, 1, 'keys are cached');

      proxy.state.upstream = `${newKeys.url}/.well-known/jwks.json`;
      const rotated = await registerAndLogin(newKeys);
      assert.equal((await verifier.verify(rotated.accessToken)).sub, rotated.userId);
      assert.equal(proxy.state.hits, 2, 'the unknown kid caused exactly one refetch');
    } finally {
      await proxy.close();
    }
  });

  it('when a flood of tokens names unknown kids, then the key set is fetched at most once per cooldown', async () => {
    const proxy = await startJwksProxy(`${oldKeys.url}/.well-known/jwks.json`);
    try {
      const verifier = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: proxy.url, jwksCooldownMs: 60_000 });
      const user = await registerAndLogin(oldKeys);
      await verifier.verify(user.accessToken);
      assert.equal(proxy.state.hits, 1);
      const forged = await Promise.all(Array.from({ length: 20 }, (_, i) => forgeToken({ sub: 'x', iss: ISSUER, aud: AUDIENCE }, { kid: `unknown-${i}` })));
      const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => verifier.verify(forged[i % forged.length].token)));
      assert.ok(results.every((r) => r.status === 'rejected' && (r.reason as VerifierError).code === 'INVALID_TOKEN'));
      assert.equal(proxy.state.hits, 1, 'no refetch inside the cooldown');
      assert.equal((await verifier.verify(user.accessToken)).sub, user.userId);
    } finally {
      await proxy.close();
    }
  });
});

describe('Express helpers', () => {
  let app: TestApp;
  let service: ReturnType<typeof supertest>;
  let close: () => Promise<void>;
  before(async () => {
    app = await startTestApp({ env: { ADMIN_EMAIL: 'root@example.test', ADMIN_PASSWORD: 'plum-Orbit-7-lantern' } });
    const auth = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: `${app.url}/.well-known/jwks.json` });
    const other = express();
    other.get('/me', auth.requireAuth(), (req, res) => {
      res.json({ sub: (req as unknown as { auth: { sub: string } }).auth.sub });
    });
    other.get('/admin', auth.requireAuth(), auth.requireRole('admin'), (_req, res) => {
      res.json({ ok: true });
    });
    other.get('/reports', auth.requireScope('reports:read'), (_req, res) => {
      res.json({ ok: true });
    });
    other.get('/users/:id', auth.requirePolicy((claims, req) => claims.sub === req.params.id || claims.role === 'admin'), (_req, res) => {
      res.json({ ok: true });
    });
    ({ service, close } = await serveService(other));
  });
  after(async () => {
    await close();
    await app.close();
  });

  it('when no bearer token is sent, then 401 UNAUTHENTICATED in the server error shape', async () => {
    const res = await service.get('/me').expect(401);
    assert.deepEqual(res.body, { error: { code: 'UNAUTHENTICATED', message: 'Authentication required' } });
    assert.equal(res.headers['www-authenticate'], 'Bearer');
    assert.equal((await service.get('/me').set('Authorization', 'Bearer')).body.error.code, 'INVALID_TOKEN');
    assert.equal((await service.get('/me').set('Authorization', 'Bearer abc.def.ghi')).body.error.code, 'INVALID_TOKEN');
  });

  it('when a valid token is sent, then the claims are on req.auth', async () => {
    const user = await registerAndLogin(app);
    const res = await service.get('/me').set('Authorization', `Bearer ${user.accessToken}`).expect(200);
    assert.equal(res.body.sub, user.userId);
  });

  it('when the role does not match, then 403 FORBIDDEN; an admin passes', async () => {
    const user = await registerAndLogin(app);
    const res = await service.get('/admin').set('Authorization', `Bearer ${user.accessToken}`).expect(403);
    assert.equal(res.body.error.code, 'FORBIDDEN');
    const admin = await app.http.post('/api/auth/login').send({ email: 'root@example.test', password: 'plum-Orbit-7-lantern' }).expect(200);
    await service.get('/admin').set('Authorization', `Bearer ${admin.body.accessToken}`).expect(200);
  });

  it('when the token lacks a required scope, then 403 FORBIDDEN', async () => {
    const user = await registerAndLogin(app);
    const res = await service.get('/reports').set('Authorization', `Bearer ${user.accessToken}`).expect(403);
    assert.equal(res.body.error.code, 'FORBIDDEN');
    await service.get('/reports').expect(401);
  });

  it('when a policy decides on claims and the request, then only matching callers pass', async () => {
    const user = await registerAndLogin(app);
    await service.get(`/users/${user.userId}`).set('Authorization', `Bearer ${user.accessToken}`).expect(200);
    const res = await service.get('/users/someone-else').set('Authorization', `Bearer ${user.accessToken}`).expect(403);
    assert.equal(res.body.error.code, 'FORBIDDEN');
  });
});
