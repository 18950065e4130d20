// Issue 26: what the recovery paths do to passkeys (docs/passkeys.md). A password reset keeps them (it
// proves the mailbox, not the device; the passkey is the stronger credential, and the reset ends every
// session anyway); an admin "reset 2FA" removes them with TOTP and the backup codes (the user lost a device).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, registerAndLogin, useTestApp, type TestApp } from '../helpers/app';
import { useMailbox } from '../helpers/mailbox';
import { SoftAuthenticator } from '../helpers/soft-authenticator';

const ORIGIN = 'https://id.acme.test';
const ADMIN = { email: 'root@example.test', password: 'admin-Quartz-41-meadow' };

async function withPasskey(app: TestApp) {
  const user = await registerAndLogin(app);
  const authenticator = new SoftAuthenticator({ origin: ORIGIN });
  const options = await app.http.post('/api/user/passkeys/registration/options').set(bearer(user.accessToken)).send({}).expect(200);
  await app.http.post('/api/user/passkeys/registration/verify').set(bearer(user.accessToken)).send({ credential: authenticator.create(options.body.options) }).expect(201);
  return { user, authenticator };
}

async function passkeySignIn(app: TestApp, authenticator: SoftAuthenticator) {
  const options = await app.http.post('/api/auth/passkey/options').send({}).expect(200);
  return app.http.post('/api/auth/passkey/verify').send({ credential: authenticator.get(options.body.options) });
}

describe('passkeys and account recovery', () => {
  const mailbox = useMailbox();
  const app = useTestApp(() => ({ env: { SMTP_URL: mailbox.url, PUBLIC_URL: ORIGIN, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password } }));

  it('when the password is reset by mail, then the passkey keeps signing in', async () => {
    const { user, authenticator } = await withPasskey(app);
    await app.http.post('/api/auth/password-reset').send({ email: user.email }).expect(202);
    const token = (await mailbox.next(user.email, /Reset your/)).token('/reset-password');
    assert.ok(token);
    await app.http.post('/api/auth/password-reset/confirm').send({ token, newPassword: 'a completely different passphrase 42' }).expect(204);
    const res = await passkeySignIn(app, authenticator);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal((await app.http.get('/api/user/passkeys').set(bearer(res.body.accessToken))).body.passkeys.length, 1);
  });

  it('when an admin resets the user\'s 2FA, then the passkeys are removed and no longer sign in', async () => {
    const { user, authenticator } = await withPasskey(app);
    const admin = (await app.http.post('/api/auth/login').send(ADMIN).expect(200)).body.accessToken as string;
    await app.http.post(`/api/admin/users/${user.userId}/reset-2fa`).set(bearer(admin)).expect(200);
    const res = await passkeySignIn(app, authenticator);
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'PASSKEY_INVALID');
    const login = await app.http.post('/api/auth/login').send({ email: user.email, password: user.password }).expect(200);
    const events = (await app.http.get('/api/user/security-events').set(bearer(login.body.accessToken))).body.events as { type: string; metadata: Record<string, unknown> }[];
    assert.equal(events.find((e) => e.type === 'passkey.removed')?.metadata.reason, 'admin_2fa_reset');
  });
});
