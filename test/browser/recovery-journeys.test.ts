// The journeys a mail starts, in Debian's Chromium: "forgot password" → the mailed link → a new password,
// and a new-device mail's "this wasn't me" → that session ends → a new password; the activity list marks
// new-device sign-ins; an unconfirmed address → "send the link again" (and its per-address limit) → the
// link confirms it; a change of address → the link to the new address and the notice to the old one → sign
// in with the new address; with REQUIRE_EMAIL_VERIFICATION, "send the link again" from the refused sign-in.
// Mail is read from a real SMTP server in the test process. axe-core and the 375 px check run on every
// screen; any CSP violation or page error fails the suite.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { bearer, registerAndLogin, startTestApp, TEST_PASSWORD, uniqueEmail, type TestApp } from '../helpers/app';
import { assertScreenOk, launchChromium, startAll, openAppPage, WEB_DIST, webNotBuilt } from '../helpers/browser';
import { startMailbox, type Mailbox } from '../helpers/mailbox';

const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';
const LINK_ORIGIN = 'https://accounts.example.test';

describe('mailed-link journeys in a real browser', { skip: webNotBuilt }, () => {
  let app: TestApp;
  let mailbox: Mailbox;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  before(async () => {
    mailbox = await startMailbox();
    [app, browser] = await startAll([
      // One mail request per address an hour: the second "send the link again" meets the limit (each
      // journey uses fresh addresses, so no other request here comes near it).
      startTestApp({
        // TRUST_PROXY: the impossible-travel journey's sign-ins claim public addresses with X-Forwarded-For.
        env: { SMTP_URL: mailbox.url, PUBLIC_URL: LINK_ORIGIN, RATE_LIMIT_MAIL_PER_ADDRESS_PER_HOUR: '1', RATE_LIMIT_MAIL_PER_IP_PER_HOUR: '100000', TRUST_PROXY: 'loopback' },
        webDistDir: WEB_DIST,
      }),
      launchChromium(),
    ]);
    ({ page, problems } = await openAppPage(browser));
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    await mailbox?.stop();
  });

  const checkScreen = (name: string) => assertScreenOk(page, name);
  const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name }).waitFor();
  /** The mailed link, pointed at the test server (mail links use PUBLIC_URL). */
  const local = (link: string | null, on: TestApp = app) => {
    assert.ok(link?.startsWith(LINK_ORIGIN), `link ${link}`);
    return on.url + link!.slice(LINK_ORIGIN.length);
  };
  const signIn = async (email: string, password = TEST_PASSWORD) => {
    await heading('Sign in');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await heading('Sessions');
  };
  const signOut = async () => {
    await page.locator('header').getByRole('button', { name: 'Sign out' }).click();
    await heading('Sign in');
  };
  const openAccount = async () => {
    await page.getByRole('link', { name: 'Account' }).click();
    await heading('Your account');
  };
  const emailStatus = () => page.getByTestId('email-status');

  it('when a person forgets the password, then the mailed link lets them choose a new one and sign in with it', async () => {
    const u = await registerAndLogin(app);
    await page.goto(app.url);
    await heading('Sign in');
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await heading('Forgot your password?');
    await checkScreen('forgot-password');
    await page.getByLabel('Email').fill(u.email);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await page.getByText(/a mail with a link is on its way/).waitFor();

    const mail = await mailbox.next(u.email, /Reset your/);
    await page.goto(local(mail.link('/reset-password')));
    await heading('Choose a new password');
    assert.equal(new URL(page.url()).hash, '', 'the token is wiped from the address bar');
    await checkScreen('reset-password');
    const fresh = 'a brand new passphrase for the web';
    await page.getByLabel('New password', { exact: true }).fill(fresh);
    await page.getByLabel('Repeat the new password').fill(fresh);
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByText(/Your password is set/).waitFor();
    await checkScreen('reset-done');
    assert.equal((await app.http.get('/api/user/me').set(bearer(u.accessToken))).status, 401, 'the old session ended');

    await page.getByRole('link', { name: 'Back to sign in' }).click();
    await heading('Sign in');
    await page.getByLabel('Email').fill(u.email);
    await page.getByLabel('Password', { exact: true }).fill(fresh);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await heading('Sessions');
  });

  it('when a new-device mail is answered with "this wasn\'t me", then that session ends, a reset link is mailed and sets a new password, and the activity list marks the new-device sign-ins', async () => {
    await page.locator('header').getByRole('button', { name: 'Sign out' }).click();
    await heading('Sign in');
    const u = await registerAndLogin(app);
    const intruder = await app.http.post('/api/auth/login').set('User-Agent', FIREFOX_WINDOWS).send({ email: u.email, password: TEST_PASSWORD }).expect(200);
    const mail = await mailbox.next(u.email, /New sign-in/);
    assert.match(mail.text, /Firefox on Windows/);

    await page.goto(local(mail.link('/not-me')));
    await heading('This wasn’t me');
    await checkScreen('not-me');
    await page.getByRole('button', { name: 'Sign that device out' }).click();
    await page.getByText('That device is signed out.').waitFor();
    const gone = await app.http.get('/api/user/me').set(bearer(intruder.body.accessToken));
    assert.equal(gone.body.error?.code, 'SESSION_TERMINATED');
    await checkScreen('not-me-ended');
    // The link only signs that device out (issue 22); the new password comes through the reset link it mails.
    await page.getByText(/mailed you a link to choose a new password/).waitFor();
    const reset = await mailbox.next(u.email, /Reset your/);
    await page.goto(local(reset.link('/reset-password')));
    const fresh = 'the intruder will never guess this';
    await page.getByLabel('New password', { exact: true }).fill(fresh);
    await page.getByLabel('Repeat the new password').fill(fresh);
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByText(/Your password is set/).waitFor();

    await page.getByRole('link', { name: 'Back to sign in' }).click();
    await page.getByLabel('Email').fill(u.email);
    await page.getByLabel('Password', { exact: true }).fill(fresh);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await heading('Sessions');
    await page.getByRole('link', { name: 'Activity' }).click();
    await heading('Security activity');
    await page.getByText('Sign-in from a new device').first().waitFor();
    assert.ok((await page.getByText('New device', { exact: true }).count()) >= 1, 'new-device sign-ins are marked');
    await checkScreen('activity');
    assert.deepEqual(problems, []);
  });

  it('when a sign-in comes from a second country within the window, then the owner is mailed and the activity list shows it with both countries, in English and Russian', async () => {
    await signOut();
    const u = await registerAndLogin(app);
    // Germany (81.169.145.1), then Russia (77.88.8.8) minutes later: the bundled database knows both.
    await app.http.post('/api/auth/login').set('X-Forwarded-For', '81.169.145.1').send({ email: u.email, password: TEST_PASSWORD }).expect(200);
    await mailbox.next(u.email, /New sign-in/);
    await app.http.post('/api/auth/login').set('User-Agent', FIREFOX_WINDOWS).set('X-Forwarded-For', '77.88.8.8').send({ email: u.email, password: TEST_PASSWORD }).expect(200);
    const mail = await mailbox.next(u.email, /from Russia/);
    assert.match(mail.text, /though it was used from Germany/);

    await signIn(u.email);
    await page.getByRole('link', { name: 'Activity' }).click();
    await heading('Security activity');
    const travel = page.locator('li.event.login-impossible_travel');
    await travel.getByText('Sign-in from a second country within a short time').waitFor();
    await travel.getByText('Check this', { exact: true }).waitFor();
    assert.match(await travel.innerText(), /Russia · shortly after a sign-in from Germany/);
    await checkScreen('activity-impossible-travel');
    await page.getByRole('combobox', { name: 'Language' }).selectOption('ru');
    await travel.getByText('Вход из другой страны за короткое время').waitFor();
    assert.match(await travel.innerText(), /Проверьте/);
    assert.match(await travel.innerText(), /Россия · вскоре после входа из страны: Германия/);
    await checkScreen('activity-impossible-travel-ru');
    await page.getByRole('combobox', { name: 'Язык' }).selectOption('en');
    await heading('Security activity');
    await page.getByRole('link', { name: 'Sessions' }).click();
    await heading('Sessions');
    assert.deepEqual(problems, []);
  });

  it('when a new account\'s address is not confirmed, then the account page says so, sends the link again until the per-address limit, and the mailed link confirms the address', async () => {
    await signOut();
    const email = uniqueEmail('verify');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await heading('Create an account');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Your account is ready. Sign in to continue.').waitFor();
    const first = await mailbox.next(email, /Confirm your email address/);
    await signIn(email);

    await openAccount();
    await emailStatus().filter({ hasText: `${email} is not confirmed yet` }).waitFor();
    await checkScreen('account-unconfirmed');
    await page.getByRole('combobox', { name: 'Language' }).selectOption('ru');
    await heading('Ваша учётная запись');
    await emailStatus().filter({ hasText: 'ещё не подтверждён' }).waitFor();
    await checkScreen('account-unconfirmed-ru');
    await page.getByRole('combobox', { name: 'Язык' }).selectOption('en');
    await heading('Your account');
    await page.getByRole('button', { name: 'Send the link again' }).click();
    await page.getByRole('status').filter({ hasText: `A new link is on its way to ${email}.` }).waitFor();
    await checkScreen('account-link-resent');
    const second = await mailbox.next(email, /Confirm your email address/);
    assert.notEqual(second.token('/verify-email'), first.token('/verify-email'));
    const earlier = await app.http.post('/api/auth/email-verification/confirm').send({ token: first.token('/verify-email') });
    assert.equal(earlier.body.error?.code, 'LINK_INVALID', 'the page says the earlier link no longer works');

    await page.getByRole('button', { name: 'Send the link again' }).click();
    const limited = page.getByRole('alert').filter({ hasText: /^Too many attempts\. Try again in \d+ s\.$/ });
    await limited.waitFor();
    const seconds = Number(/in (\d+) s/.exec(await limited.innerText())![1]);
    assert.ok(seconds > 0 && seconds <= 3600, `the wait comes from Retry-After (${seconds} s)`);
    await checkScreen('account-resend-limited');

    await page.goto(local(second.link('/verify-email')));
    await heading('Confirm your email address');
    assert.equal(new URL(page.url()).hash, '', 'the token is wiped from the address bar');
    await page.getByText(`Thank you: ${email} is confirmed.`).waitFor();
    await checkScreen('verify-email-done');
    await page.getByRole('link', { name: 'Back to your account' }).click();
    await heading('Your account');
    await emailStatus().filter({ hasText: `${email} is confirmed.` }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Send the link again' }).count(), 0, 'no resend once confirmed');
    assert.deepEqual(problems, []);
  });

  it('when the address is changed, then the new address gets the confirmation link and the old one a notice, and after the link the account signs in with the new address', async () => {
    await signOut();
    const u = await registerAndLogin(app);
    const taken = await registerAndLogin(app);
    const fresh = uniqueEmail('moved');
    await signIn(u.email);
    await openAccount();
    await checkScreen('account');

    const newEmail = page.getByLabel('New email address');
    const password = page.getByLabel('Current password');
    const submit = page.getByRole('button', { name: 'Send the confirmation link' });
    await newEmail.fill(taken.email);
    await password.fill(TEST_PASSWORD);
    await submit.click();
    await page.getByRole('alert').filter({ hasText: 'An account with this email already exists.' }).waitFor();
    await newEmail.fill(fresh);
    await password.fill('not my password');
    await submit.click();
    await page.getByRole('alert').filter({ hasText: 'Wrong email or password.' }).waitFor();
    await checkScreen('account-change-email-error');
    await password.fill(TEST_PASSWORD);
    await submit.click();
    await page.getByRole('status').filter({ hasText: `A confirmation link is on its way to ${fresh}` }).waitFor();
    await page.getByRole('status').filter({ hasText: `Until then you sign in with ${u.email}` }).waitFor();
    await page.getByTestId('email-pending').filter({ hasText: `Waiting for confirmation: a change to ${fresh}` }).waitFor();
    await checkScreen('account-change-email-sent');

    const notice = await mailbox.next(u.email, /email address of your .* account is being changed/);
    assert.ok(notice.text.includes(fresh), 'the notice names the new address');
    assert.equal(notice.link('/verify-email'), null, 'the old address gets no link that could confirm the change');
    const confirmation = await mailbox.next(fresh, /Confirm your email address/);
    assert.equal((await app.http.post('/api/auth/login').send({ email: u.email, password: TEST_PASSWORD })).status, 200, 'the old address works until the link is followed');

    await page.goto(local(confirmation.link('/verify-email')));
    await heading('Confirm your email address');
    await page.getByText(`Thank you: ${fresh} is confirmed.`).waitFor();
    await checkScreen('verify-email-changed');
    await page.getByRole('link', { name: 'Back to your account' }).click();
    await heading('Your account');
    await emailStatus().filter({ hasText: `${fresh} is confirmed.` }).waitFor();
    await page.locator('header').getByText(fresh).waitFor();

    await signOut();
    await signIn(fresh);
    assert.equal((await app.http.post('/api/auth/login').send({ email: u.email, password: TEST_PASSWORD })).body.error?.code, 'INVALID_CREDENTIALS', 'the old address no longer signs in');
    assert.deepEqual(problems, []);
  });

  it('when sign-in requires a confirmed address and it is not, then the sign-in page sends the link again and the link lets the person sign in', async () => {
    // Its own server (REQUIRE_EMAIL_VERIFICATION=on) and browser context: cookies do not tell ports apart.
    const strict = await startTestApp({
      env: { SMTP_URL: mailbox.url, PUBLIC_URL: LINK_ORIGIN, REQUIRE_EMAIL_VERIFICATION: 'on', RATE_LIMIT_MAIL_PER_ADDRESS_PER_HOUR: '1', RATE_LIMIT_MAIL_PER_IP_PER_HOUR: '100000' },
      webDistDir: WEB_DIST,
    });
    const own = await openAppPage(browser);
    try {
      const p = own.page;
      const email = uniqueEmail('strict');
      await strict.http.post('/api/auth/register').send({ email, password: TEST_PASSWORD }).expect(201);
      await mailbox.next(email, /Confirm your email address/);
      await p.goto(strict.url);
      await p.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      await p.getByLabel('Email').fill(email);
      await p.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
      await p.getByRole('button', { name: 'Sign in', exact: true }).click();
      await p.getByRole('alert').filter({ hasText: 'Confirm your email address first' }).waitFor();
      await p.getByRole('button', { name: 'Send the link again' }).click();
      await p.getByRole('status').filter({ hasText: `A new link is on its way to ${email}.` }).waitFor();
      await assertScreenOk(p, 'sign-in-unconfirmed-resent');
      const mail = await mailbox.next(email, /Confirm your email address/);

      await p.goto(local(mail.link('/verify-email'), strict));
      await p.getByText(`Thank you: ${email} is confirmed.`).waitFor();
      await p.getByRole('link', { name: 'Back to sign in' }).click();
      await p.getByLabel('Email').fill(email);
      await p.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
      await p.getByRole('button', { name: 'Sign in', exact: true }).click();
      await p.getByRole('heading', { level: 1, name: 'Sessions' }).waitFor();
      assert.deepEqual(own.problems, []);
    } finally {
      await own.context.close();
      await strict.close();
    }
  });
});
