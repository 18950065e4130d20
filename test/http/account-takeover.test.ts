// Issue 22: an intruder who knows the password moves the account to their address. Every action the owner is
// told to take must cancel the pending change; a completed change can be undone from the old address; the
// "this wasn't me" link is single-purpose; verification resends cannot use up the owner's reset; a browser
// signs out with its refresh cookie alone. Mail read from a real SMTP server in the test process.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, freshTotpStep, registerAndLogin, TEST_PASSWORD, uniqueEmail, useTestApp, type TestApp } from '../helpers/app';
import { useMailbox, type Mailbox } from '../helpers/mailbox';
import { generateTotpCode } from '../../backend/src/infrastructure/two-factor/totp';

const INTRUDER_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';
const NEW_PASSWORD = 'a brand new passphrase 22';

type Owner = Awaited<ReturnType<typeof registerAndLogin>>;

/** The intruder signs in with the password from a new device and asks to move the account to their address. */
async function intruderRequestsChange(app: TestApp, mailbox: Mailbox, owner: Owner) {
  const login = await app.http.post('/api/auth/login').set('User-Agent', INTRUDER_UA).send({ email: owner.email, password: owner.password }).expect(200);
  const attackerEmail = uniqueEmail('attacker');
  await app.http.post('/api/user/email').set(bearer(login.body.accessToken)).send({ password: owner.password, newEmail: attackerEmail }).expect(202);
  const link = (await mailbox.next(attackerEmail, /Confirm your email address/)).token('/verify-email');
  assert.ok(link);
  return { attackerEmail, link, accessToken: login.body.accessToken as string };
}

async function eventTypes(app: TestApp, accessToken: string): Promise<{ type: string; metadata: Record<string, unknown> }[]> {
  return (await app.http.get('/api/user/security-events').set(bearer(accessToken)).expect(200)).body.events;
}

