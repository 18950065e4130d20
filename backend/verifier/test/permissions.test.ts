// Permissions in another service (issue 28): a second HTTP service verifies tokens locally with
// requirePermission / requireAnyPermission, logs one readable line per denial, looks up the set of a token
// too large to carry it, and refuses a token at once when the server takes the permission away (the user's
// sessions end and the revocation feed tells the service); and the named attribute policies (ownership,
// assurance level, network, time of day) with their denials logged by name.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { bearer, registerAndLogin, startTestApp, type TestApp } from '../../../test/helpers/app';
import { aalAtLeast, allOf, anyOf, createRevocationFeed, createVerifier, during, fromNetworks, ownerOf, type RevocationFeed, type VerifiedClaims } from '../src/index';
import { waitFor } from './helpers';

const ADMIN = { email: 'perm-admin@example.test', password: 'plum-Orbit-7-lantern' };

describe('permissions in a verifier-protected service', () => {
  let app: TestApp;
  let adminToken: string;
  let feed: RevocationFeed;
  let url: string;
  let close: () => Promise<void>;
  const denials: string[] = [];
  const lookups: string[] = [];

  const admin = (method: 'post' | 'patch' | 'get', path: string) => app.http[method](path).set(bearer(adminToken));
  const call = async (path: string, token: string) => {
    const res = await fetch(`${url}${path}`, { headers: bearer(token) });
    return { status: res.status, code: res.status === 200 ? null : ((await res.json()) as { error: { code: string } }).error.code };
  };
  /** A user holding `role`, with a token issued after the grant. */
  const holderOf = async (role: string) => {
    const user = await registerAndLogin(app);
    await admin('post', `/api/admin/users/${user.userId}/roles`).send({ role }).expect(200);
    const refreshed = await app.http.post('/api/auth/refresh').send({ refreshToken: user.refreshToken }).expect(200);
    return { ...user, accessToken: refreshed.body.accessToken as string };
  };

  before(async () => {
    // Two permissions fit in a token here; a larger set is left out of it (TOKEN_PERMISSIONS_MAX).
    app = await startTestApp({ env: { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, TOKEN_PERMISSIONS_MAX: '2' } });
    adminToken = (await app.http.post('/api/auth/login').send(ADMIN).expect(200)).body.accessToken;
    feed = createRevocationFeed({ sse: { url: `${app.url}/api/revocations/stream`, token: adminToken } });
    await feed.ready;
    // The lookup for tokens without the claim: the admin API, cached per user (a real service would expire it).
    const cache = new Map<string, readonly string[]>();
    const permissionsOf = async (claims: VerifiedClaims) => {
      lookups.push(claims.sub);
      if (!cache.has(claims.sub)) {
        const res = await admin('get', `/api/admin/users/${claims.sub}/roles`);
        cache.set(claims.sub, res.body.permissions as string[]);
      }
      return cache.get(claims.sub) ?? null;
    };
    const auth = createVerifier({ issuer: 'http://auth.test', audience: 'auth-test', jwksUri: `${app.url}/.well-known/jwks.json`, revocations: feed, onDeny: (line) => denials.push(line) });
    const lookingUp = createVerifier({ issuer: 'http://auth.test', audience: 'auth-test', jwksUri: `${app.url}/.well-known/jwks.json`, revocations: feed, permissionsOf, onDeny: (line) => denials.push(line) });
    const other = express();
    other.get('/orders', auth.requirePermission('orders:read'), (_req, res) => {
      res.json({ ok: true });
    });
    other.post('/orders/ship', auth.requireAuth(), auth.requirePermission('orders:read', 'orders:ship'), (_req, res) => {
      res.json({ ok: true });
    });
    other.get('/any', auth.requireAnyPermission(['orders:write', 'orders:read']), (_req, res) => {
      res.json({ ok: true });
    });
    other.get('/reports', lookingUp.requirePermission('reports:read'), (_req, res) => {
      res.json({ ok: true });
    });
    const server = other.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  });
  after(async () => {
    await close();
    await feed.close();
    await app.close();
  });

  it('when a user holds the permission, then the service lets them in; without it, 403 and one readable log line', async () => {
    await admin('post', '/api/admin/roles').send({ name: 'order-reader', permissions: ['orders:read'] }).expect(201);
    const reader = await holderOf('order-reader');
    assert.equal((await call('/orders', reader.accessToken)).status, 200);
    assert.equal((await call('/any', reader.accessToken)).status, 200);

    denials.length = 0;
    const shipped = await fetch(`${url}/orders/ship`, { method: 'POST', headers: bearer(reader.accessToken) });
    assert.equal(shipped.status, 403);
    assert.equal(((await shipped.json()) as { error: { code: string } }).error.code, 'FORBIDDEN');
    assert.equal(denials.length, 1);
    assert.equal(
      denials[0],
      `authorization denied: POST /orders/ship sub=${reader.userId} sid=${reader.sessionId} rule=requirePermission(orders:read, orders:ship) reason="missing orders:ship; token has orders:read"`,
    );

    const plain = await registerAndLogin(app);
    assert.deepEqual(await call('/any', plain.accessToken), { status: 403, code: 'FORBIDDEN' });
    assert.match(denials.at(-1) ?? '', /rule=requireAnyPermission\(orders:write, orders:read\) reason="none of orders:write orders:read; token has none"/);
    assert.deepEqual(await call('/orders', 'not-a-token'), { status: 401, code: 'INVALID_TOKEN' });
  });

  it('when a wildcard permission is held, then it covers every action of its resource only', async () => {
    await admin('post', '/api/admin/roles').send({ name: 'order-boss', permissions: ['orders:*'] }).expect(201);
    const boss = await holderOf('order-boss');
    assert.equal((await call('/orders', boss.accessToken)).status, 200);
    assert.equal((await call('/reports', boss.accessToken)).status, 403);
  });

  it('when the token carries no permissions (a set above TOKEN_PERMISSIONS_MAX), then a service with permissionsOf looks it up; one without denies', async () => {
    await admin('post', '/api/admin/roles').send({ name: 'analyst', permissions: ['reports:read', 'reports:export', 'orders:read'] }).expect(201);
    const analyst = await holderOf('analyst');
    lookups.length = 0;
    assert.equal((await call('/reports', analyst.accessToken)).status, 200);
    assert.equal((await call('/reports', analyst.accessToken)).status, 200);
    assert.deepEqual(lookups, [analyst.userId, analyst.userId]);
    assert.equal((await call('/orders', analyst.accessToken)).status, 403);
    assert.match(denials.at(-1) ?? '', /the token carries no permissions claim/);
  });

  it('when the server takes the permission away, then the service refuses the token within 1 s', async (t) => {
    await admin('post', '/api/admin/roles').send({ name: 'order-clerk', permissions: ['orders:read', 'orders:ship'] }).expect(201);
    const clerk = await holderOf('order-clerk');
    assert.equal((await call('/orders', clerk.accessToken)).status, 200);
    await admin('patch', '/api/admin/roles/order-clerk').send({ permissions: ['orders:ship'] }).expect(200);
    const elapsed = await waitFor(async () => (await call('/orders', clerk.accessToken)).code === 'SESSION_TERMINATED', 1000, 'SESSION_TERMINATED');
    t.diagnostic(`a removed permission was refused by the other service ${elapsed.toFixed(1)} ms after the change answered`);
    const revocation = await waitFor(() => feed.isRevoked(clerk.sessionId), 1000, 'the feed to name the session');
    assert.ok(revocation >= 0);
  });
});

