// An admin's browser suite: a test app with ADMIN_EMAIL/ADMIN_PASSWORD serving the web app, Chromium with a
// fresh page (CSP violations and page errors collected), closed after the suite; signIn() signs the admin in
// on the page. Read the getters inside tests, never at describe time.
import { after, before } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, type TestApp } from './app';
import { launchChromium, openAppPage, startAll, WEB_DIST } from './browser';

export interface AdminBrowser {
  readonly app: TestApp;
  readonly page: Page;
  readonly problems: string[];
  /** Signs the admin in on the page and waits for the first screen after sign-in. */
  signIn(): Promise<void>;
}

export function useAdminBrowser(admin: { email: string; password: string }): AdminBrowser {
  let app: TestApp | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  let problems: string[] = [];
  before(async () => {
    [app, browser] = await startAll([startTestApp({ env: { ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password }, webDistDir: WEB_DIST }), launchChromium()]);
    ({ page, problems } = await openAppPage(browser));
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`useAdminBrowser: ${what} read outside the suite's tests`);
    return value;
  };
  return {
    get app() {
      return ready(app, 'app');
    },
    get page() {
      return ready(page, 'page');
    },
    get problems() {
      return problems;
    },
    async signIn() {
      const p = ready(page, 'page');
      await p.goto(ready(app, 'app').url);
      await p.getByLabel('Email').fill(admin.email);
      await p.getByLabel('Password', { exact: true }).fill(admin.password);
      await p.getByRole('button', { name: 'Sign in', exact: true }).click();
      await p.getByRole('heading', { level: 1, name: 'Your sessions' }).waitFor();
    },
  };
}
