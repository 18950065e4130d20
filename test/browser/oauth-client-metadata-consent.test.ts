// Issue 25: the consent screen of a Client ID Metadata Document client in Debian's Chromium. The client's
// name is only its document's claim, so the screen shows the host of its client_id URL prominently, above the
// rest, in English and in Russian; axe and the 375 px check pass, and allowing returns a code. The document is
// served by this test on 127.0.0.1 (OAUTH_CLIENT_METADATA_ALLOW_PRIVATE, development only).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { registerAndLogin, startTestApp, type TestApp } from '../helpers/app';
import { assertScreenOk, launchChromium, openAppPage, startAll, WEB_DIST, webNotBuilt } from '../helpers/browser';
import { issuerOf, oidcEnv, pkce } from '../helpers/oidc';

const CALLBACK = 'http://127.0.0.1:9/cimd-callback';

describe('consent screen of a client metadata document client in a real browser', { skip: webNotBuilt }, () => {
  let app: TestApp;
  let browser: Browser;
  let documents: Server;
  let clientId: string;

  before(async () => {
    documents = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=600' }).end(JSON.stringify({
        client_id: clientId, client_name: 'Trusted Looking Agent', redirect_uris: [CALLBACK], token_endpoint_auth_method: 'none',
      }));
    });
    await new Promise<void>((resolve) => documents.listen(0, '127.0.0.1', resolve));
    clientId = `http://127.0.0.1:${(documents.address() as AddressInfo).port}/agent.json`;
    [app, browser] = await startAll([
      startTestApp({ env: { ...oidcEnv, OAUTH_CLIENT_METADATA_DOCUMENTS: 'on', OAUTH_CLIENT_METADATA_ALLOW_PRIVATE: 'on' }, webDistDir: WEB_DIST }),
      launchChromium(),
    ]);
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    await new Promise<void>((resolve) => documents.close(() => resolve()));
  });

  async function catchCallback(context: BrowserContext): Promise<() => Promise<URL>> {
    let resolve!: (u: URL) => void;
    const caught = new Promise<URL>((r) => (resolve = r));
    await context.route(`${CALLBACK}**`, (route) => {
      resolve(new URL(route.request().url()));
      void route.fulfill({ status: 200, contentType: 'text/plain', body: 'back at the agent' });
    });
    return () => caught;
  }

  async function start(page: Page, extra: Record<string, string> = {}) {
    const config = await client.discovery(issuerOf(app), clientId, undefined, client.None(), { execute: [client.allowInsecureRequests] });
    const { verifier, challenge } = await pkce();
    const url = client.buildAuthorizationUrl(config, { redirect_uri: CALLBACK, scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256', state: 'st', ...extra });
    await page.goto(url.href);
    return { config, verifier };
  }

  async function signIn(page: Page, user: { email: string; password: string }) {
    await page.locator('input[name="email"]').fill(user.email);
    await page.locator('input[name="password"]').fill(user.password);
    await page.locator('form button[type="submit"]').first().click();
  }

  it('when the consent screen is shown, then the document host stands out above the client name\'s claim, and allowing returns a code', async () => {
    const user = await registerAndLogin(app);
    const { context, page, problems } = await openAppPage(browser);
    const callback = await catchCallback(context);
    const flow = await start(page);
    await signIn(page, user);
    await page.getByRole('heading', { level: 1, name: 'Trusted Looking Agent wants to use your account' }).waitFor();
    await page.getByText('This application is identified only by its website', { exact: false }).waitFor();
    assert.equal(await page.locator('strong.client-host').textContent(), '127.0.0.1');
    await assertScreenOk(page, 'oauth-cimd-consent');
    await page.getByRole('button', { name: 'Allow' }).click();
    const back = await callback();
    const tokens = await client.authorizationCodeGrant(flow.config, back, { pkceCodeVerifier: flow.verifier, expectedState: 'st', idTokenExpected: true });
    assert.equal(tokens.claims()!.aud, clientId);
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('when the request asks for Russian, then the host warning is in Russian', async () => {
    const user = await registerAndLogin(app);
    const { context, page, problems } = await openAppPage(browser);
    await start(page, { ui_locales: 'ru' });
    await signIn(page, user);
    await page.getByRole('heading', { level: 1, name: 'Trusted Looking Agent запрашивает доступ к вашему аккаунту' }).waitFor();
    await page.getByText('Это приложение опознано только по своему сайту', { exact: false }).waitFor();
    assert.equal(await page.locator('strong.client-host').textContent(), '127.0.0.1');
    await assertScreenOk(page, 'oauth-cimd-consent-ru');
    assert.deepEqual(problems, []);
    await context.close();
  });
});
