// GET /api/docs in Debian's Chromium: Swagger UI renders every operation of docs/openapi.yaml from this
// server's own assets, under the page's Content-Security-Policy, with no request leaving the origin.
// `SCREENSHOT=docs/images/api-docs.png` also writes the README's screenshot.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { openApiDocument } from '../../backend/src/modules/docs/openapi-document';
import { startTestApp, type TestApp } from '../helpers/app';
import { launchChromium, startAll, watchProblems } from '../helpers/browser';

const operationCount = Object.values(openApiDocument().paths).reduce((n, item) => n + ['get', 'post', 'put', 'patch', 'delete'].filter((m) => m in item).length, 0);

describe('API reference page', () => {
  let app: TestApp;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  const requested: string[] = [];

  before(async () => {
    [app, browser] = await startAll([startTestApp(), launchChromium()]);
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    problems = watchProblems(page);
    page.on('request', (r) => requested.push(r.url()));
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  it('when /api/docs is opened, then every operation is listed, under the CSP, with nothing fetched from elsewhere', async () => {
    const res = await page.goto(`${app.url}/api/docs`);
    assert.equal(res?.status(), 200);
    assert.match(String(res?.headers()['content-security-policy']), /script-src 'self'/);
    // Swagger UI parses the whole document in the page; on a loaded two-core machine that takes well over 15 s.
    await page.waitForSelector('.opblock', { timeout: 60_000 });
    await page.waitForFunction((n: number) => (globalThis as any).document.querySelectorAll('.opblock').length >= n, operationCount, { timeout: 60_000 });
    assert.equal(await page.locator('.opblock').count(), operationCount);
    assert.match(await page.locator('.info .title').innerText(), /Sessionary/);
    assert.deepEqual(problems, []);
    const elsewhere = requested.filter((u) => !u.startsWith(app.url) && !u.startsWith('data:'));
    assert.deepEqual(elsewhere, []);
    assert.ok(requested.some((u) => u.endsWith('/api/openapi.json')));
  });

  it('when an operation is expanded, then its responses and error codes are shown', async () => {
    await page.locator('#operations-auth-login .opblock-summary').click();
    const block = page.locator('#operations-auth-login');
    await block.locator('.responses-table').first().waitFor();
    const text = await block.innerText();
    for (const status of ['200', '401', '423', '429']) assert.match(text, new RegExp(`\\b${status}\\b`));
    assert.match(text, /INVALID_CREDENTIALS/);
    await page.locator('#operations-auth-login .opblock-summary').click();
    if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT, fullPage: false });
    assert.deepEqual(problems, []);
  });
});