describe('named policies in a verifier-protected service', () => {
  let app: TestApp;
  let url: string;
  let close: () => Promise<void>;
  const denials: string[] = [];
  const noon = () => new Date('2026-12-06T12:30:00Z');

  before(async () => {
    app = await startTestApp();
    const auth = createVerifier({ issuer: 'http://auth.test', audience: 'auth-test', jwksUri: `${app.url}/.well-known/jwks.json`, onDeny: (line) => denials.push(line) });
    const other = express();
    const ok = (_req: express.Request, res: express.Response) => void res.json({ ok: true });
    other.get('/users/:id', auth.requirePolicy(ownerOf('id')), ok);
    other.post('/payouts', auth.requirePolicy(aalAtLeast(2)), ok);
    other.get('/internal', auth.requirePolicy(fromNetworks(['127.0.0.0/8', '::1/128'])), ok);
    other.get('/office', auth.requirePolicy(fromNetworks(['10.0.0.0/8'])), ok);
    other.get('/day', auth.requirePolicy(allOf(during({ fromHour: 9, toHour: 17, now: noon }), fromNetworks(['127.0.0.1']))), ok);
    other.get('/night', auth.requirePolicy(anyOf(during({ fromHour: 22, toHour: 6, now: noon }), aalAtLeast(2))), ok);
    const server = other.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  });
  after(async () => {
    await close();
    await app.close();
  });

  const status = async (path: string, token: string, method = 'GET') => (await fetch(`${url}${path}`, { method, headers: bearer(token) })).status;

  it('when ownership, assurance level, network and time rules decide, then only matching callers pass and each denial is logged by name', async () => {
    const user = await registerAndLogin(app);
    assert.equal(await status(`/users/${user.userId}`, user.accessToken), 200);
    assert.equal(await status('/users/someone-else', user.accessToken), 403);
    assert.match(denials.at(-1) ?? '', new RegExp(`^authorization denied: GET /users/someone-else sub=${user.userId} sid=\\S+ rule=policy\\(owner of :id\\) reason="the policy refused"$`));
    assert.equal(await status('/payouts', user.accessToken, 'POST'), 403, 'a password-only session is aal 1');
    assert.match(denials.at(-1) ?? '', /rule=policy\(aal >= 2\)/);
    assert.equal(await status('/internal', user.accessToken), 200);
    assert.equal(await status('/office', user.accessToken), 403);
    assert.equal(await status('/day', user.accessToken), 200);
    assert.equal(await status('/night', user.accessToken), 403);
    assert.match(denials.at(-1) ?? '', /rule=policy\(during 22:00-6:00 UTC or aal >= 2\)/);
  });
});
