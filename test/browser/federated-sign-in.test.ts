// "Sign in with …" an upstream OpenID Connect provider in Debian's Chromium (issue 27). The upstream is panva's
// oidc-provider on another loopback origin (127.0.0.1, the app is on localhost: a cross-site round trip, as
// with Google), with its development login and consent pages. The journeys: the button on the sign-in page →
// the upstream's login and consent → back in the web app signed in, the provider listed under Linked
// accounts; an existing account's address is refused with the explanation on our page; cancelling at the
// upstream is shown as access_denied; linking from the account page of a password account. No CSP violation.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { registerAndLogin, startTestApp, uniqueEmail, type TestApp } from '../helpers/app';
import { assertScreenOk, launchChromium, openAppPage, startAll, WEB_DIST, webNotBuilt } from '../helpers/browser';
import { startUpstreamIdp, UPSTREAM_CLIENT_ID, UPSTREAM_CLIENT_SECRET, type UpstreamIdp } from '../helpers/upstream-idp';

describe('federated sign-in through the web app in a real browser', { skip: webNotBuilt }, () => {
  let upstream: UpstreamIdp;
  let app: TestApp;
  let browser: Browser;
  let origin: string;

  before(async () => {
    upstream = await startUpstreamIdp();
    const env = { FEDERATION_PROVIDERS: JSON.stringify([{ id: 'test', name: 'Test IdP', issuer: upstream.issuer, clientId: UPSTREAM_CLIENT_ID, clientSecret: UPSTREAM_CLIENT_SECRET }]) };
    [app, browser] = await startAll([startTestApp({ env, webDistDir: WEB_DIST }), launchChromium()]);
    origin = `http://localhost:${new URL(app.url).port}`;
    upstream.register([`${origin}/api/auth/federation/test/callback`]);
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    await upstream?.close();
  });

  async function openPage() {
    const opened = await openAppPage(browser);
    // The upstream's development pages import a web font: nothing leaves the machine.
    await opened.context.route(/^https?:\/\/(?!localhost|127\.0\.0\.1)/, (route) => void route.abort());
    return opened;
  }

  /** At the upstream's development pages: sign in as `login` and consent (or cancel). */
  async function atUpstream(page: Page, login: string) {
    await page.waitForURL(`${upstream.issuer}/**`);
    if (login === 'cancel') {
      await page.getByRole('link', { name: /Cancel/ }).click();
      return;
    }
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('anything');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
  }

  it('when someone new presses the provider button and signs in there, then they come back signed in with the provider linked', async () => {
    const { page, problems } = await openPage();
    await page.goto(`${origin}/`);
    const button = page.getByRole('link', { name: 'Sign in with Test IdP' });
    await button.waitFor();
    await button.click();
    const email = uniqueEmail('fed-browser');
    await atUpstream(page, email);
    await page.getByRole('heading', { level: 1, name: 'Sessions' }).waitFor();
    await page.goto(`${origin}/account`);
    await page.getByRole('heading', { level: 2, name: 'Linked accounts' }).waitFor();
    const linked = page.locator('li[data-provider="test"]');
    await linked.waitFor();
    assert.match(await linked.innerText(), new RegExp(email.replace(/[.+]/g, '\\$&')));
    await assertScreenOk(page, 'account-linked-accounts');
    assert.deepEqual(problems, []);
  });

  it('when the upstream email belongs to an existing account, then our sign-in page says to sign in first and link', async () => {
    const owner = await registerAndLogin(app);
    const { page, problems } = await openPage();
    await page.goto(`${origin}/`);
    await page.getByRole('link', { name: 'Sign in with Test IdP' }).click();
    await atUpstream(page, owner.email);
    const alert = page.getByTestId('federation-error');
    await alert.waitFor();
    assert.match(await alert.innerText(), /already exists\. Sign in with your password/);
    assert.equal(new URL(page.url()).search, '', 'the outcome is removed from the address');
    await assertScreenOk(page, 'sign-in-federation-refused');
    assert.deepEqual(problems, []);
  });

  it('when the person cancels at the upstream, then our sign-in page says so', async () => {
    const { page } = await openPage();
    await page.goto(`${origin}/`);
    await page.getByRole('link', { name: 'Sign in with Test IdP' }).click();
    await atUpstream(page, 'cancel');
    const alert = page.getByTestId('federation-error');
    await alert.waitFor();
    assert.equal(await alert.innerText(), 'The sign-in at the provider was cancelled.');
  });

  it('when a password user links the provider from the account page, then it is listed as linked', async () => {
    const owner = await registerAndLogin(app);
    const { page, problems } = await openPage();
    await page.goto(`${origin}/`);
    await page.getByLabel('Email').fill(owner.email);
    await page.getByLabel('Password', { exact: true }).fill(owner.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Sessions' }).waitFor();
    await page.goto(`${origin}/account`);
    await page.getByRole('button', { name: 'Link Test IdP' }).click();
    const upstreamLogin = uniqueEmail('fed-link');
    await atUpstream(page, upstreamLogin);
    await page.getByText('Test IdP is linked. You can now sign in with it.').waitFor();
    assert.equal(new URL(page.url()).pathname, '/account');
    await page.locator('li[data-provider="test"]').waitFor();
    assert.deepEqual(problems, []);
  });
});
