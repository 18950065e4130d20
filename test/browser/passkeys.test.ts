// Issue 26 in Debian's Chromium with a CDP virtual authenticator (resident keys, user verification): a
// passkey added from the account settings, sign-out, sign-in with the passkey button, the passkey as the
// second step after the password, removal; conditional UI on the email field; English and Russian.
// axe and the 375 px check run on the new screens; CSP violations and page errors fail the suite.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { generateTotpCode } from '../../backend/src/infrastructure/two-factor/totp';
import { bearer, freshTotpStep, registerAndLogin, startTestApp, TEST_PASSWORD, type TestApp } from '../helpers/app';
import { assertScreenOk, launchChromium, openAppPage, startAll, WEB_DIST, webNotBuilt, webStorage } from '../helpers/browser';

describe('passkeys in a real browser', { skip: webNotBuilt }, () => {
  let app: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let cdp: CDPSession;
  let authenticatorId: string;
  /** WebAuthn needs a domain as RP ID: the page is opened on localhost (PASSKEY_RP_ID defaults to it). */
  let origin: string;
  let user: Awaited<ReturnType<typeof registerAndLogin>>;
  let totpSecret: string;

  before(async () => {
    [app, browser] = await startAll([startTestApp({ webDistDir: WEB_DIST, env: { REAUTH_WINDOW_SECONDS: '300' } }), launchChromium()]);
    ({ context, page, problems } = await openAppPage(browser));
    origin = app.url.replace('127.0.0.1', 'localhost');
    // A switch for browsers without conditional UI: with it set, the page sees no autofill support, so only
    // the button can start a passkey sign-in (the virtual authenticator answers autofill requests at once).
    await context.addInitScript({
      content: `(() => {
        const original = PublicKeyCredential.isConditionalMediationAvailable?.bind(PublicKeyCredential);
        if (original) PublicKeyCredential.isConditionalMediationAvailable = async () => (sessionStorage.getItem('test.noAutofill') ? false : original());
      })();`,
    });
    cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable', { enableUI: false });
    ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    }));
    // An account with TOTP on, so the passkey can also be shown as the second step.
    user = await registerAndLogin(app);
    const enrol = await app.http.post('/api/user/2fa/enable').set(bearer(user.accessToken)).send({}).expect(200);
    totpSecret = enrol.body.secret;
    await app.http.post('/api/user/2fa/verify').set(bearer(user.accessToken)).send({ code: generateTotpCode(totpSecret, freshTotpStep(app)) }).expect(200);
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    assert.deepEqual(problems, []);
  });

  const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name }).waitFor();
  const credentials = async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;

  async function passwordSignIn() {
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await heading('Two-factor check');
  }

  const autofill = (on: boolean) => page.evaluate(on ? "sessionStorage.removeItem('test.noAutofill')" : "sessionStorage.setItem('test.noAutofill', '1')");

  async function signOut() {
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await heading('Sign in');
  }

  it('when the person adds a passkey in the account settings, then the authenticator holds a resident key and the list shows it', async () => {
    await page.goto(origin);
    await heading('Sign in');
    assert.equal(await page.getByLabel('Email').getAttribute('autocomplete'), 'username webauthn', 'conditional UI is offered on the email field');
    await assertScreenOk(page, 'sign-in with passkey button');
    await passwordSignIn();
    await page.getByLabel('Authentication code').fill(generateTotpCode(totpSecret, freshTotpStep(app)));
    await page.getByRole('button', { name: 'Verify' }).click();
    await heading('Your sessions');
    await page.getByRole('link', { name: 'Account' }).click();
    await heading('Account');
    await page.getByTestId('passkeys-none').waitFor();
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Test laptop');
    await assertScreenOk(page, 'add passkey');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('Passkey added.').waitFor();
    await page.locator('li.passkey', { hasText: 'Test laptop' }).waitFor();
    await assertScreenOk(page, 'passkey list');
    const held = await credentials();
    assert.equal(held.length, 1);
    assert.equal(held[0]?.isResidentCredential, true);
    assert.doesNotMatch(await webStorage(page), /ey[A-Za-z0-9_-]{10,}\./, 'no token in Web Storage');
  });

  it('when the person signs out and uses "Sign in with a passkey", then they are signed in without password or code', async () => {
    await autofill(false);
    await signOut();
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await heading('Your sessions');
    const events = await app.http.get('/api/user/security-events').set(bearer(user.accessToken));
    assert.equal(events.status, 200);
    const login = events.body.events.find((e: { type: string; metadata: Record<string, unknown> }) => e.type === 'login.succeeded' && e.metadata.method === 'passkey');
    assert.ok(login, 'login.succeeded with method passkey');
    assert.deepEqual(login.metadata.amr, ['hwk']);
  });

  it('when the person signs in with the password, then the two-factor step offers the passkey, and it completes the sign-in', async () => {
    await signOut();
    await passwordSignIn();
    await assertScreenOk(page, 'two-factor step with passkey');
    await page.getByRole('button', { name: 'Use a passkey instead' }).click();
    await heading('Your sessions');
  });

  it('when the sign-in page is shown and the browser offers the passkey in the email autofill, then picking it signs in', async () => {
    await autofill(true);
    await signOut();
    // The virtual authenticator picks the passkey from the conditional request as a person would from the list.
    await heading('Your sessions');
    const events = (await app.http.get('/api/user/security-events').set(bearer(user.accessToken))).body.events as { type: string; metadata: Record<string, unknown> }[];
    // Newest first: this sign-in, passwordless (amr hwk alone, where the second step's was pwd + hwk).
    const newest = events.find((e) => e.type === 'login.succeeded');
    assert.equal(newest?.metadata.method, 'passkey');
    assert.deepEqual(newest?.metadata.amr, ['hwk']);
    await autofill(false);
  });

  it('when the page is shown in Russian, then the passkey section speaks Russian', async () => {
    const ru = await browser.newContext({ locale: 'ru-RU' });
    try {
      const p = await ru.newPage();
      await p.goto(origin);
      await p.getByRole('button', { name: 'Войти с ключом доступа' }).waitFor();
      await assertScreenOk(p, 'sign-in (ru)');
    } finally {
      await ru.close();
    }
  });

  it('when the person removes the passkey, then the list is empty and the passkey no longer signs in', async () => {
    await page.getByRole('link', { name: 'Account' }).click();
    await heading('Account');
    await page.getByRole('button', { name: 'Remove Test laptop' }).click();
    await assertScreenOk(page, 'remove passkey');
    await page.getByRole('group').getByRole('button', { name: 'Remove', exact: true }).click();
    await page.getByText('Passkey removed.').waitFor();
    await page.getByTestId('passkeys-none').waitFor();
    await signOut();
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.getByRole('alert').filter({ hasText: /could not be verified/ }).waitFor();
    await assertScreenOk(page, 'sign-in with a removed passkey');
  });
});
