// Real-browser helpers: Debian's Chromium through playwright-core, axe-core injected from node_modules, the
// 375 px no-horizontal-scroll check, and a collector for CSP violations and page errors.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** The built account web app the suites serve (`webDistDir`). */
export const WEB_DIST = join(process.cwd(), 'backend', 'web', 'dist');
/** The `skip` of a suite that needs that build: false, or the reason it is skipped. */
export const webNotBuilt = !existsSync(join(WEB_DIST, 'index.html')) && 'web app not built (npm run build:web)';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    // The network is closed: without the background-networking flags Chromium floods refused connections.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

type Closable = { close(): Promise<unknown> };

/**
 * Promise.all for what a browser suite starts side by side (test servers, Chromium): when one fails to start,
 * those that did are closed before the error is thrown. Otherwise a missing Chromium failed the suite's hook
 * at once but left its server open, and the test process hung until the runner's timeout.
 */
export async function startAll<T extends readonly Promise<Closable>[]>(starts: readonly [...T]): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(starts);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (!failed) return settled.map((r) => (r as PromiseFulfilledResult<Closable>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
  await Promise.allSettled(settled.map((r) => (r.status === 'fulfilled' ? r.value.close() : Promise.resolve())));
  throw failed.reason;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * axe-core on the current screen; returns serious and critical violations. Injected through the DevTools
 * protocol (page.evaluate), which the page's CSP does not govern; a <script> tag would be refused by it.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(`(() => { if (!window.axe) { ${AXE_SOURCE}\n } })()`);
  const violations = await page.evaluate<AxeViolation[]>(`window.axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations)`);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** True when the page, laid out 375 px wide, needs no horizontal scrolling. */
export async function fitsNarrowScreen(page: Page): Promise<{ fits: boolean; scrollWidth: number }> {
  const before = page.viewportSize();
  await page.setViewportSize({ width: 375, height: 740 });
  const scrollWidth = await page.evaluate<number>('document.documentElement.scrollWidth');
  if (before) await page.setViewportSize(before);
  return { fits: scrollWidth <= 375, scrollWidth };
}

/**
 * A fresh context and page as the web-app suites use them (English, desktop size, 10 s waits), with the
 * page's CSP violations and page errors collected.
 */
export async function openAppPage(browser: Browser): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1100, height: 800 } });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  return { context, page, problems: watchProblems(page) };
}

/** Console CSP violations and uncaught page errors, collected for the whole test. */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to (load|execute|apply)/i.test(msg.text())) problems.push(`CSP: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  return problems;
}

/** What the page keeps in Web Storage (must hold nothing token-like). */
export async function webStorage(page: Page): Promise<string> {
  return await page.evaluate<string>('JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } })');
}

/**
 * The per-screen checks of the browser suites: no serious or critical axe violation, and no horizontal
 * scrolling at 375 px. Fails naming the screen.
 */
export async function assertScreenOk(page: Page, name: string): Promise<void> {
  const violations = await seriousAxeViolations(page);
  const listed = violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  if (listed.length) throw new Error(`axe on ${name}:\n  ${listed.join('\n  ')}`);
  const narrow = await fitsNarrowScreen(page);
  if (!narrow.fits) throw new Error(`${name} scrolls sideways at 375 px (scrollWidth ${narrow.scrollWidth})`);
}
