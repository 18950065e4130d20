// Issue 26: passkeys over HTTP, with real WebAuthn responses from a software authenticator (the server
// verifies them with @simplewebauthn/server): registration, list/rename/remove, passwordless sign-in, the
// passkey second factor, and the refusals (wrong origin, replayed challenge, another user's credential,
// cloned authenticator, stale re-authentication).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateTotpCode } from '../../backend/src/infrastructure/two-factor/totp';
import { bearer, claimsOf, freshTotpStep, registerAndLogin, TEST_PASSWORD, useTestApp, type TestApp } from '../helpers/app';
import { SoftAuthenticator } from '../helpers/soft-authenticator';

const ORIGIN = 'https://id.acme.test';
const APP_ORIGIN = 'https://app.acme.test';

type Signed = Awaited<ReturnType<typeof registerAndLogin>>;

async function addPasskey(app: TestApp, user: Signed, authenticator = new SoftAuthenticator({ origin: ORIGIN }), name?: string) {
  const options = await app.http.post('/api/user/passkeys/registration/options').set(bearer(user.accessToken)).send({});
  assert.equal(options.status, 200, JSON.stringify(options.body));
  const credential = authenticator.create(options.body.options);
  const verified = await app.http.post('/api/user/passkeys/registration/verify').set(bearer(user.accessToken)).send({ credential, ...(name ? { name } : {}) });
  assert.equal(verified.status, 201, JSON.stringify(verified.body));
  return { authenticator, passkey: verified.body.passkey as { id: string; name: string; deviceType: string; synced: boolean } };
}

async function signInOptions(app: TestApp) {
  const res = await app.http.post('/api/auth/passkey/options').send({});
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.options as Record<string, unknown>;
}

async function events(app: TestApp, token: string) {
  const res = await app.http.get('/api/user/security-events').set(bearer(token));
  assert.equal(res.status, 200);
  return res.body.events as { type: string; metadata: Record<string, unknown> }[];
}

