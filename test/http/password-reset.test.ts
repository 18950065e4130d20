// Password reset by mail, over HTTP, with the mail read from a real SMTP server in the test process.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateTotpCode } from '../../backend/src/infrastructure/two-factor/totp';
import { bearer, freshTotpStep, registerAndLogin, TEST_PASSWORD, uniqueEmail, useTestApp, type TestApp } from '../helpers/app';
import { useMailbox, type Mailbox } from '../helpers/mailbox';

const NEW_PASSWORD = 'a completely different passphrase 42';

async function resetLink(app: TestApp, mailbox: Mailbox, email: string): Promise<string> {
  const res = await app.http.post('/api/auth/password-reset').send({ email });
  assert.equal(res.status, 202);
  const mail = await mailbox.next(email, /Reset your/);
  const token = mail.token('/reset-password');
  assert.ok(token, mail.text);
  return token;
}

describe('Password reset', () => {
  const mailbox = useMailbox();
  const app = useTestApp(() => ({ env: { SMTP_URL: mailbox.url, PRODUCT_NAME: 'Acme ID', PUBLIC_URL: 'https://id.acme.test' } }));

  it('when a reset is asked for a known and an unknown address, then both get the same 202 body and only the known one gets mail', async () => {
    const u = await registerAndLogin(app);
    const unknown = uniqueEmail('nobody');
    const known = await app.http.post('/api/auth/password-reset').send({ email: u.email.toUpperCase() });
    const missing = await app.http.post('/api/auth/password-reset').send({ email: unknown });
    assert.equal(known.status, 202);
    assert.equal(missing.status, 202);
    assert.deepEqual(known.body, missing.body);
    const mail = await mailbox.next(u.email, /Reset your Acme ID password/);
    assert.match(mail.link('/reset-password') ?? '', /^https:\/\/id\.acme\.test\/reset-password#token=/);
    assert.match(mail.html, /Choose a new password/);
    // The known address's mail arrived, so the unknown one had time to produce mail too, and did not.
    assert.equal(mailbox.to(unknown).length, 0);
  });

  it('when the link is used, then the password changes, every session ends, the event is recorded, a notice is mailed, and the link is spent', async () => {
    const u = await registerAndLogin(app);
    const other = await app.http.post('/api/auth/login').send({ email: u.email, password: TEST_PASSWORD }).expect(200);
    const token = await resetLink(app, mailbox, u.email);

    await app.http.post('/api/auth/password-reset/confirm').send({ token, newPassword: NEW_PASSWORD }).expect(204);

    for (const access of [u.accessToken, other.body.accessToken as string]) {
      const me = await app.http.get('/api/user/me').set(bearer(access));
      assert.equal(me.status, 401);
      assert.equal(me.body.error.code, 'SESSION_TERMINATED');
    }
    assert.equal((await app.http.post('/api/auth/login').send({ email: u.email, password: TEST_PASSWORD })).status, 401);
    const fresh = await app.http.post('/api/auth/login').send({ email: u.email, password: NEW_PASSWORD }).expect(200);
    const events = await app.http.get('/api/user/security-events').set(bearer(fresh.body.accessToken)).expect(200);
    const reset = events.body.events.find((e: { type: string }) => e.type === 'password.reset');
    assert.ok(reset, 'password.reset recorded');
    assert.equal(reset.metadata.count, 2);
    assert.ok(events.body.events.some((e: { type: string }) => e.type === 'password.reset_requested'));
    const notice = await mailbox.next(u.email, /password was changed/);
    assert.match(notice.text, /Every session was signed out/);

    const again = await app.http.post('/api/auth/password-reset/confirm').send({ token, newPassword: 'yet another passphrase 77' });
    assert.equal(again.status, 400);
    assert.equal(again.body.error.code, 'LINK_INVALID');
  });

  it('when a second link is asked for, then only the newest one works', async () => {
    const u = await registerAndLogin(app);
    const first = await resetLink(app, mailbox, u.email);
    const second = await resetLink(app, mailbox, u.email);
    const old = await app.http.post('/api/auth/password-reset/confirm').send({ token: first, newPassword: NEW_PASSWORD });
    assert.equal(old.body.error?.code, 'LINK_INVALID');
    await app.http.post('/api/auth/password-reset/confirm').send({ token: second, newPassword: NEW_PASSWORD }).expect(204);
  });

  it('when the new password breaks the policy, then the link is not spent; when 30 minutes have passed, then it no longer works', async () => {
    const u = await registerAndLogin(app);
    const token = await resetLink(app, mailbox, u.email);
    const weak = await app.http.post('/api/auth/password-reset/confirm').send({ token, newPassword: 'short' });
    assert.equal(weak.status, 400);
    assert.equal(weak.body.error.code, 'VALIDATION_ERROR');
    app.clock.advance(31 * 60);
    const late = await app.http.post('/api/auth/password-reset/confirm').send({ token, newPassword: NEW_PASSWORD });
    assert.equal(late.status, 400);
    assert.equal(late.body.error.code, 'LINK_INVALID');
  });

  it('when an account with 2FA resets its password, then the next sign-in still asks for a code', async () => {
    const u = await registerAndLogin(app);
    const enable = await app.http.post('/api/user/2fa/enable').set(bearer(u.accessToken)).expect(200);
    const secret = enable.body.secret as string;
    await app.http.post('/api/user/2fa/verify').set(bearer(u.accessToken)).send({ code: generateTotpCode(secret, app.clock.now()) }).expect(200);
    const token = await resetLink(app, mailbox, u.email);
    await app.http.post('/api/auth/password-reset/confirm').send({ token, newPassword: NEW_PASSWORD }).expect(204);
    const login = await app.http.post('/api/auth/login').send({ email: u.email, password: NEW_PASSWORD }).expect(200);
    assert.equal(login.body.mfaRequired, true);
    assert.equal(login.body.accessToken, undefined);
  });

  it('when an account with trusted devices resets its password, then neither the app\'s device token nor the browser\'s device cookie skips the code any more, and the list is empty', async () => {
    const u = await registerAndLogin(app);
    const enable = await app.http.post('/api/user/2fa/enable').set(bearer(u.accessToken)).send({ password: TEST_PASSWORD }).expect(200);
    const secret = enable.body.secret as string;
    await app.http.post('/api/user/2fa/verify').set(bearer(u.accessToken)).send({ code: generateTotpCode(secret, freshTotpStep(app)) }).expect(200);
    const code = () => generateTotpCode(secret, freshTotpStep(app));
    const origin = { Origin: app.url };

    // A native app remembers its device (token in the body), a browser its own (HttpOnly cookie).
    const appStep1 = await app.http.post('/api/auth/login').send({ email: u.email, password: TEST_PASSWORD }).expect(200);
    const appStep2 = await app.http.post('/api/auth/login/2fa').send({ mfaToken: appStep1.body.mfaToken, code: code(), rememberDevice: true }).expect(200);
    const deviceToken = appStep2.body.trustedDeviceToken as string;
    assert.equal(typeof deviceToken, 'string');
    const webStep1 = await app.http.post('/api/auth/browser/login').set(origin).send({ email: u.email, password: TEST_PASSWORD }).expect(200);
    const webStep2 = await app.http.post('/api/auth/browser/login/2fa').set(origin).send({ mfaToken: webStep1.body.mfaToken, code: code(), rememberDevice: true }).expect(200);
    const deviceCookie = ([] as string[]).concat(webStep2.headers['set-cookie'] ?? []).find((c) => c.startsWith('sessionary_device='))?.split(';')[0];
    assert.ok(deviceCookie, 'the browser got a device cookie');

    const appLogin = (password: string) => app.http.post('/api/auth/login').send({ email: u.email, password, trustedDeviceToken: deviceToken }).expect(200);
    const webLogin = (password: string) => app.http.post('/api/auth/browser/login').set(origin).set('Cookie', deviceCookie).send({ email: u.email, password }).expect(200);
    // Before the reset both devices skip the code: the checks below fail for the right reason.
    assert.equal((await appLogin(TEST_PASSWORD)).body.mfaRequired, undefined);
    assert.equal((await webLogin(TEST_PASSWORD)).body.mfaRequired, undefined);

    const token = await resetLink(app, mailbox, u.email);
    await app.http.post('/api/auth/password-reset/confirm').send({ token, newPassword: NEW_PASSWORD }).expect(204);

    const viaToken = await appLogin(NEW_PASSWORD);
    assert.equal(viaToken.body.mfaRequired, true, 'the app\'s device token no longer skips the code');
    assert.equal(viaToken.body.accessToken, undefined);
    const viaCookie = await webLogin(NEW_PASSWORD);
    assert.equal(viaCookie.body.mfaRequired, true, 'the browser\'s device cookie no longer skips the code');
    assert.equal(viaCookie.body.accessToken, undefined);

    const signedIn = await app.http.post('/api/auth/login/2fa').send({ mfaToken: viaToken.body.mfaToken, code: code() }).expect(200);
    const devices = await app.http.get('/api/user/trusted-devices').set(bearer(signedIn.body.accessToken)).expect(200);
    assert.deepEqual(devices.body.devices, []);
    const events = await app.http.get('/api/user/security-events').set(bearer(signedIn.body.accessToken)).expect(200);
    const forgotten = events.body.events.filter((e: { type: string }) => e.type === '2fa.trusted_devices_forgotten');
    assert.deepEqual(forgotten.map((e: { metadata: { reason: string; count: number } }) => [e.metadata.reason, e.metadata.count]), [['password_changed', 2]]);
  });

  it('when known and unknown addresses are asked for many times, then the answers take the same time (within 40 ms beyond what a control of two unknown series differs by)', async (t) => {
    const u = await registerAndLogin(app);
    const time = async (email: string) => {
      const t0 = performance.now();
      await app.http.post('/api/auth/password-reset').send({ email }).expect(202);
      return performance.now() - t0;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    // The control: a second series of unknown addresses, interleaved the same way. The two unknown series
    // differ only by the machine's noise, which is what the known/unknown difference is allowed beyond 40 ms.
    const control: number[] = [];
    // Each sample runs alone: the work done after a known address's answer (and its mail arriving at the SMTP
    // server inside this very process) is waited out before the next one, so it cannot slow that one down.
    const settle = () => new Promise((r) => setTimeout(r, 250));
    for (let i = 0; i < 10; i++) {
      known.push(await time(u.email));
      await mailbox.next(u.email, /Reset your/);
      await settle();
      unknown.push(await time(uniqueEmail('ghost')));
      await settle();
      control.push(await time(uniqueEmail('ghost')));
      await settle();
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const diff = Math.abs(median(known) - median(unknown));
    const noise = Math.abs(median(control) - median(unknown));
    const report = `median known ${median(known).toFixed(1)} ms, unknown ${median(unknown).toFixed(1)} ms, control ${median(control).toFixed(1)} ms`;
    t.diagnostic(report);
    assert.ok(diff < 40 + 2 * noise, report);
  });
});

describe('Password reset rate limits', () => {
  const mailbox = useMailbox();
  const app = useTestApp(() => ({
    env: { SMTP_URL: mailbox.url, RATE_LIMIT_MAIL_PER_ADDRESS_PER_HOUR: '2', RATE_LIMIT_MAIL_PER_IP_PER_HOUR: '5' },
  }));

  it('when one address is asked for too often, then 429 follows whether or not it has an account; when one IP asks too often, then 429 too', async () => {
    const u = await registerAndLogin(app);
    const ghost = uniqueEmail('ghost');
    const statuses = async (email: string) => {
      const out: number[] = [];
      for (let i = 0; i < 3; i++) out.push((await app.http.post('/api/auth/password-reset').send({ email })).status);
      return out;
    };
    assert.deepEqual(await statuses(u.email), [202, 202, 429]);
    assert.deepEqual(await statuses(ghost), [202, 202, 429]);
    // Six requests from this IP so far: the per-IP limit (5) refuses a fresh address as well.
    const limited = await app.http.post('/api/auth/password-reset').send({ email: uniqueEmail('fresh') });
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers['retry-after']) > 60);
  });
});