describe('Account takeover through a pending email change (issue 22)', () => {
  const mailbox = useMailbox();
  const app = useTestApp(() => ({ env: { SMTP_URL: mailbox.url } }));

  /** Each action the owner is told to take; returns an access token that still works afterwards. */
  const ownerActions: Record<string, (owner: Owner) => Promise<string>> = {
    'changes the password': async (owner) => {
      await app.http.post('/api/user/change-password').set(bearer(owner.accessToken)).send({ currentPassword: owner.password, newPassword: NEW_PASSWORD }).expect(200);
      return owner.accessToken;
    },
    'resets the password': async (owner) => {
      await app.http.post('/api/auth/password-reset').send({ email: owner.email }).expect(202);
      const token = (await mailbox.next(owner.email, /Reset your/)).token('/reset-password');
      await app.http.post('/api/auth/password-reset/confirm').send({ token, newPassword: NEW_PASSWORD }).expect(204);
      return (await app.http.post('/api/auth/login').send({ email: owner.email, password: NEW_PASSWORD }).expect(200)).body.accessToken;
    },
    'signs out everywhere': async (owner) => {
      await app.http.post('/api/auth/logout-all').set(bearer(owner.accessToken)).expect(204);
      return (await app.http.post('/api/auth/login').send({ email: owner.email, password: owner.password }).expect(200)).body.accessToken;
    },
    'signs out every other session': async (owner) => {
      await app.http.delete('/api/user/sessions/others').set(bearer(owner.accessToken)).expect(200);
      return owner.accessToken;
    },
    'follows "this wasn\'t me"': async (owner) => {
      const token = (await mailbox.next(owner.email, /New sign-in/)).token('/not-me');
      await app.http.post('/api/auth/sign-in-report').send({ token }).expect(200);
      return owner.accessToken;
    },
    'turns 2FA on': async (owner) => {
      const { secret } = (await app.http.post('/api/user/2fa/enable').set(bearer(owner.accessToken)).send({ password: owner.password }).expect(200)).body;
      freshTotpStep(app);
      await app.http.post('/api/user/2fa/verify').set(bearer(owner.accessToken)).send({ code: generateTotpCode(secret, app.clock.now()) }).expect(200);
      return owner.accessToken;
    },
  };

  for (const [action, act] of Object.entries(ownerActions)) {
    it(`when the owner ${action} after an intruder asked to move the address, then the intruder's link no longer works and the account keeps its address`, async () => {
      const owner = await registerAndLogin(app);
      const { attackerEmail, link } = await intruderRequestsChange(app, mailbox, owner);
      const token = await act(owner);
      const confirm = await app.http.post('/api/auth/email-verification/confirm').send({ token: link });
      assert.equal(confirm.status, 400, JSON.stringify(confirm.body));
      assert.equal(confirm.body.error.code, 'LINK_INVALID');
      const me = await app.http.get('/api/user/me').set(bearer(token)).expect(200);
      assert.equal(me.body.user.email, owner.email);
      // The intruder cannot reset through their mailbox either: the account is not theirs.
      await app.http.post('/api/auth/password-reset').send({ email: attackerEmail }).expect(202);
      const cancelled = (await eventTypes(app, token)).find((e) => e.type === 'email.change_cancelled');
      assert.equal(cancelled?.metadata.newEmail, attackerEmail);
      await app.http.post('/api/auth/password-reset').send({ email: owner.email }).expect(202);
      await mailbox.next(owner.email, /Reset your/);
      assert.equal(mailbox.to(attackerEmail).filter((m) => /Reset your/.test(m.subject)).length, 0);
    });
  }

  it('when a change of address completes, then the old address gets a single-use link that restores it, ends every session and voids the reset link the intruder got', async () => {
    const owner = await registerAndLogin(app);
    const intruder = await intruderRequestsChange(app, mailbox, owner);
    await app.http.post('/api/auth/email-verification/confirm').send({ token: intruder.link }).expect(200);
    const notice = await mailbox.next(owner.email, /was changed/);
    assert.ok(notice.text.includes(intruder.attackerEmail));
    const revert = notice.token('/revert-email');
    assert.ok(revert);
    // The intruder resets the password through their own mailbox...
    await app.http.post('/api/auth/password-reset').send({ email: intruder.attackerEmail }).expect(202);
    const reset = (await mailbox.next(intruder.attackerEmail, /Reset your/)).token('/reset-password');
    await app.http.post('/api/auth/password-reset/confirm').send({ token: reset, newPassword: 'the intruder owns it now' }).expect(204);
    const again = await app.http.post('/api/auth/login').send({ email: intruder.attackerEmail, password: 'the intruder owns it now' }).expect(200);
    await app.http.post('/api/auth/password-reset').send({ email: intruder.attackerEmail }).expect(202);
    const spare = (await mailbox.next(intruder.attackerEmail, /Reset your/)).token('/reset-password');

    // ...and the old address undoes the change (the password reset did not void the revert link).
    const res = await app.http.post('/api/auth/email-change/revert').send({ token: revert }).expect(200);
    assert.deepEqual(res.body, { email: owner.email, reverted: true });
    const gone = await app.http.get('/api/user/me').set(bearer(again.body.accessToken));
    assert.equal(gone.body.error.code, 'SESSION_TERMINATED');
    const stale = await app.http.post('/api/auth/password-reset/confirm').send({ token: spare, newPassword: 'the intruder tries again' });
    assert.equal(stale.body.error.code, 'LINK_INVALID');
    const twice = await app.http.post('/api/auth/email-change/revert').send({ token: revert });
    assert.equal(twice.body.error.code, 'LINK_INVALID');

    // The owner takes the password back through the restored address.
    await app.http.post('/api/auth/password-reset').send({ email: owner.email }).expect(202);
    const ownReset = (await mailbox.next(owner.email, /Reset your/)).token('/reset-password');
    await app.http.post('/api/auth/password-reset/confirm').send({ token: ownReset, newPassword: NEW_PASSWORD }).expect(204);
    const back = await app.http.post('/api/auth/login').send({ email: owner.email, password: NEW_PASSWORD }).expect(200);
    assert.equal(back.body.user.email, owner.email);
    const reverted = (await eventTypes(app, back.body.accessToken)).find((e) => e.type === 'email.change_reverted');
    assert.equal(reverted?.metadata.revertedEmail, intruder.attackerEmail);
  });

  it('when 2FA is on, then a change of address needs a code: none is a 400, a wrong one a 401, a right one goes through', async () => {
    const owner = await registerAndLogin(app);
    const { secret } = (await app.http.post('/api/user/2fa/enable').set(bearer(owner.accessToken)).send({ password: owner.password }).expect(200)).body;
    freshTotpStep(app);
    await app.http.post('/api/user/2fa/verify').set(bearer(owner.accessToken)).send({ code: generateTotpCode(secret, app.clock.now()) }).expect(200);
    const newEmail = uniqueEmail('moved');
    const none = await app.http.post('/api/user/email').set(bearer(owner.accessToken)).send({ password: TEST_PASSWORD, newEmail });
    assert.equal(none.status, 400);
    assert.equal(none.body.error.code, 'VALIDATION_ERROR');
    const wrong = await app.http.post('/api/user/email').set(bearer(owner.accessToken)).send({ password: TEST_PASSWORD, newEmail, code: '000000' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error.code, 'MFA_INVALID_CODE');
    freshTotpStep(app);
    await app.http.post('/api/user/email').set(bearer(owner.accessToken)).send({ password: TEST_PASSWORD, newEmail, code: generateTotpCode(secret, app.clock.now()) }).expect(202);
  });
});

describe('"This wasn\'t me" is single-purpose and short-lived (issue 22)', () => {
  const mailbox = useMailbox();
  const app = useTestApp(() => ({ env: { SMTP_URL: mailbox.url } }));

  it('when the link is followed, then it ends the session and mails a reset link, but hands out no reset token itself', async () => {
    const owner = await registerAndLogin(app);
    await app.http.post('/api/auth/login').set('User-Agent', INTRUDER_UA).send({ email: owner.email, password: owner.password }).expect(200);
    const token = (await mailbox.next(owner.email, /New sign-in/)).token('/not-me');
    const report = await app.http.post('/api/auth/sign-in-report').send({ token }).expect(200);
    assert.equal(report.body.resetToken, undefined);
    assert.equal(report.body.passwordResetMailed, true);
    assert.ok((await mailbox.next(owner.email, /Reset your/)).token('/reset-password'));
  });

  it('when the password was changed or reset since the alert, then the link is void', async () => {
    const owner = await registerAndLogin(app);
    await app.http.post('/api/auth/login').set('User-Agent', INTRUDER_UA).send({ email: owner.email, password: owner.password }).expect(200);
    const token = (await mailbox.next(owner.email, /New sign-in/)).token('/not-me');
    await app.http.post('/api/user/change-password').set(bearer(owner.accessToken)).send({ currentPassword: owner.password, newPassword: NEW_PASSWORD }).expect(200);
    const res = await app.http.post('/api/auth/sign-in-report').send({ token });
    assert.equal(res.body.error?.code, 'LINK_INVALID');

    await app.http.post('/api/auth/login').set('User-Agent', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15').send({ email: owner.email, password: NEW_PASSWORD }).expect(200);
    const second = (await mailbox.next(owner.email, /New sign-in/)).token('/not-me');
    await app.http.post('/api/auth/password-reset').send({ email: owner.email }).expect(202);
    const reset = (await mailbox.next(owner.email, /Reset your/)).token('/reset-password');
    await app.http.post('/api/auth/password-reset/confirm').send({ token: reset, newPassword: 'another new passphrase 22' }).expect(204);
    const after = await app.http.post('/api/auth/sign-in-report').send({ token: second });
    assert.equal(after.body.error?.code, 'LINK_INVALID');
  });

  it('when more than 24 hours have passed (SIGN_IN_REPORT_TTL default), then the link no longer works', async () => {
    const owner = await registerAndLogin(app);
    await app.http.post('/api/auth/login').set('User-Agent', INTRUDER_UA).send({ email: owner.email, password: owner.password }).expect(200);
    const token = (await mailbox.next(owner.email, /New sign-in/)).token('/not-me');
    app.clock.advance(24 * 3600 + 1);
    const res = await app.http.post('/api/auth/sign-in-report').send({ token });
    assert.equal(res.body.error?.code, 'LINK_INVALID');
  });
});

describe('Mail request buckets (issue 22)', () => {
  const mailbox = useMailbox();
  // The production default (the test app raises it so other files' mail tests are not limited).
  const app = useTestApp(() => ({ env: { SMTP_URL: mailbox.url, RATE_LIMIT_MAIL_PER_ADDRESS_PER_HOUR: '5' } }));

  it('when five unauthenticated verification resends used up the address\'s resend bucket, then the owner\'s password reset still goes out', async () => {
    const owner = await registerAndLogin(app);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await app.http.post('/api/auth/email-verification').send({ email: owner.email })).status);
    assert.deepEqual(statuses, [202, 202, 202, 202, 202, 429]);
    await app.http.post('/api/auth/password-reset').send({ email: owner.email }).expect(202);
    assert.ok((await mailbox.next(owner.email, /Reset your/)).token('/reset-password'));
  });
});

