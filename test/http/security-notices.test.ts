// Security notices (domain/security-notices.ts): every change to how an account is protected mails its owner,
// queued in the change's own transaction. Mail read from a real SMTP server in the test process.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateTotpCode } from '../../backend/src/infrastructure/two-factor/totp';
import { noticeFor } from '../../backend/src/domain/security-notices';
import { bearer, freshTotpStep, registerAndLogin, TEST_PASSWORD, useTestApp } from '../helpers/app';
import { useMailbox } from '../helpers/mailbox';

const ADMIN = { email: 'notices-admin@example.test', password: 'admin-Quartz-41-meadow' };
const NEW_PASSWORD = 'another-Quartz-77-meadow';

describe('security notices by mail', () => {
  const mailbox = useMailbox();
  const app = useTestApp(() => ({ env: { SMTP_URL: mailbox.url, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password } }));
  const code = (secret: string) => generateTotpCode(secret, app.clock.now());

  it('when the owner changes the password, turns two-factor on, replaces backup codes and turns it off, then each change is mailed once, saying what, when and from where', async () => {
    const u = await registerAndLogin(app);
    await app.http.post('/api/user/change-password').set(bearer(u.accessToken)).send({ currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD }).expect(200);
    const changed = await mailbox.next(u.email, /password was changed/);
    assert.match(changed.text, /the password was changed/);
    assert.match(changed.text, /from (::ffff:)?127\.0\.0\.1/);
    assert.match(changed.text, /If this was you, there is nothing to do/);

    const enable = await app.http.post('/api/user/2fa/enable').set(bearer(u.accessToken)).send({ password: NEW_PASSWORD }).expect(200);
    freshTotpStep(app);
    await app.http.post('/api/user/2fa/verify').set(bearer(u.accessToken)).send({ code: code(enable.body.secret) }).expect(200);
    await mailbox.next(u.email, /two-factor authentication was turned on/);

    await app.http.post('/api/user/2fa/backup-codes').set(bearer(u.accessToken)).send({ password: NEW_PASSWORD }).expect(200);
    await mailbox.next(u.email, /backup codes were replaced/);

    freshTotpStep(app);
    await app.http.post('/api/user/2fa/disable').set(bearer(u.accessToken)).send({ password: NEW_PASSWORD, code: code(enable.body.secret) }).expect(200);
    await mailbox.next(u.email, /two-factor authentication was turned off/);
    const notices = mailbox.to(u.email).filter((m) => /^Your .* account: /.test(m.subject));
    assert.deepEqual(notices.map((m) => m.subject.replace(/^Your .* account: /, '')), [
      'password was changed',
      'two-factor authentication was turned on',
      'backup codes were replaced',
      'two-factor authentication was turned off',
    ]);
  });

  it('when a change is refused (wrong password), then no notice is sent', async () => {
    const u = await registerAndLogin(app);
    await app.http.post('/api/user/change-password').set(bearer(u.accessToken)).send({ currentPassword: 'wrong-Password-42', newPassword: NEW_PASSWORD }).expect(401);
    await app.http.post('/api/user/2fa/enable').set(bearer(u.accessToken)).send({ password: 'wrong-Password-42' }).expect(401);
    // A later mail to the same address arrives after any the refused requests could have queued.
    await app.http.post('/api/auth/logout-all').set(bearer(u.accessToken)).expect(204);
    await mailbox.next(u.email, /signed out everywhere/);
    const notices = mailbox.to(u.email).filter((m) => /^Your .* account: /.test(m.subject));
    assert.deepEqual(notices.map((m) => m.subject.replace(/^Your .* account: /, '')), ['was signed out everywhere']);
  });

  it('when an administrator signs a user out everywhere, then the user is told it was an administrator', async () => {
    const u = await registerAndLogin(app);
    const admin = (await app.http.post('/api/auth/login').send(ADMIN).expect(200)).body.accessToken as string;
    await app.http.post(`/api/admin/users/${u.userId}/revoke-sessions`).set(bearer(admin)).expect(200);
    const mail = await mailbox.next(u.email, /signed out by an administrator/);
    assert.match(mail.text, /an administrator signed out every session/);
  });

  it('when a change only follows from another (devices forgotten because the password changed), then it sends no notice of its own', () => {
    assert.equal(noticeFor({ type: '2fa.trusted_devices_forgotten', metadata: { reason: 'password_changed' } }), null);
    assert.equal(noticeFor({ type: '2fa.trusted_devices_forgotten', metadata: { reason: 'revoked_by_user' } }), 'trusted_devices_forgotten');
    assert.equal(noticeFor({ type: 'passkey.removed', metadata: { reason: 'admin_2fa_reset' } }), null);
    assert.equal(noticeFor({ type: '2fa.disabled', metadata: { method: 'admin_reset', wasEnabled: true } }), 'two_factor_reset_by_admin');
    assert.equal(noticeFor({ type: 'logout', metadata: { sessionId: 'x' } }), null);
    assert.equal(noticeFor({ type: 'federation.linked', metadata: { via: 'sign_up' } }), null);
  });
});
