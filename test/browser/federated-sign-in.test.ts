// "Sign in with …" an upstream OpenID Connect provider in Debian's Chromium (issue 27). The upstream is panva's
// oidc-provider on another loopback origin (127.0.0.1, the app is on localhost: a cross-site round trip, as
// with Google), with its development login and consent pages. The journeys: the button on the sign-in page →
// the upstream's login and consent → back in the web app signed in, the provider listed under Linked
// accounts; an existing account's address is refused with the explanation on our page; cancelling at the
// upstream is shown as access_denied; linking from the account page of a password account; and an app signing
// in through Sessionary (authorization code flow) whose user signs in with the upstream on the way. No CSP
// violation.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { registerAndLogin, startTestApp, uniqueEmail, type TestApp } from '../helpers/app';
import { assertScreenOk, launchChromium, openAppPage, startAll, WEB_DIST, webNotBuilt } from '../helpers/browser';
import { issuerOf, oidcEnv, pkce, publicCodeClient, REDIRECT_URI, registerClient } from '../helpers/oidc';
import { startUpstreamIdp, UPSTREAM_CLIENT_ID, UPSTREAM_CLIENT_SECRET, type UpstreamIdp } from '../helpers/upstream-idp';

describe('federated sign-in through the web app in a real browser', { skip: webNotBuilt }, () => {
  let upstream: UpstreamIdp;
  let app: TestApp;
  let browser: Browser;
  let origin: string;

  before(async () => {
    upstream = await startUpstreamIdp();
    // oidcEnv: the development issuer (http://localhost:<port>) and an administrator, for the app's journey.
    const env = { ...oidcEnv, FEDERATION_PROVIDERS: JSON.stringify([{ id: 'test', name: 'Test IdP', issuer: upstream.issuer, clientId: UPSTREAM_CLIENT_ID, clientSecret: UPSTREAM_CLIENT_SECRET }]) };
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

  /** The RP's redirect URI is never served: the browser's request to it is answered here and its URL kept. */
  async function catchCallback(context: BrowserContext): Promise<() => Promise<URL>> {
    let resolve!: (u: URL) => void;
    const caught = new Promise<URL>((r) => (resolve = r));
    await context.route(`${REDIRECT_URI}**`, (route) => {
      resolve(new URL(route.request().url()));
      void route.fulfill({ status: 200, contentType: 'text/plain', body: 'back at the app' });
    });
    return () => caught;
  }

  it('when an app sends its user to sign in and they choose the provider, then they come back to the app\'s consent and the app gets their id_token', async () => {
    const rp = await registerClient(app, publicCodeClient('Photo Printer'));
    const config = await client.discovery(issuerOf(app), rp.id, undefined, client.None(), { execute: [client.allowInsecureRequests] });
    const { verifier, challenge } = await pkce();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid email', code_challenge: challenge, code_challenge_method: 'S256', state, nonce });
    const { context, page, problems } = await openPage();
    const callback = await catchCallback(context);
    await page.goto(url.href);
    await page.getByText('Sign in to continue to Photo Printer.').waitFor();
    await page.getByRole('link', { name: 'Sign in with Test IdP' }).click();
    const email = uniqueEmail('fed-rp');
    await atUpstream(page, email);
    await page.getByRole('heading', { level: 1, name: 'Photo Printer wants to use your account' }).waitFor();
    await page.getByRole('button', { name: 'Allow' }).click();
    const tokens = await client.authorizationCodeGrant(config, await callback(), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
    assert.equal(tokens.claims()!.email, email);
    assert.deepEqual(problems, []);
  });
});
