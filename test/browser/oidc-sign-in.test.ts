// "Sign in with Sessionary" in Debian's Chromium (issue 24): a relying party built with openid-client builds
// the authorization URL; the browser opens it, signs in on the account web app (login_hint prefilled), sees
// the consent screen (client name, its URI, each scope explained) and allows; the RP exchanges the code and
// validates the id_token, reads userinfo and refreshes; then "Connected apps" lists it and removes its access. A second user, with ui_locales=ru, gets the Russian
// screen and denies (access_denied). prompt=none: login_required with nobody signed in, a code once signed in. axe and the 375 px check on the consent screen; no CSP violation.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { registerAndLogin, startTestApp, type TestApp } from '../helpers/app';
import { assertScreenOk, launchChromium, openAppPage, startAll, WEB_DIST, webNotBuilt } from '../helpers/browser';
import { issuerOf, oidcEnv, pkce, publicCodeClient, REDIRECT_URI, registerClient } from '../helpers/oidc';

describe('OpenID Connect sign-in through the web app in a real browser', { skip: webNotBuilt }, () => {
  let app: TestApp;
  let browser: Browser;
  let config: client.Configuration;

  before(async () => {
    [app, browser] = await startAll([startTestApp({ env: oidcEnv, webDistDir: WEB_DIST }), launchChromium()]);
    const rp = await registerClient(app, publicCodeClient('Photo Printer'));
    config = await client.discovery(issuerOf(app), rp.id, undefined, client.None(), { execute: [client.allowInsecureRequests] });
  });
  after(async () => {
    await browser?.close();
    await app?.close();
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

  async function startFlow(page: Page, extra: Record<string, string>) {
    const { verifier, challenge } = await pkce();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid email offline_access', code_challenge: challenge, code_challenge_method: 'S256', state, nonce, ...extra });
    const response = await page.goto(url.href);
    return { verifier, state, nonce, response };
  }

  it('when a user signs in and allows, then the RP gets a verified id_token, userinfo and a refresh token', async () => {
    const user = await registerAndLogin(app);
    const { context, page, problems } = await openAppPage(browser);
    const callback = await catchCallback(context);
    const flow = await startFlow(page, { login_hint: user.email });
    assert.match(flow.response!.headers()['content-security-policy'] ?? '', /frame-ancestors 'none'/, 'the consent page cannot be framed');
    await page.getByText('Sign in to continue to Photo Printer.').waitFor();
    assert.equal(await page.getByLabel('Email').inputValue(), user.email, 'login_hint fills the address');
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Photo Printer wants to use your account' }).waitFor();
    await page.getByText('See your email address and whether it is confirmed').waitFor();
    await page.getByText('Stay connected to your account when you are not using it').waitFor();
    assert.equal(await page.getByRole('link', { name: 'https://rp.example/' }).count(), 1);
    await assertScreenOk(page, 'oidc-consent');
    await page.getByRole('button', { name: 'Allow' }).click();

    const back = await callback();
    assert.equal(back.searchParams.get('iss'), issuerOf(app).origin);
    const tokens = await client.authorizationCodeGrant(config, back, { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce, idTokenExpected: true });
    const claims = tokens.claims()!;
    assert.equal(claims.sub, user.userId);
    assert.equal(claims.email, user.email);
    assert.deepEqual(claims.amr, ['pwd']);
    assert.equal((await client.fetchUserInfo(config, tokens.access_token, user.userId)).email, user.email);
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    assert.ok(refreshed.access_token);

    // Connected apps: the app is listed with what it may do; "Remove access" signs it out.
    await page.goto(`${issuerOf(app).origin}/connected-apps`);
    await page.getByRole('heading', { level: 1, name: 'Connected apps' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Photo Printer' }).waitFor();
    await page.getByText('Last used', { exact: false }).waitFor();
    await assertScreenOk(page, 'connected-apps');
    await page.getByRole('button', { name: 'Remove access of Photo Printer' }).click();
    await page.getByText('Photo Printer no longer has access and was signed out.').waitFor();
    assert.equal((await app.http.get('/oauth/userinfo').set('Authorization', `Bearer ${refreshed.access_token}`)).status, 401);
    assert.deepEqual(problems, []);
    await context.close();
  });

  // GET /oauth/authorize cannot tell "nobody is signed in" from "the cookie was not sent": the browser's
  // refresh cookie is SameSite=Strict (absent on the RP's cross-site navigation) and, without TLS, scoped to
  // /api/auth/browser. The page decides, from its own same-origin refresh; this is the whole round trip.
  it('when prompt=none reaches a browser nobody is signed in on, then the RP gets login_required with its state and the issuer; once signed in there, a code without any screen', async () => {
    const user = await registerAndLogin(app);
    const { context, page, problems } = await openAppPage(browser);
    let callback = await catchCallback(context);
    const silent = await startFlow(page, { prompt: 'none' });
    const refused = await callback();
    assert.equal(`${refused.origin}${refused.pathname}`, REDIRECT_URI);
    assert.deepEqual([refused.searchParams.get('error'), refused.searchParams.get('state'), refused.searchParams.get('iss')], ['login_required', silent.state, issuerOf(app).origin]);
    assert.equal(refused.searchParams.get('code'), null);

    // Signed in (and consent given) in this browser, the same silent request comes back with a code.
    await context.unroute(`${REDIRECT_URI}**`);
    callback = await catchCallback(context);
    await startFlow(page, { login_hint: user.email });
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await callback();
    await context.unroute(`${REDIRECT_URI}**`);
    callback = await catchCallback(context);
    const again = await startFlow(page, { prompt: 'none' });
    const back = await callback();
    assert.equal(back.searchParams.get('error'), null, back.href);
    const tokens = await client.authorizationCodeGrant(config, back, { pkceCodeVerifier: again.verifier, expectedState: again.state, expectedNonce: again.nonce, idTokenExpected: true });
    assert.equal(tokens.claims()!.sub, user.userId);
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('when the request asks for Russian and the user denies, then the screen is in Russian and the RP gets access_denied', async () => {
    const user = await registerAndLogin(app);
    const { context, page, problems } = await openAppPage(browser);
    const callback = await catchCallback(context);
    const flow = await startFlow(page, { ui_locales: 'ru' });
    await page.getByText('Войдите, чтобы продолжить в Photo Printer.').waitFor();
    await page.getByLabel('Эл. почта').or(page.locator('input[name="email"]')).first().fill(user.email);
    await page.locator('input[name="password"]').fill(user.password);
    await page.locator('form button[type="submit"]').first().click();
    await page.getByRole('heading', { level: 1, name: 'Photo Printer запрашивает доступ к вашему аккаунту' }).waitFor();
    await assertScreenOk(page, 'oidc-consent-ru');
    await page.getByRole('button', { name: 'Отклонить' }).click();
    const back = await callback();
    assert.equal(back.searchParams.get('error'), 'access_denied');
    assert.equal(back.searchParams.get('state'), flow.state);
    assert.deepEqual(problems, []);
    await context.close();
  });
});
