// The admin screen for OAuth clients in Debian's Chromium: an admin registers a confidential client (the
// secret is shown once and copies to the clipboard), rotates its secret ending the old one at once, and
// deactivates it — each step checked against the real token endpoint. axe and the 375 px check on each
// screen, in English and Russian; any CSP violation or page error fails the test.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../helpers/app';
import { assertScreenOk, launchChromium, startAll, openAppPage, WEB_DIST, webNotBuilt } from '../helpers/browser';

const ADMIN = { email: 'clients-admin@example.test', password: 'admin-Basalt-62-orchard' };

describe('OAuth clients admin screen in a real browser', { skip: webNotBuilt }, () => {
  let app: TestApp;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  before(async () => {
    [app, browser] = await startAll([startTestApp({ env: { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password }, webDistDir: WEB_DIST }), launchChromium()]);
    const opened = await openAppPage(browser);
    await opened.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
    ({ page, problems } = opened);
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  const heading = (name: string) => page.getByRole('heading', { level: 1, name }).waitFor();
  const clientCredentials = async (clientId: string, secret: string) =>
    (await app.http.post('/oauth/token').type('form').auth(clientId, secret).send({ grant_type: 'client_credentials' })).status;
  const shownSecret = async () => (await page.locator('code[data-secret]').textContent())!.trim();

  it('when an admin registers, rotates and deactivates a client, then each secret is shown once and the token endpoint follows', async () => {
    await page.goto(app.url);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await heading('Your sessions');
    await page.getByRole('link', { name: 'OAuth clients' }).click();
    await heading('OAuth clients');
    await page.locator('li[data-client-id="web"]').waitFor();
    await assertScreenOk(page, 'oauth-clients');

    await page.getByLabel('Name', { exact: true }).fill('gateway');
    await page.getByLabel('Allowed scopes (optional)').fill('api:read');
    await page.getByRole('button', { name: 'Register client' }).click();
    await page.getByText('This secret is shown only now', { exact: false }).waitFor();
    const clientId = (await page.locator('li[data-client-id^="gateway-"]').getAttribute('data-client-id'))!;
    const first = await shownSecret();
    await page.getByRole('button', { name: 'Copy secret' }).click();
    await page.getByText('Copied to the clipboard.').waitFor();
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), first);
    await assertScreenOk(page, 'oauth-client-secret');
    assert.equal(await clientCredentials(clientId, first), 200);
    await page.getByRole('button', { name: 'I have stored it' }).click();
    assert.equal(await page.locator('code[data-secret]').count(), 0, 'the secret is gone once dismissed');

    await page.getByRole('button', { name: `Rotate secret of ${clientId}` }).click();
    await page.getByLabel(/End the old secret now/).check();
    await assertScreenOk(page, 'oauth-client-rotate');
    await page.getByRole('button', { name: 'Rotate secret', exact: true }).click();
    await page.getByText(`${clientId} has a new secret; the old one no longer works.`).waitFor();
    const second = await shownSecret();
    assert.notEqual(second, first);
    assert.equal(await clientCredentials(clientId, first), 401);
    assert.equal(await clientCredentials(clientId, second), 200);

    await page.getByRole('button', { name: `Deactivate ${clientId}` }).click();
    await page.getByRole('button', { name: 'Deactivate', exact: true }).click();
    await page.getByText(`${clientId} was deactivated. Sessions ended: 0.`).waitFor();
    // The notice can render before the list reloads; wait for the badge rather than count at once.
    await page.locator(`li[data-client-id="${clientId}"] .badge`, { hasText: 'inactive' }).waitFor();
    assert.equal(await page.locator(`li[data-client-id="${clientId}"] .badge`, { hasText: 'inactive' }).count(), 1);
    assert.equal(await clientCredentials(clientId, second), 401);

    await page.getByRole('combobox', { name: 'Language' }).selectOption('ru');
    await heading('Клиенты OAuth');
    await assertScreenOk(page, 'oauth-clients-ru');
    assert.deepEqual(problems, []);
  });
});
