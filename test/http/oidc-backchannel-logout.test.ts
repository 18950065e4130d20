// OIDC Back-Channel Logout 1.0 (issue 24): a client registered with a backchannel_logout_uri gets a signed
// logout_token (verified here with jose against the JWKS) within 2 s of the user signing out of the browser
// session its tokens came from; a receiver that fails is retried (the FakeClock skips the wait) and the
// delivery is in the audit log.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { bearer, registerAndLogin, useTestApp } from '../helpers/app';
import { approveAll, handleOf, issuerOf, nextStep, oidcEnv, openAuthorization, pkce, publicCodeClient, REDIRECT_URI, registerClient } from '../helpers/oidc';

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

describe('OIDC back-channel logout', () => {
  const app = useTestApp({ env: oidcEnv });
  let receiver: Server;
  let receiverUrl: string;
  /** Answers in order (then 200); every logout_token received, with the time it arrived. */
  const answers: number[] = [];
  const received: { token: string; at: number }[] = [];

  before(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const status = answers.shift() ?? 200;
        if (status === 200) received.push({ token: new URLSearchParams(body).get('logout_token') ?? '', at: Date.now() });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/backchannel-logout`;
  });
  after(() => new Promise<void>((r) => receiver.close(() => r())));

  async function signedInRp() {
    const rp = await registerClient(app, publicCodeClient('Logout RP', { backchannelLogoutUri: receiverUrl }));
    const config = await client.discovery(issuerOf(app), rp.id, undefined, client.None(), { execute: [client.allowInsecureRequests] });
    const user = await registerAndLogin(app);
    const { verifier, challenge } = await pkce();
    const url = client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256', state: 'bc' });
    const tokens = await client.authorizationCodeGrant(config, new URL(await approveAll(app, url, user.accessToken)), { pkceCodeVerifier: verifier, expectedState: 'bc' });
    return { rp, config, user, tokens };
  }

  async function waitForToken(count: number, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (received.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  }

  async function auditTypes(clientId: string): Promise<string[]> {
    const db = new pg.Client({ connectionString: app.database.url });
    await db.connect();
    try {
      const rows = await db.query(`SELECT type FROM "AuditEvent" WHERE metadata->>'clientId' = $1 AND type LIKE 'oauth.backchannel%' ORDER BY "createdAt"`, [clientId]);
      return rows.rows.map((r: { type: string }) => r.type);
    } finally {
      await db.end();
    }
  }

  /**
   * The audit types once the delivery is recorded: the relay writes its audit row after the receiver has
   * answered, so the token can be in the test's hands a moment before the row is in the database.
   */
  async function auditTypesOnceRecorded(clientId: string): Promise<string[]> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const types = await auditTypes(clientId);
      if (types.length > 0 || Date.now() > deadline) return types;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('when the user signs out of the browser session, then the client receives a verifiable logout_token with sid and events within 2 s', async () => {
    const { rp, config, user, tokens } = await signedInRp();
    const sid = tokens.claims()!.sid;
    const before = received.length;
    const signedOutAt = Date.now();
    assert.equal((await app.http.post('/api/auth/logout').set(bearer(user.accessToken))).status, 204);
    await waitForToken(before + 1, 2000);
    assert.equal(received.length, before + 1, 'a logout token arrived');
    assert.ok(received.at(-1)!.at - signedOutAt < 2000, `within 2 s (${received.at(-1)!.at - signedOutAt} ms)`);

    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
    const { payload, protectedHeader } = await jwtVerify(received.at(-1)!.token, jwks, { issuer: issuerOf(app).origin, audience: rp.id, algorithms: ['RS256'], typ: 'logout+jwt' });
    assert.equal(protectedHeader.typ, 'logout+jwt');
    assert.equal(payload.sid, sid);
    assert.equal(payload.sub, user.userId);
    assert.deepEqual(payload.events, { [EVENT]: {} });
    assert.equal(payload.nonce, undefined, 'a logout token has no nonce (§2.4)');
    assert.ok(typeof payload.jti === 'string' && typeof payload.iat === 'number');
    assert.deepEqual(await auditTypesOnceRecorded(rp.id), ['oauth.backchannel_logout.delivered']);
  });

  it('when the user removes the app in Connected apps, then its tokens end, its back-channel logout arrives and the next sign-in asks for consent again', async () => {
    const { rp, config, user, tokens } = await signedInRp();
    const list = await app.http.get('/api/user/connected-apps').set(bearer(user.accessToken));
    assert.equal(list.status, 200);
    assert.equal(list.body.apps.length, 1);
    const [entry] = list.body.apps;
    assert.deepEqual([entry.clientId, entry.name, entry.scopes, entry.activeSessions], [rp.id, 'Logout RP', ['openid'], 1]);
    assert.ok(entry.lastUsedAt);
    const before = received.length;
    const removed = await app.http.delete(`/api/user/connected-apps/${rp.id}`).set(bearer(user.accessToken));
    assert.equal(removed.status, 200);
    assert.equal(removed.body.sessionsEnded, 1);
    assert.equal((await app.http.get('/oauth/userinfo').set(bearer(tokens.access_token))).status, 401);
    await waitForToken(before + 1, 2000);
    assert.equal(received.length, before + 1, 'the back-channel logout arrived');
    assert.equal((await app.http.get('/api/user/connected-apps').set(bearer(user.accessToken))).body.apps.length, 0);
    assert.equal((await app.http.get('/api/user/me').set(bearer(user.accessToken))).status, 200, 'the browser session itself stays');
    assert.equal((await app.http.delete(`/api/user/connected-apps/${rp.id}`).set(bearer(user.accessToken))).status, 404);
    // The consent is forgotten: the same request shows the screen again.
    const { challenge } = await pkce();
    const url = client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256', state: 'again' });
    const handle = handleOf(await openAuthorization(url));
    assert.equal((await nextStep(app, handle, user.accessToken)).step, 'consent');
  });

  it('when the receiver fails at first, then the logout is retried until it is delivered', async () => {
    const { rp, user } = await signedInRp();
    const before = received.length;
    answers.push(503);
    assert.equal((await app.http.post('/api/auth/logout-all').set(bearer(user.accessToken))).status, 204);
    // The first attempt fails; the retry is due 5 s later: skip ahead instead of waiting.
    // Wait until the failure is recorded (its retry time written, then logged): advancing the clock before
    // that would put the retry 5 s after the advanced time, never due within this test.
    const deadline = Date.now() + 5000;
    const recorded = () => app.logs.some((l) => l.includes('back-channel logout not delivered; will retry'));
    while (!recorded() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    assert.equal(answers.length, 0, 'the first attempt was made');
    assert.ok(recorded(), 'the failed attempt was recorded');
    app.clock.advance(10_000);
    try {
      await waitForToken(before + 1, 10_000);
    } finally {
      app.clock.set(new Date());
    }
    assert.equal(received.length, before + 1, 'delivered on retry');
    assert.deepEqual(await auditTypesOnceRecorded(rp.id), ['oauth.backchannel_logout.delivered']);
  });
});