describe('Browser logout by the refresh cookie alone (issue 22)', () => {
  const app = useTestApp();

  it('when the page signs out without an access token, then the session the cookie names ends', async () => {
    const { email } = await registerAndLogin(app);
    const login = await app.http.post('/api/auth/browser/login').set('Origin', app.url).send({ email, password: TEST_PASSWORD }).expect(200);
    const cookie = ([] as string[]).concat(login.headers['set-cookie'] ?? []).find((c) => c.startsWith('sessionary_refresh='))!.split(';')[0];
    await app.http.post('/api/auth/browser/logout').set('Origin', app.url).set('Cookie', cookie).expect(204);
    const me = await app.http.get('/api/user/me').set(bearer(login.body.accessToken));
    assert.equal(me.body.error?.code, 'SESSION_TERMINATED');
    const refresh = await app.http.post('/api/auth/browser/refresh').set('Origin', app.url).set('Cookie', cookie);
    assert.equal(refresh.status, 401);
  });
});

describe('Refresh cookie over HTTPS: the __Host- prefix, the old name, duplicates (issue 22)', () => {
  const app = useTestApp(() => ({ env: { PUBLIC_URL: 'https://accounts.example.test' } }));
  const setCookies = (res: { headers: Record<string, unknown> }) => ([] as string[]).concat((res.headers['set-cookie'] as string[] | undefined) ?? []);
  const hostCookie = (res: { headers: Record<string, unknown> }) => setCookies(res).find((c) => c.startsWith('__Host-sessionary_refresh=') && !/Expires=Thu, 01 Jan 1970/.test(c));
  const browser = () => app.http.post('/api/auth/browser/login').set('Origin', app.url);

  it('when PUBLIC_URL is https, then the refresh cookie is __Host-sessionary_refresh: Secure, Path=/, no Domain', async () => {
    const { email } = await registerAndLogin(app);
    const login = await browser().send({ email, password: TEST_PASSWORD }).expect(200);
    const line = hostCookie(login);
    assert.ok(line, JSON.stringify(setCookies(login)));
    assert.match(line, /; Secure/);
    assert.match(line, /; Path=\/(;|$)/);
    assert.doesNotMatch(line, /Domain=/i);
    assert.match(line, /; HttpOnly/);
    const pair = line.split(';')[0];
    const refreshed = await app.http.post('/api/auth/browser/refresh').set('Origin', app.url).set('Cookie', pair);
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
  });

  it('when only a cookie of the old name is sent, then it still works once and is renamed to the __Host- cookie', async () => {
    const { email } = await registerAndLogin(app);
    const token = hostCookie(await browser().send({ email, password: TEST_PASSWORD }).expect(200))!.split(';')[0].split('=')[1];
    const res = await app.http.post('/api/auth/browser/refresh').set('Origin', app.url).set('Cookie', `sessionary_refresh=${token}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.ok(hostCookie(res));
    assert.ok(setCookies(res).some((c) => c.startsWith('sessionary_refresh=;') && /Expires=Thu, 01 Jan 1970/.test(c)), 'the old name is cleared');
  });

  it('when a planted old-name cookie comes with the __Host- one, then the __Host- one is used; when the old name comes twice, then refresh is refused', async () => {
    const victim = await registerAndLogin(app);
    const attacker = await registerAndLogin(app);
    const victimPair = hostCookie(await browser().send({ email: victim.email, password: TEST_PASSWORD }).expect(200))!.split(';')[0];
    const attackerToken = hostCookie(await browser().send({ email: attacker.email, password: TEST_PASSWORD }).expect(200))!.split(';')[0].split('=')[1];
    const mixed = await app.http.post('/api/auth/browser/refresh').set('Origin', app.url).set('Cookie', `sessionary_refresh=${attackerToken}; ${victimPair}`);
    assert.equal(mixed.status, 200, JSON.stringify(mixed.body));
    assert.equal(mixed.body.user.email, victim.email, 'the __Host- cookie wins over a planted old-name one');

    const victimToken = hostCookie(mixed)!.split(';')[0].split('=')[1];
    const twice = await app.http.post('/api/auth/browser/refresh').set('Origin', app.url).set('Cookie', `sessionary_refresh=${attackerToken}; sessionary_refresh=${victimToken}`);
    assert.equal(twice.status, 401);
    assert.equal(twice.body.error.code, 'INVALID_REFRESH_TOKEN');
  });
});
