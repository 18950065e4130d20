// Email verification at registration, REQUIRE_EMAIL_VERIFICATION, and changing the address; mail read from a
// real SMTP server in the test process.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, registerAndLogin, TEST_PASSWORD, uniqueEmail, useTestApp } from '../helpers/app';
import { useMailbox } from '../helpers/mailbox';

describe('Email verification', () => {
  const mailbox = useMailbox();
  const app = useTestApp(() => ({ env: { SMTP_URL: mailbox.url } }));

  it('when an account registers, then a verification mail arrives and its link marks the address verified, once', async () => {
    const u = await registerAndLogin(app);
    const before = await app.http.get('/api/user/me').set(bearer(u.accessToken)).expect(200);
    assert.equal(before.body.user.emailVerified, false);
    const mail = await mailbox.next(u.email, /Confirm your email address/);
    const token = mail.token('/verify-email');
    assert.ok(token);
    const confirmed = await app.http.post('/api/auth/email-verification/confirm').send({ token }).expect(200);
    assert.deepEqual(confirmed.body, { email: u.email, emailVerified: true });
    const after = await app.http.get('/api/user/me').set(bearer(u.accessToken)).expect(200);
    assert.equal(after.body.user.emailVerified, true);
    const again = await app.http.post('/api/auth/email-verification/confirm').send({ token });
    assert.equal(again.status, 400);
    assert.equal(again.body.error.code, 'LINK_INVALID');
  });

  it('when a signed-in user changes the address, then the password is re-checked, the old address is told, and the new one takes over once confirmed', async () => {
    const u = await registerAndLogin(app);
    await mailbox.next(u.email, /Confirm your email address/);
    const newEmail = uniqueEmail('moved');
    const wrong = await app.http.post('/api/user/email').set(bearer(u.accessToken)).send({ password: 'not the password', newEmail });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error.code, 'INVALID_CREDENTIALS');
    const taken = await app.http.post('/api/user/email').set(bearer(u.accessToken)).send({ password: TEST_PASSWORD, newEmail: u.email });
    assert.equal(taken.status, 400);

    const res = await app.http.post('/api/user/email').set(bearer(u.accessToken)).send({ password: TEST_PASSWORD, newEmail }).expect(202);
    assert.deepEqual(res.body, { pendingEmail: newEmail });
    const notice = await mailbox.next(u.email, /being changed/);
    assert.ok(notice.text.includes(newEmail));
    const verify = await mailbox.next(newEmail, /Confirm your email address/);
    const stillOld = await app.http.get('/api/user/me').set(bearer(u.accessToken)).expect(200);
    assert.equal(stillOld.body.user.email, u.email, 'nothing changes before the new address is confirmed');

    await app.http.post('/api/auth/email-verification/confirm').send({ token: verify.token('/verify-email') }).expect(200);
    const moved = await app.http.get('/api/user/me').set(bearer(u.accessToken)).expect(200);
    assert.equal(moved.body.user.email, newEmail);
    assert.equal(moved.body.user.emailVerified, true);
    await app.http.post('/api/auth/login').send({ email: newEmail, password: TEST_PASSWORD }).expect(200);
    assert.equal((await app.http.post('/api/auth/login').send({ email: u.email, password: TEST_PASSWORD })).status, 401);
  });

  it('when the owner asks for the link again while a change of address is pending, then the change link still works, and completing the change voids the older links', async () => {
    const u = await registerAndLogin(app);
    const first = await mailbox.next(u.email, /Confirm your email address/);
    const newEmail = uniqueEmail('pending');
    await app.http.post('/api/user/email').set(bearer(u.accessToken)).send({ password: TEST_PASSWORD, newEmail }).expect(202);
    await mailbox.next(u.email, /being changed/);
    const change = await mailbox.next(newEmail, /Confirm your email address/);
    // Anyone who knows the address may ask for the link again; that must not cancel the owner's change.
    await app.http.post('/api/auth/email-verification').send({ email: u.email }).expect(202);
    const again = await mailbox.next(u.email, /Confirm your email address/);

    const stale = await app.http.post('/api/auth/email-verification/confirm').send({ token: first.token('/verify-email') });
    assert.equal(stale.body.error?.code, 'LINK_INVALID', 'a change of address replaces the registration link');
    await app.http.post('/api/auth/email-verification/confirm').send({ token: change.token('/verify-email') }).expect(200);
    const back = await app.http.post('/api/auth/email-verification/confirm').send({ token: again.token('/verify-email') });
    assert.equal(back.status, 400);
    assert.equal(back.body.error.code, 'LINK_INVALID', 'a link for the old address must not move the account back');
    const me = await app.http.get('/api/user/me').set(bearer(u.accessToken)).expect(200);
    assert.equal(me.body.user.email, newEmail);
  });

  it('when the new address is registered by someone else before it is confirmed, then confirming answers EMAIL_TAKEN', async () => {
    const u = await registerAndLogin(app);
    const newEmail = uniqueEmail('race');
    await app.http.post('/api/user/email').set(bearer(u.accessToken)).send({ password: TEST_PASSWORD, newEmail }).expect(202);
    const verify = await mailbox.next(newEmail, /Confirm your email address/);
    await app.http.post('/api/auth/register').send({ email: newEmail, password: TEST_PASSWORD }).expect(201);
    const res = await app.http.post('/api/auth/email-verification/confirm').send({ token: verify.token('/verify-email') });
    assert.equal(res.status, 409);
    assert.equal(res.body.error.code, 'EMAIL_TAKEN');
  });
});

describe('Email verification required (REQUIRE_EMAIL_VERIFICATION=on)', () => {
  const mailbox = useMailbox();
  const app = useTestApp(() => ({ env: { SMTP_URL: mailbox.url, REQUIRE_EMAIL_VERIFICATION: 'on' } }));

  it('when an unverified account signs in, then it is refused with EMAIL_NOT_VERIFIED (only with the right password), and a resent link lets it in', async () => {
    const email = uniqueEmail('unverified');
    await app.http.post('/api/auth/register').send({ email, password: TEST_PASSWORD }).expect(201);
    await mailbox.next(email, /Confirm your email address/);

    const refused = await app.http.post('/api/auth/login').send({ email, password: TEST_PASSWORD });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'EMAIL_NOT_VERIFIED');
    const wrong = await app.http.post('/api/auth/login').send({ email, password: 'wrong password here' });
    assert.equal(wrong.body.error.code, 'INVALID_CREDENTIALS', 'the state is told only to someone who knows the password');

    const resend = await app.http.post('/api/auth/email-verification').send({ email });
    const ghost = await app.http.post('/api/auth/email-verification').send({ email: uniqueEmail('ghost') });
    assert.equal(resend.status, 202);
    assert.deepEqual(resend.body, ghost.body);
    const mail = await mailbox.next(email, /Confirm your email address/);
    await app.http.post('/api/auth/email-verification/confirm').send({ token: mail.token('/verify-email') }).expect(200);
    await app.http.post('/api/auth/login').send({ email, password: TEST_PASSWORD }).expect(200);
  });
});
