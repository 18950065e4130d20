// Instant revocation in another service: a second HTTP service (its own Express server on its own port)
// verifies tokens locally and learns revocations from the Sessionary server over SSE or NATS.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { connect, type NatsConnection } from 'nats';
import { bearer, registerAndLogin, startTestApp, type TestApp } from '../../../test/helpers/app';
import { createRevocationFeed, createVerifier, type RevocationFeed, type RevocationFeedOptions } from '../src/index';
import { startCuttableProxy, waitFor } from './helpers';

const NATS_URL = process.env.TEST_NATS_URL || 'nats://127.0.0.1:4222';
const ADMIN = { email: 'feed-admin@example.test', password: 'plum-Orbit-7-lantern' };

/** Another service: one protected route, verified locally. */
async function startOtherService(app: TestApp, feed: RevocationFeed) {
  const auth = createVerifier({ issuer: 'http://auth.test', audience: 'auth-test', jwksUri: `${app.url}/.well-known/jwks.json`, revocations: feed });
  const other = express();
  other.get('/work', auth.requireAuth(), (_req, res) => {
    res.json({ ok: true });
  });
  const server = other.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/work`;
  return {
    call: async (token: string) => {
      const res = await fetch(url, { headers: bearer(token) });
      return { status: res.status, code: res.status === 200 ? null : ((await res.json()) as { error: { code: string } }).error.code };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const requestLines = (app: TestApp) => app.logs.filter((l) => l.includes('"method"') && l.includes('"path"')).length;

async function adminToken(app: TestApp): Promise<string> {
  const res = await app.http.post('/api/auth/login').send(ADMIN).expect(200);
  return res.body.accessToken as string;
}

describe('revocations over Server-Sent Events', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ env: { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password } });
  });
  after(() => app.close());

  it('when a user logs out, then the other service refuses the token within 1 s, with no call to the server per request', async (t) => {
    const token = await adminToken(app);
    const feed = createRevocationFeed({ sse: { url: `${app.url}/api/revocations/stream`, token } });
    await feed.ready;
    const other = await startOtherService(app, feed);
    try {
      const user = await registerAndLogin(app);
      assert.equal((await other.call(user.accessToken)).status, 200); // also loads the JWKS once
      const linesBefore = requestLines(app);
      assert.ok(linesBefore > 0, 'the server logs every request it answers');
      for (let i = 0; i < 20; i++) assert.equal((await other.call(user.accessToken)).status, 200);
      assert.equal(requestLines(app), linesBefore, 'verifying needs no request to the server');

      await app.http.post('/api/auth/logout').set(bearer(user.accessToken)).expect(204);
      const elapsed = await waitFor(async () => (await other.call(user.accessToken)).code === 'SESSION_TERMINATED', 1000, 'SESSION_TERMINATED');
      t.diagnostic(`revocation reached the other service over SSE in ${elapsed.toFixed(1)} ms after the logout answered`);
    } finally {
      await other.close();
      await feed.close();
    }
  });

  it('when the stream opens, then it starts with a snapshot of revocations made before', async () => {
    const user = await registerAndLogin(app);
    await app.http.post('/api/auth/logout').set(bearer(user.accessToken)).expect(204);
    const seen: string[] = [];
    const feed = createRevocationFeed({ sse: { url: `${app.url}/api/revocations/stream`, token: await adminToken(app) }, onRevoked: (r) => seen.push(`${r.sessionId}:${r.reason}`) });
    try {
      await feed.ready;
      assert.ok(feed.isRevoked(user.sessionId));
      assert.ok(seen.includes(`${user.sessionId}:logout`), 'the reason travels with the revocation');
    } finally {
      await feed.close();
    }
  });

  it('when the feed is cut, then it fails closed after the bound, and after reconnecting it knows what was revoked meanwhile', async () => {
    const proxy = await startCuttableProxy(Number(new URL(app.url).port));
    const options: RevocationFeedOptions = { sse: { url: `${proxy.url}/api/revocations/stream`, token: await adminToken(app) }, maxStaleMs: 0, reconnectDelayMs: 20 };
    const closedFeed = createRevocationFeed(options);
    const openFeed = createRevocationFeed({ ...options, failMode: 'open' });
    const closedService = await startOtherService(app, closedFeed);
    const openService = await startOtherService(app, openFeed);
    try {
      await Promise.all([closedFeed.ready, openFeed.ready]);
      const stays = await registerAndLogin(app);
      const revoked = await registerAndLogin(app);
      assert.equal((await closedService.call(stays.accessToken)).status, 200);

      proxy.cut();
      await waitFor(() => !closedFeed.isConnected() && !openFeed.isConnected(), 2000, 'the feeds to notice the cut');
      assert.deepEqual(await closedService.call(stays.accessToken), { status: 503, code: 'AUTH_UNAVAILABLE' });
      assert.equal((await openService.call(stays.accessToken)).status, 200);

      await app.http.post('/api/auth/logout').set(bearer(revoked.accessToken)).expect(204);
      proxy.restore();
      await waitFor(() => closedFeed.isConnected() && openFeed.isConnected(), 5000, 'the feeds to reconnect');
      assert.equal((await closedService.call(revoked.accessToken)).code, 'SESSION_TERMINATED');
      assert.equal((await openService.call(revoked.accessToken)).code, 'SESSION_TERMINATED');
      assert.equal((await closedService.call(stays.accessToken)).status, 200);
    } finally {
      await Promise.all([closedService.close(), openService.close(), closedFeed.close(), openFeed.close()]);
      await proxy.close();
    }
  });

  it('when the caller is neither an admin nor holds revocations:read, then 403 FORBIDDEN; without a token 401', async () => {
    const user = await registerAndLogin(app);
    const res = await app.http.get('/api/revocations/stream').set(bearer(user.accessToken)).expect(403);
    assert.equal(res.body.error.code, 'FORBIDDEN');
    assert.equal((await app.http.get('/api/revocations/stream').expect(401)).body.error.code, 'UNAUTHENTICATED');
  });
});

describe('revocations over NATS', () => {
  let app: TestApp;
  let nc: NatsConnection;
  const prefix = `test.${randomBytes(6).toString('hex')}.`;
  const stream = `TEST_REVOKE_${randomBytes(4).toString('hex')}`;
  before(async () => {
    app = await startTestApp({ env: { NATS_URL }, natsSubjectPrefix: prefix, events: { stream, subjectPrefix: `${prefix}auth.events` } });
    nc = await connect({ servers: NATS_URL });
  });
  after(async () => {
    await (await nc.jetstreamManager()).streams.delete(stream).catch(() => undefined);
    await nc.close();
    await app.close();
  });

  it('when a session is revoked, then the other service refuses its token within 1 s', async (t) => {
    const before = await registerAndLogin(app);
    await app.http.post('/api/auth/logout').set(bearer(before.accessToken)).expect(204);
    const feed = createRevocationFeed({ nats: { connection: nc, subjectPrefix: `${prefix}auth.revocations` } });
    const other = await startOtherService(app, feed);
    try {
      await feed.ready;
      assert.equal((await other.call(before.accessToken)).code, 'SESSION_TERMINATED', 'the snapshot carries earlier revocations');

      const user = await registerAndLogin(app);
      const second = await app.http.post('/api/auth/login').send({ email: user.email, password: user.password }).expect(200);
      assert.equal((await other.call(user.accessToken)).status, 200);
      await app.http.delete(`/api/user/sessions/${user.sessionId}`).set(bearer(second.body.accessToken)).expect(204);
      const elapsed = await waitFor(async () => (await other.call(user.accessToken)).code === 'SESSION_TERMINATED', 1000, 'SESSION_TERMINATED');
      t.diagnostic(`revocation reached the other service over NATS in ${elapsed.toFixed(1)} ms after the revoke answered`);
      assert.equal((await other.call(second.body.accessToken)).status, 200);
    } finally {
      await other.close();
      await feed.close();
    }
  });
});
