// Issue 25: the Device Authorization Grant (RFC 8628) over HTTP. openid-client's initiateDeviceAuthorization
// and pollDeviceAuthorizationGrant against the server while the user enters the code as the /device page does
// (POST /api/oauth/device/lookup and /decision, same-origin, with the web app's token); every poll answer of
// RFC 8628 §3.5 (authorization_pending, slow_down with the interval grown by 5 s, access_denied,
// expired_token on the app's FakeClock), a wrong user code, a device code used twice, a client without the grant.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import pg from 'pg';
import type { TestApp } from '../helpers/app';
import { bearer, claimsOf, registerAndLogin, useTestApp } from '../helpers/app';
import { issuerOf, oidcEnv, originOf, registerClient } from '../helpers/oidc';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

async function auditTypes(app: TestApp, deviceAuthorizationId: string): Promise<string[]> {
  const db = new pg.Client({ connectionString: app.database.url });
  await db.connect();
  try {
    const rows = await db.query(`SELECT type FROM "AuditEvent" WHERE metadata->>'deviceAuthorizationId' = $1 ORDER BY "createdAt"`, [deviceAuthorizationId]);
    return rows.rows.map((r) => r.type as string);
  } finally {
    await db.end();
  }
}

async function deviceRow(app: TestApp, clientId: string): Promise<{ id: string; device_code_hash: string; user_code_hash: string }> {
  const db = new pg.Client({ connectionString: app.database.url });
  await db.connect();
  try {
    return (await db.query(`SELECT id, device_code_hash, user_code_hash FROM oauth_device_authorizations WHERE client_id = $1 ORDER BY created_at DESC LIMIT 1`, [clientId])).rows[0];
  } finally {
    await db.end();
  }
}

