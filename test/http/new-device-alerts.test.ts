// New-device alerts and the "this wasn't me" link; mail read from a real SMTP server in the test process.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, registerAndLogin, TEST_PASSWORD, useTestApp } from '../helpers/app';
import { useMailbox } from '../helpers/mailbox';

const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';
const CHROME_LINUX_NEWER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';

describe('New-device alerts', () => {
  const mailbox = useMailbox();
  const app = useTestApp(() => ({ env: { SMTP_URL: mailbox.url } }));

  const login = (email: string, ua: string) => app.http.post('/api/auth/login').set('User-Agent', ua).send({ email, password: TEST_PASSWORD }).expect(200);

  it('when an account signs in from a new browser, then login.new_device is recorded and mailed; the same device again, or a browser update, is not', async () => {
    // registerAndLogin signs in with Chrome on Linux: the account's first device, nothing to warn about.
    const u = await registerAndLogin(app);
    const firefox = await login(u.email, FIREFOX_WINDOWS);
    const mail = await mailbox.next(u.email, /New sign-in/);
    assert.match(mail.text, /Device: Firefox on Windows/);
    assert.match(mail.text, /IP address: (::ffff:)?127\.0\.0\.1/);
    assert.ok(mail.token('/not-me'));

    const events = (await app.http.get('/api/user/security-events').set(bearer(u.accessToken)).expect(200)).body.events as { type: string; metadata: Record<string, unknown> }[];
    const alert = events.find((e) => e.type === 'login.new_device');
    assert.equal(alert?.metadata.sessionId, firefox.body.sessionId);
    assert.equal(alert?.metadata.device, 'Firefox on Windows');
    const signIns = events.filter((e) => e.type === 'login.succeeded');
    assert.equal(signIns.find((e) => e.metadata.sessionId === firefox.body.sessionId)?.metadata.newDevice, true);
    assert.equal(signIns.find((e) => e.metadata.sessionId === u.sessionId)?.metadata.newDevice, undefined);

    await login(u.email, FIREFOX_WINDOWS);
    await login(u.email, CHROME_LINUX_NEWER);
    // A later alert would have arrived by the time this one does.
    await app.http.post('/api/auth/password-reset').send({ email: u.email }).expect(202);
    await mailbox.next(u.email, /Reset your/);
    assert.equal(mailbox.to(u.email).filter((m) => /New sign-in/.test(m.subject)).length, 1);
  });

  it('when "this wasn\'t me" is followed, then that session ends at once, the report is recorded, and the reset link it mails sets a new password; the link works once', async () => {
    const u = await registerAndLogin(app);
    const intruder = await login(u.email, FIREFOX_WINDOWS);
    const token = (await mailbox.next(u.email, /New sign-in/)).token('/not-me');

    const report = await app.http.post('/api/auth/sign-in-report').send({ token }).expect(200);
    assert.equal(report.body.sessionId, intruder.body.sessionId);
    assert.equal(report.headers['cache-control'], 'no-store');
    const gone = await app.http.get('/api/user/me').set(bearer(intruder.body.accessToken));
    assert.equal(gone.body.error.code, 'SESSION_TERMINATED');
    await app.http.get('/api/user/me').set(bearer(u.accessToken)).expect(200);
    const events = (await app.http.get('/api/user/security-events').set(bearer(u.accessToken)).expect(200)).body.events as { type: string }[];
    assert.ok(events.some((e) => e.type === 'session.reported'));

    const again = await app.http.post('/api/auth/sign-in-report').send({ token });
    assert.equal(again.body.error.code, 'LINK_INVALID');

    // The report hands out no reset token itself (issue 22): the reset link goes to the account's mailbox.
    const reset = (await mailbox.next(u.email, /Reset your/)).token('/reset-password');
    await app.http.post('/api/auth/password-reset/confirm').send({ token: reset, newPassword: 'the intruder will not guess this one' }).expect(204);
    assert.equal((await app.http.get('/api/user/me').set(bearer(u.accessToken))).status, 401, 'the reset ends every other session too');
  });
});

describe('New-device alerts off (NEW_DEVICE_ALERTS=off)', () => {
  const mailbox = useMailbox();
  const app = useTestApp(() => ({ env: { SMTP_URL: mailbox.url, NEW_DEVICE_ALERTS: 'off' } }));

  it('when alerts are off, then a sign-in from a new browser records and mails nothing', async () => {
    const u = await registerAndLogin(app);
    const other = await app.http.post('/api/auth/login').set('User-Agent', FIREFOX_WINDOWS).send({ email: u.email, password: TEST_PASSWORD }).expect(200);
    const events = (await app.http.get('/api/user/security-events').set(bearer(other.body.accessToken)).expect(200)).body.events as { type: string }[];
    assert.ok(!events.some((e) => e.type === 'login.new_device'));
    await mailbox.next(u.email, /Confirm your email/);
    assert.equal(mailbox.to(u.email).filter((m) => /New sign-in/.test(m.subject)).length, 0);
  });
});
