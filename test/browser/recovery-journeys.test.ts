// The journeys a mail starts, in Debian's Chromium: "forgot password" → the mailed link → a new password,
// and a new-device mail's "this wasn't me" → that session ends → a new password; the activity list marks
// new-device sign-ins. Mail is read from a real SMTP server in the test process. axe-core and the 375 px
// check run on every screen; any CSP violation or page error fails the suite.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { bearer, registerAndLogin, startTestApp, TEST_PASSWORD, type TestApp } from '../helpers/app';
import { assertScreenOk, launchChromium, openAppPage, WEB_DIST, webNotBuilt } from '../helpers/browser';
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
    [app, browser] = await Promise.all([
      startTestApp({ env: { SMTP_URL: mailbox.url, PUBLIC_URL: LINK_ORIGIN }, webDistDir: WEB_DIST }),
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
  const local = (link: string | null) => {
    assert.ok(link?.startsWith(LINK_ORIGIN), `link ${link}`);
    return app.url + link!.slice(LINK_ORIGIN.length);
  };

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

  it('when a new-device mail is answered with "this wasn\'t me", then that session ends, a new password is set, and the activity list marks the new-device sign-ins', async () => {
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
});