describe('device authorization grant (RFC 8628)', () => {
  const app = useTestApp({ env: { ...oidcEnv, RATE_LIMIT_AUTH_PER_MIN: '1000', RATE_LIMIT_ACCOUNT_PER_MIN: '8' } });
  let tv: { id: string };
  let codeOnly: { id: string };

  before(async () => {
    tv = await registerClient(app, { name: 'Living room TV', type: 'public', grantTypes: [DEVICE_GRANT, 'refresh_token'], allowedScopes: ['media:watch', 'media:buy'], defaultScopes: ['media:watch'] });
    codeOnly = await registerClient(app, { name: 'No device grant', type: 'public', grantTypes: ['password', 'refresh_token'], allowedScopes: ['media:watch'] });
  });

  const form = (fields: Record<string, string>) => app.http.post('/oauth/device_authorization').type('form').send(fields);
  const poll = (clientId: string, deviceCode: string) => app.http.post('/oauth/token').type('form').send({ grant_type: DEVICE_GRANT, device_code: deviceCode, client_id: clientId });
  const lookup = (token: string, userCode: string) => app.http.post('/api/oauth/device/lookup').set(bearer(token)).set('Origin', originOf(app)).send({ userCode });
  const decide = (token: string, userCode: string, approve: boolean) => app.http.post('/api/oauth/device/decision').set(bearer(token)).set('Origin', originOf(app)).send({ userCode, approve });

  async function start(scope = 'media:watch') {
    const res = await form({ client_id: tv.id, scope });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as { device_code: string; user_code: string; verification_uri: string; verification_uri_complete: string; expires_in: number; interval: number };
  }

  it('when the metadata is read, then both documents advertise the device authorization endpoint and the grant', async () => {
    const base = issuerOf(app).origin;
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      const meta = (await app.http.get(path)).body;
      assert.equal(meta.device_authorization_endpoint, `${base}/oauth/device_authorization`);
      assert.ok(meta.grant_types_supported.includes(DEVICE_GRANT));
    }
  });

  it('when openid-client starts the flow and the user approves on /device, then its polling gets RFC 9068 tokens that refresh, and each step is audited', async () => {
    const config = await client.discovery(issuerOf(app), tv.id, undefined, client.None(), { execute: [client.allowInsecureRequests] });
    const response = await client.initiateDeviceAuthorization(config, { scope: 'media:watch media:buy' });
    assert.match(response.user_code, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    assert.equal(response.verification_uri, `${issuerOf(app).origin}/device`);
    assert.equal(response.verification_uri_complete, `${issuerOf(app).origin}/device?user_code=${response.user_code}`);
    assert.equal(response.expires_in, 600);
    assert.equal(response.interval, 5);

    const user = await registerAndLogin(app);
    // Typed as people type it: lower case, no hyphen.
    const typed = response.user_code.replace('-', '').toLowerCase();
    const shown = await lookup(user.accessToken, typed);
    assert.equal(shown.status, 200, JSON.stringify(shown.body));
    assert.equal(shown.body.client.name, 'Living room TV');
    assert.deepEqual(shown.body.scopes, ['media:watch', 'media:buy']);
    const polling = client.pollDeviceAuthorizationGrant(config, response);
    const approved = await decide(user.accessToken, response.user_code, true);
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    const tokens = await polling;

    const claims = claimsOf(tokens.access_token);
    assert.equal(claims.sub, user.userId);
    assert.equal(claims.client_id, tv.id);
    assert.equal(claims.scope, 'media:watch media:buy');
    const header = JSON.parse(Buffer.from(tokens.access_token.split('.')[0], 'base64url').toString());
    assert.equal(header.typ, 'at+jwt');
    assert.ok(tokens.refresh_token);
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
    assert.equal(claimsOf(refreshed.access_token).client_id, tv.id);

    // The decision is spent: the code cannot be looked up again.
    assert.equal((await lookup(user.accessToken, response.user_code)).status, 404);
    // Connected apps lists the TV (its consent was remembered).
    const apps = await app.http.get('/api/user/connected-apps').set(bearer(user.accessToken));
    assert.ok(JSON.stringify(apps.body).includes(tv.id), JSON.stringify(apps.body));
    const row = await deviceRow(app, tv.id);
    assert.deepEqual(await auditTypes(app, row.id), ['oauth.device.requested', 'oauth.device.approved']);
    assert.notEqual(row.user_code_hash, response.user_code.replace('-', ''), 'stored hashed');
    assert.match(row.device_code_hash, /^[0-9a-f]{64}$/);
  });

  it('when the client polls before the user answers, then authorization_pending; faster than the interval, slow_down and the interval grows by 5 s', async () => {
    const issued = await start();
    const first = await poll(tv.id, issued.device_code);
    assert.equal(first.status, 400);
    assert.equal(first.body.error, 'authorization_pending');
    const tooSoon = await poll(tv.id, issued.device_code);
    assert.equal(tooSoon.body.error, 'slow_down');
    assert.match(tooSoon.body.error_description, /10 seconds/);
    // 6 s later is past the first interval (5) but not the grown one (10): still too fast.
    app.clock.advance(6);
    assert.equal((await poll(tv.id, issued.device_code)).body.error, 'slow_down');
    app.clock.advance(16);
    assert.equal((await poll(tv.id, issued.device_code)).body.error, 'authorization_pending');
  });

  it('when the user denies, then the next poll is access_denied', async () => {
    const issued = await start();
    const user = await registerAndLogin(app);
    const denied = await decide(user.accessToken, issued.user_code, false);
    assert.deepEqual(denied.body, { approved: false });
    const res = await poll(tv.id, issued.device_code);
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'access_denied');
    assert.deepEqual(await auditTypes(app, (await deviceRow(app, tv.id)).id), ['oauth.device.requested', 'oauth.device.denied']);
  });

  it('when the device code has expired, then the poll is expired_token and the user code is no longer accepted', async () => {
    const issued = await start();
    app.clock.advance(issued.expires_in + 1);
    const res = await poll(tv.id, issued.device_code);
    assert.equal(res.body.error, 'expired_token');
    const user = await registerAndLogin(app);
    assert.equal((await lookup(user.accessToken, issued.user_code)).status, 404);
  });

  it('when a wrong user code is entered, then 404 NOT_FOUND, recorded; a malformed one too; and guessing is stopped by the per-user limit', async () => {
    const user = await registerAndLogin(app);
    const wrong = await lookup(user.accessToken, 'BCDF-GHJK');
    assert.equal(wrong.status, 404);
    assert.equal(wrong.body.error.code, 'NOT_FOUND');
    assert.equal((await decide(user.accessToken, 'AAAA-0000', true)).status, 404);
    let limited = false;
    for (let i = 0; i < 10 && !limited; i++) limited = (await lookup(user.accessToken, 'ZZZZ-ZZZZ')).status === 429;
    assert.ok(limited, 'the per-user limit answers 429');
    const db = new pg.Client({ connectionString: app.database.url });
    await db.connect();
    const rows = await db.query(`SELECT count(*)::int AS n FROM "AuditEvent" WHERE type = 'oauth.device.code_refused' AND "userId" = $1`, [user.userId]);
    await db.end();
    assert.ok(rows.rows[0].n >= 2);
  });

  it('when a device code is used again after its tokens were issued, then invalid_grant and the tokens issued from it are revoked', async () => {
    const issued = await start();
    const user = await registerAndLogin(app);
    await decide(user.accessToken, issued.user_code, true);
    const ok = await poll(tv.id, issued.device_code);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const again = await poll(tv.id, issued.device_code);
    assert.equal(again.status, 400);
    assert.equal(again.body.error, 'invalid_grant');
    const refresh = await app.http.post('/oauth/token').type('form').send({ grant_type: 'refresh_token', refresh_token: ok.body.refresh_token, client_id: tv.id });
    assert.equal(refresh.status, 400, JSON.stringify(refresh.body));
    assert.deepEqual(await auditTypes(app, (await deviceRow(app, tv.id)).id), ['oauth.device.requested', 'oauth.device.approved', 'oauth.device.replayed']);
  });

  it('when a client without the device grant asks, then unauthorized_client, at the device endpoint and when it polls another client\'s code', async () => {
    const res = await form({ client_id: codeOnly.id });
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'unauthorized_client');
    const issued = await start();
    assert.equal((await poll(codeOnly.id, issued.device_code)).body.error, 'unauthorized_client');
    assert.equal((await form({ client_id: tv.id, scope: 'admin:all' })).body.error, 'invalid_scope');
    assert.equal((await form({ client_id: 'nobody' })).status, 401);
  });
});