describe('passkeys', () => {
  const app = useTestApp({ env: { PUBLIC_URL: ORIGIN, PASSKEY_ORIGINS: APP_ORIGIN, REAUTH_WINDOW_SECONDS: '300' } });

  it('when a fresh session registers a passkey, then it is listed with name, dates, device type and synced flag, and no key material', async () => {
    const user = await registerAndLogin(app);
    const options = await app.http.post('/api/user/passkeys/registration/options').set(bearer(user.accessToken)).send({});
    assert.equal(options.body.options.rp.id, 'id.acme.test');
    assert.equal(options.body.options.attestation, 'none');
    assert.equal(options.body.options.authenticatorSelection.residentKey, 'required');
    const { passkey } = await addPasskey(app, user, new SoftAuthenticator({ origin: ORIGIN, synced: true }), 'Phone');
    assert.equal(passkey.name, 'Phone');
    const list = await app.http.get('/api/user/passkeys').set(bearer(user.accessToken));
    assert.equal(list.status, 200);
    assert.equal(list.body.passkeys.length, 1);
    const [p] = list.body.passkeys;
    assert.equal(p.deviceType, 'multiDevice');
    assert.equal(p.synced, true);
    assert.equal(p.lastUsedAt, null);
    assert.ok(Date.parse(p.createdAt));
    assert.doesNotMatch(JSON.stringify(list.body), /publicKey|counter|credentialId/);
    assert.ok((await events(app, user.accessToken)).some((e) => e.type === 'passkey.added'));
  });

  it('when the session signed in longer ago than the re-auth window, then adding needs the password (403 REAUTH_REQUIRED without)', async () => {
    const user = await registerAndLogin(app);
    app.clock.advance(301);
    const stale = await app.http.post('/api/user/passkeys/registration/options').set(bearer(user.accessToken)).send({});
    assert.equal(stale.status, 403);
    assert.equal(stale.body.error.code, 'REAUTH_REQUIRED');
    const wrong = await app.http.post('/api/user/passkeys/registration/options').set(bearer(user.accessToken)).send({ password: 'not-the-Password-99' });
    assert.equal(wrong.status, 401);
    const ok = await app.http.post('/api/user/passkeys/registration/options').set(bearer(user.accessToken)).send({ password: TEST_PASSWORD });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });

  it('when a registration answers a challenge of another session, then 401 PASSKEY_INVALID and nothing is stored', async () => {
    const user = await registerAndLogin(app);
    const other = await app.http.post('/api/auth/login').send({ email: user.email, password: TEST_PASSWORD }).expect(200);
    const options = await app.http.post('/api/user/passkeys/registration/options').set(bearer(user.accessToken)).send({});
    const credential = new SoftAuthenticator({ origin: ORIGIN }).create(options.body.options);
    const res = await app.http.post('/api/user/passkeys/registration/verify').set(bearer(other.body.accessToken)).send({ credential });
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'PASSKEY_INVALID');
    assert.equal((await app.http.get('/api/user/passkeys').set(bearer(user.accessToken))).body.passkeys.length, 0);
  });

  it('when a passkey signs in, then a full-strength session opens: aal 2, amr hwk, login.succeeded with method passkey, no TOTP asked', async () => {
    const user = await registerAndLogin(app);
    // 2FA on: a passkey sign-in still needs no code.
    const enrol = await app.http.post('/api/user/2fa/enable').set(bearer(user.accessToken)).send({}).expect(200);
    await app.http.post('/api/user/2fa/verify').set(bearer(user.accessToken)).send({ code: generateTotpCode(enrol.body.secret, freshTotpStep(app)) }).expect(200);
    const { authenticator } = await addPasskey(app, user);
    const options = await signInOptions(app);
    assert.equal(options.userVerification, 'required');
    assert.deepEqual(options.allowCredentials ?? [], [], 'discoverable: no account named');
    const res = await app.http.post('/api/auth/passkey/verify').send({ credential: authenticator.get(options), deviceName: 'Laptop' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.amr, ['hwk']);
    const claims = claimsOf(res.body.accessToken);
    assert.equal(claims.sub, user.userId);
    assert.equal(claims.aal, 2);
    assert.deepEqual(claims.amr, ['hwk']);
    assert.ok(res.body.refreshToken);
    const login = (await events(app, res.body.accessToken)).find((e) => e.type === 'login.succeeded' && e.metadata.sessionId === res.body.sessionId);
    assert.equal(login?.metadata.method, 'passkey');
    assert.equal(login?.metadata.aal, 2);
    const listed = (await app.http.get('/api/user/passkeys').set(bearer(res.body.accessToken))).body.passkeys;
    assert.ok(listed[0].lastUsedAt, 'last use recorded');
  });

  it('when a synced passkey signs in from an extra configured origin, then amr is swk', async () => {
    const user = await registerAndLogin(app);
    const { authenticator } = await addPasskey(app, user, new SoftAuthenticator({ origin: APP_ORIGIN, synced: true }));
    const res = await app.http.post('/api/auth/passkey/verify').send({ credential: authenticator.get(await signInOptions(app)) });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.amr, ['swk']);
  });

  it('when the response comes from an origin not configured, then 401 PASSKEY_INVALID and a passkey.failed event', async () => {
    const user = await registerAndLogin(app);
    const { authenticator } = await addPasskey(app, user);
    const res = await app.http.post('/api/auth/passkey/verify').send({ credential: authenticator.get(await signInOptions(app), { origin: 'https://evil.example' }) });
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'PASSKEY_INVALID');
    const failed = (await events(app, user.accessToken)).find((e) => e.type === 'passkey.failed');
    assert.equal(failed?.metadata.reason, 'signature');
  });

  it('when a signed response is replayed, then the second use of its challenge is refused', async () => {
    const user = await registerAndLogin(app);
    const { authenticator } = await addPasskey(app, user);
    const credential = authenticator.get(await signInOptions(app));
    assert.equal((await app.http.post('/api/auth/passkey/verify').send({ credential })).status, 200);
    const replay = await app.http.post('/api/auth/passkey/verify').send({ credential });
    assert.equal(replay.status, 401);
    assert.equal(replay.body.error.code, 'PASSKEY_INVALID');
  });

  it('when the user verification flag is missing, then passwordless sign-in is refused', async () => {
    const user = await registerAndLogin(app);
    const { authenticator } = await addPasskey(app, user);
    const presenceOnly = new SoftAuthenticator({ origin: ORIGIN, userVerified: false });
    presenceOnly.credentials.push(authenticator.credentials[0]);
    const res = await app.http.post('/api/auth/passkey/verify').send({ credential: presenceOnly.get(await signInOptions(app)) });
    assert.equal(res.status, 401);
  });

  it('when the signature counter goes backwards, then the sign-in is refused and passkey.counter_regressed is recorded', async () => {
    const user = await registerAndLogin(app);
    const { authenticator } = await addPasskey(app, user);
    assert.equal((await app.http.post('/api/auth/passkey/verify').send({ credential: authenticator.get(await signInOptions(app), { counter: 10 }) })).status, 200);
    const clone = await app.http.post('/api/auth/passkey/verify').send({ credential: authenticator.get(await signInOptions(app), { counter: 5 }) });
    assert.equal(clone.status, 401);
    const event = (await events(app, user.accessToken)).find((e) => e.type === 'passkey.counter_regressed');
    assert.equal(event?.metadata.storedCounter, 10);
    assert.equal(event?.metadata.receivedCounter, 5);
  });

  it("when an assertion carries another user's handle, then it is refused", async () => {
    const alice = await registerAndLogin(app);
    const bob = await registerAndLogin(app);
    const { authenticator } = await addPasskey(app, alice);
    const res = await app.http.post('/api/auth/passkey/verify').send({ credential: authenticator.get(await signInOptions(app), { userHandle: Buffer.from(bob.userId).toString('base64url') }) });
    assert.equal(res.status, 401);
  });

  it("when the second factor is answered with another user's passkey, then it is refused; with the user's own it signs in", async () => {
    const alice = await registerAndLogin(app);
    const mallory = await registerAndLogin(app);
    const enrol = await app.http.post('/api/user/2fa/enable').set(bearer(alice.accessToken)).send({}).expect(200);
    await app.http.post('/api/user/2fa/verify').set(bearer(alice.accessToken)).send({ code: generateTotpCode(enrol.body.secret, freshTotpStep(app)) }).expect(200);
    const relogin = await app.http.post('/api/auth/login').send({ email: alice.email, password: TEST_PASSWORD });
    assert.equal(relogin.body.mfaRequired, true);
    assert.deepEqual(relogin.body.methods, ['totp', 'backup_code'], 'no passkey yet');
    // Alice adds a passkey from a session that proved both factors.
    const code = generateTotpCode(enrol.body.secret, freshTotpStep(app));
    const full = await app.http.post('/api/auth/login/2fa').send({ mfaToken: relogin.body.mfaToken, code }).expect(200);
    const { authenticator: alices } = await addPasskey(app, { ...alice, accessToken: full.body.accessToken });
    const { authenticator: mallorys } = await addPasskey(app, mallory);

    const step = await app.http.post('/api/auth/login').send({ email: alice.email, password: TEST_PASSWORD });
    assert.deepEqual(step.body.methods, ['totp', 'backup_code', 'passkey']);
    const options = await app.http.post('/api/auth/login/2fa/passkey/options').send({ mfaToken: step.body.mfaToken });
    assert.equal(options.status, 200, JSON.stringify(options.body));
    assert.equal(options.body.options.allowCredentials.length, 1);
    const foreign = await app.http.post('/api/auth/login/2fa/passkey').send({ mfaToken: step.body.mfaToken, credential: mallorys.get(options.body.options) });
    assert.equal(foreign.status, 401);
    assert.equal(foreign.body.error.code, 'PASSKEY_INVALID');

    const again = await app.http.post('/api/auth/login/2fa/passkey/options').send({ mfaToken: step.body.mfaToken });
    const ok = await app.http.post('/api/auth/login/2fa/passkey').send({ mfaToken: step.body.mfaToken, credential: alices.get(again.body.options) });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(ok.body.amr, ['pwd', 'hwk']);
    assert.equal(claimsOf(ok.body.accessToken).aal, 2);
    const spent = await app.http.post('/api/auth/login/2fa/passkey/options').send({ mfaToken: step.body.mfaToken });
    assert.equal(spent.status, 401, 'the mfaToken is consumed');
  });

  it('when a passkey is renamed and removed, then the list follows; removal after the window needs the password; another user\'s id is 404', async () => {
    const user = await registerAndLogin(app);
    const stranger = await registerAndLogin(app);
    const { passkey } = await addPasskey(app, user);
    const renamed = await app.http.patch(`/api/user/passkeys/${passkey.id}`).set(bearer(user.accessToken)).send({ name: '  Work key  ' });
    assert.equal(renamed.status, 200);
    assert.equal(renamed.body.passkey.name, 'Work key');
    assert.equal((await app.http.patch(`/api/user/passkeys/${passkey.id}`).set(bearer(stranger.accessToken)).send({ name: 'mine' })).status, 404);
    assert.equal((await app.http.delete(`/api/user/passkeys/${passkey.id}`).set(bearer(stranger.accessToken)).send({})).status, 404);
    assert.equal((await app.http.delete('/api/user/passkeys/not-an-id').set(bearer(user.accessToken)).send({})).status, 404);
    app.clock.advance(301);
    const stale = await app.http.delete(`/api/user/passkeys/${passkey.id}`).set(bearer(user.accessToken)).send({});
    assert.equal(stale.status, 403);
    assert.equal(stale.body.error.code, 'REAUTH_REQUIRED');
    const removed = await app.http.delete(`/api/user/passkeys/${passkey.id}`).set(bearer(user.accessToken)).send({ password: TEST_PASSWORD });
    assert.equal(removed.status, 204);
    assert.equal((await app.http.get('/api/user/passkeys').set(bearer(user.accessToken))).body.passkeys.length, 0);
    assert.ok((await events(app, user.accessToken)).some((e) => e.type === 'passkey.removed'));
  });

  it('when the body is malformed, then 400 VALIDATION_ERROR, never 500', async () => {
    const user = await registerAndLogin(app);
    const missing = await app.http.post('/api/user/passkeys/registration/verify').set(bearer(user.accessToken)).send({});
    assert.equal(missing.status, 400);
    const notObject = await app.http.post('/api/auth/passkey/verify').send({ credential: 'abc' });
    assert.equal(notObject.status, 400);
    const garbage = await app.http.post('/api/auth/passkey/verify').send({ credential: { id: 'x', response: { clientDataJSON: '!!!' } } });
    assert.equal(garbage.status, 401);
    assert.equal(garbage.body.error.code, 'PASSKEY_INVALID');
  });
});
