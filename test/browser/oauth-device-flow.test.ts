// Issue 25: the Device Authorization Grant (RFC 8628) in Debian's Chromium. A CLI (openid-client's
// initiateDeviceAuthorization) shows a code; the person opens /device, signs in there, types the code, sees the
// application and its scopes (the consent screen's pieces; axe and the 375 px check pass) and allows it; the
// CLI's pollDeviceAuthorizationGrant gets its tokens. With verification_uri_complete the code is already filled
// in; denying there makes the polling end with access_denied.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { claimsOf, registerAndLogin, startTestApp, type TestApp } from '../helpers/app';
import { assertScreenOk, launchChromium, openAppPage, startAll, WEB_DIST, webNotBuilt } from '../helpers/browser';
import { issuerOf, oidcEnv, registerClient } from '../helpers/oidc';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

describe('device flow in a real browser', { skip: webNotBuilt }, () => {
  let app: TestApp;
  let browser: Browser;
  let config: client.Configuration;

  before(async () => {
    [app, browser] = await startAll([startTestApp({ env: oidcEnv, webDistDir: WEB_DIST }), launchChromium()]);
    const tv = await registerClient(app, { name: 'Living room TV', type: 'public', grantTypes: [DEVICE_GRANT, 'refresh_token'], allowedScopes: ['media:watch'], defaultScopes: ['media:watch'] });
    config = await client.discovery(issuerOf(app), tv.id, undefined, client.None(), { execute: [client.allowInsecureRequests] });
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  async function signIn(page: Page, user: { email: string; password: string }) {
    await page.locator('input[name="email"]').fill(user.email);
    await page.locator('input[name="password"]').fill(user.password);
    await page.locator('form button[type="submit"]').first().click();
  }

  it('when the person signs in on /device, types the code and allows, then the polling CLI gets its tokens', async () => {
    const user = await registerAndLogin(app);
    const started = await client.initiateDeviceAuthorization(config, {});
    const polling = client.pollDeviceAuthorizationGrant(config, started);
    const { page, problems } = await openAppPage(browser);
    await page.goto(started.verification_uri);
    await page.getByText('Sign in to connect a device', { exact: false }).waitFor();
    await signIn(page, user);
    await page.getByRole('heading', { level: 1, name: 'Connect a device' }).waitFor();
    await assertScreenOk(page, 'device-code');
    await page.getByLabel('Code').fill(started.user_code.toLowerCase().replace('-', ''));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { level: 1, name: 'Living room TV wants to use your account' }).waitFor();
    await page.getByText('media:watch', { exact: false }).waitFor();
    await assertScreenOk(page, 'device-consent');
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.getByText('Device connected', { exact: false }).waitFor();
    const tokens = await polling;
    assert.equal(claimsOf(tokens.access_token).sub, user.userId);
    assert.equal(tokens.scope, 'media:watch');
    assert.deepEqual(problems, []);
  });

  it('when the person opens verification_uri_complete already signed in and denies, then the polling ends with access_denied', async () => {
    const user = await registerAndLogin(app);
    const started = await client.initiateDeviceAuthorization(config, {});
    const polling = client.pollDeviceAuthorizationGrant(config, started).then(() => null, (err: unknown) => err);
    const { page, problems } = await openAppPage(browser);
    await page.goto(started.verification_uri);
    await signIn(page, user);
    await page.getByRole('heading', { level: 1, name: 'Connect a device' }).waitFor();
    await page.goto(started.verification_uri_complete!);
    await page.getByRole('heading', { level: 1, name: 'Living room TV wants to use your account' }).waitFor();
    await page.getByText(started.user_code).waitFor();
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.getByText('Access refused', { exact: false }).waitFor();
    const err = (await polling) as { error?: string } | null;
    assert.equal(err?.error, 'access_denied');
    assert.deepEqual(problems, []);
  });
});
