// `npm run screenshots`: light and dark PNGs of every screen of the account web app into docs/screenshots/.
// Self-contained: the real server on an embedded PostgreSQL (PGlite) in a temporary folder, demo data made
// through the API, and Debian's Chromium (CHROMIUM_PATH) through playwright-core.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSync } from 'otplib';
import type { Page } from 'playwright-core';
import { loadConfig } from '../backend/src/config';
import { buildContainer } from '../backend/src/container';
import { createLogger } from '../backend/src/infrastructure/logger';
import { launchChromium } from '../test/helpers/browser';

const OUT = join(process.cwd(), 'docs', 'screenshots');
const ADMIN = { email: 'admin@example.com', password: 'admin-Quartz-41-meadow' };
const USER = { email: 'ada@example.com', password: 'plum-Orbit-7-lantern' };
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';
/** The session-location screens' user; the addresses are ones the bundled country database knows. */
const TRAVELLER = { email: 'lin@example.com', password: 'cedar-Prism-58-harbour' };
const GERMANY = '81.169.145.1';
const USA = '8.8.8.8';

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'sessionary-shots-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    REGISTRATION_MODE: 'approval',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    BCRYPT_COST: '4',
    BCRYPT_WORKERS: '0',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_AUTH_PER_MIN: '10000',
    // The session-location screens (issue 33): sign-ins claim public addresses with X-Forwarded-For.
    TRUST_PROXY: 'loopback',
  });
  const container = await buildContainer(config, { logger: createLogger('warn') });
  const { url } = await container.start(0);
  const browser = await launchChromium();
  mkdirSync(OUT, { recursive: true });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json().catch(() => null)) as any }));
  try {
    // Demo data: an approved user with sessions on three devices, and one registration waiting.
    const reg = await post('/api/auth/register', { ...USER, username: 'Ada' });
    const admin = await post('/api/auth/login', ADMIN);
    await post(`/api/admin/registrations/${reg.body.user.id}/approve`, {}, { authorization: `Bearer ${admin.body.accessToken}` });
    await post('/api/auth/register', { email: 'grace@example.com', password: 'walnut-Comet-93-harbour' });
    await post('/api/auth/login', { ...USER, password: 'wrong password' });
    const traveller = await post('/api/auth/register', { ...TRAVELLER, username: 'Lin' });
    await post(`/api/admin/registrations/${traveller.body.user.id}/approve`, {}, { authorization: `Bearer ${admin.body.accessToken}` });

    let spentStep = -1;
    for (const scheme of ['light', 'dark'] as const) {
      // Each pass starts from the same state: 2FA off, two other devices signed in.
      await post(`/api/admin/users/${reg.body.user.id}/reset-2fa`, {}, { authorization: `Bearer ${admin.body.accessToken}` });
      await post('/api/auth/login', { ...USER, deviceName: 'Ada’s iPhone' }, { 'user-agent': IPHONE });
      await post('/api/auth/login', { ...USER, deviceName: 'Office PC' }, { 'user-agent': WINDOWS });
      // Where sessions are (issue 33): the browser in Germany, a phone in Germany, a PC in the United States and
      // one on a private network (no location). Each pass starts with none of the traveller's sessions.
      await post(`/api/admin/users/${traveller.body.user.id}/revoke-sessions`, {}, { authorization: `Bearer ${admin.body.accessToken}` });
      await post('/api/auth/login', { ...TRAVELLER, deviceName: 'Lin’s iPhone' }, { 'user-agent': IPHONE, 'x-forwarded-for': GERMANY });
      await post('/api/auth/login', { ...TRAVELLER, deviceName: 'Office PC' }, { 'user-agent': WINDOWS, 'x-forwarded-for': USA });
      await post('/api/auth/login', { ...TRAVELLER, deviceName: 'Home NAS' }, { 'user-agent': WINDOWS, 'x-forwarded-for': '192.168.1.20' });
      const located = await browser.newContext({ locale: 'en-US', viewport: { width: 960, height: 720 }, colorScheme: scheme, deviceScaleFactor: 1, extraHTTPHeaders: { 'X-Forwarded-For': GERMANY } });
      const lp = await located.newPage();
      await lp.goto(url);
      await lp.getByLabel('Email').fill(TRAVELLER.email);
      await lp.getByLabel('Password', { exact: true }).fill(TRAVELLER.password);
      await lp.getByLabel('Name this device (optional)').fill('Laptop');
      await lp.getByRole('button', { name: 'Sign in', exact: true }).click();
      await lp.getByRole('heading', { level: 1, name: 'Your sessions' }).waitFor();
      await lp.locator('li.session').nth(3).waitFor();
      await lp.evaluate('document.activeElement && document.activeElement.blur()');
      await lp.screenshot({ path: join(OUT, `sessions-location-${scheme}.png`), fullPage: true });
      console.log(`docs/screenshots/sessions-location-${scheme}.png`);
      await located.close();

      const context = await browser.newContext({ locale: 'en-US', viewport: { width: 960, height: 720 }, colorScheme: scheme, deviceScaleFactor: 1 });
      const page = await context.newPage();
      const shot = async (name: string, p: Page = page) => {
        await p.evaluate('document.activeElement && document.activeElement.blur()');
        await p.screenshot({ path: join(OUT, `${name}-${scheme}.png`), fullPage: true });
        console.log(`docs/screenshots/${name}-${scheme}.png`);
      };
      const h1 = (name: string, p: Page = page) => p.getByRole('heading', { level: 1, name }).waitFor();
      await page.goto(url);
      await h1('Sign in');
      await shot('sign-in');
      await page.getByRole('link', { name: 'Create an account' }).click();
      await h1('Create an account');
      await shot('sign-up');
      await page.getByRole('link', { name: 'Sign in' }).click();
      await page.getByLabel('Email').fill(USER.email);
      await page.getByLabel('Password', { exact: true }).fill(USER.password);
      await page.getByLabel('Name this device (optional)').fill('Laptop');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await h1('Your sessions');
      // A locator wait, not waitForFunction with a string: the page's CSP refuses string evaluation.
      await page.locator('li.session').nth(2).waitFor();
      await shot('sessions');
      await page.getByRole('link', { name: 'Password' }).click();
      await h1('Change password');
      await shot('password');
      await page.getByRole('link', { name: 'Activity' }).click();
      await page.locator('ol.timeline li').first().waitFor();
      await shot('activity');
      // The demo account's address is not confirmed (no mail is sent here): the "send the link again" state.
      await page.getByRole('link', { name: 'Account' }).click();
      await h1('Your account');
      await page.getByTestId('email-status').filter({ hasText: 'not confirmed yet' }).waitFor();
      await shot('account');
      await page.getByRole('link', { name: 'Two-factor' }).click();
      await page.getByLabel('Confirm your password').fill(USER.password);
      await page.getByRole('button', { name: 'Set up two-factor' }).click();
      await page.getByRole('img', { name: /QR code/ }).waitFor();
      await shot('two-factor-enrol');
      const secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(/\s/g, '');
      // The light pass's code spends its 30 s step for this user (replay protection survives the 2FA reset):
      // the dark pass waits for a later step.
      while (Math.floor(Date.now() / 30_000) <= spentStep) await new Promise((resolve) => setTimeout(resolve, 500));
      const epoch = Math.floor(Date.now() / 1000);
      spentStep = Math.floor(epoch / 30);
      await page.getByLabel('Authentication code').fill(generateSync({ secret, epoch }));
      await page.getByRole('button', { name: 'Turn on' }).click();
      await page.getByRole('heading', { name: 'Your backup codes' }).waitFor();
      await shot('two-factor-backup-codes');
      await page.getByRole('button', { name: 'I have saved them' }).click();
      await page.getByRole('link', { name: 'Sessions' }).click();
      await h1('Your sessions');
      // Forced logout: an administrator ends every session of this user; the page notices by itself.
      await post(`/api/admin/users/${reg.body.user.id}/revoke-sessions`, {}, { authorization: `Bearer ${admin.body.accessToken}` });
      await page.getByText('An administrator signed you out.').waitFor();
      await shot('sign-in-forced-logout');
      await page.getByLabel('Email').fill(USER.email);
      await page.getByLabel('Password', { exact: true }).fill(USER.password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await h1('Two-factor check');
      await shot('sign-in-two-factor');
      await context.close();

      // Passkeys (issue 26): a CDP virtual authenticator, and the page on localhost (an IP address cannot be an
      // RP ID). 2FA is reset first (which also removes the passkey of an earlier pass).
      await post(`/api/admin/users/${reg.body.user.id}/reset-2fa`, {}, { authorization: `Bearer ${admin.body.accessToken}` });
      const passkeyContext = await browser.newContext({ locale: 'en-US', viewport: { width: 960, height: 720 }, colorScheme: scheme, deviceScaleFactor: 1 });
      const pp = await passkeyContext.newPage();
      const cdp = await passkeyContext.newCDPSession(pp);
      await cdp.send('WebAuthn.enable', { enableUI: false });
      await cdp.send('WebAuthn.addVirtualAuthenticator', { options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true } });
      await pp.goto(url.replace('127.0.0.1', 'localhost'));
      await pp.getByLabel('Email').fill(USER.email);
      await pp.getByLabel('Password', { exact: true }).fill(USER.password);
      await pp.getByRole('button', { name: 'Sign in', exact: true }).click();
      await h1('Your sessions', pp);
      await pp.getByRole('link', { name: 'Account' }).click();
      await h1('Your account', pp);
      await pp.getByRole('button', { name: 'Add a passkey' }).click();
      await pp.getByLabel('Name', { exact: true }).fill('MacBook Touch ID');
      await pp.getByRole('button', { name: 'Continue' }).click();
      await pp.getByText('Passkey added.').waitFor();
      await pp.getByRole('heading', { level: 2, name: 'Passkeys' }).scrollIntoViewIfNeeded();
      await shot('account-passkeys', pp);
      await passkeyContext.close();

      const adminContext = await browser.newContext({ locale: 'en-US', viewport: { width: 960, height: 720 }, colorScheme: scheme });
      const ap = await adminContext.newPage();
      await ap.goto(url);
      await ap.getByLabel('Email').fill(ADMIN.email);
      await ap.getByLabel('Password', { exact: true }).fill(ADMIN.password);
      await ap.getByRole('button', { name: 'Sign in', exact: true }).click();
      await h1('Your sessions', ap);
      await ap.getByRole('link', { name: 'Admin' }).click();
      await ap.locator('li[data-email="grace@example.com"]').waitFor();
      await ap.getByLabel('Email, name or user id').fill('ada');
      await ap.getByRole('button', { name: 'Search' }).click();
      await ap.locator('li[data-email="ada@example.com"]').waitFor();
      await shot('admin', ap);
      // A found user's sessions with where they are (issue 33).
      await ap.getByLabel('Email, name or user id').fill('lin');
      await ap.getByRole('button', { name: 'Search' }).click();
      await ap.getByRole('button', { name: `Sessions of ${TRAVELLER.email}` }).click();
      await ap.getByRole('list', { name: `Sessions of ${TRAVELLER.email}` }).locator('li').nth(3).waitFor();
      await shot('admin-user-sessions', ap);
      await ap.getByRole('combobox', { name: 'Language' }).selectOption('ru');
      await ap.getByRole('link', { name: 'Сеансы' }).click();
      await h1('Ваши сеансы', ap);
      await shot('sessions-ru', ap);
      await adminContext.close();
    }
  } finally {
    await browser.close();
    await container.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
