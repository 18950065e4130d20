// The admin console (issue 28) in Debian's Chromium: an admin finds a user, opens their page, disables the
// account (the user's session ends at once) and enables it again. The inline confirmation takes the focus
// and Escape cancels it. axe and the 375 px check on each screen, in English and Russian; any CSP violation
// or page error fails the test.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, registerAndLogin } from '../helpers/app';
import { useAdminBrowser } from '../helpers/admin-browser';
import { assertScreenOk, webNotBuilt } from '../helpers/browser';

const ADMIN = { email: 'console-admin@example.test', password: 'admin-Basalt-62-orchard' };

describe('admin console in a real browser', { skip: webNotBuilt }, () => {
  const admin = useAdminBrowser(ADMIN);
  const heading = (name: string) => admin.page.getByRole('heading', { level: 1, name }).waitFor();

  it("when an admin finds a user, opens their page, disables and re-enables the account, then the user's session ends and they can sign in again", async () => {
    const { app, page, problems } = admin;
    const user = await registerAndLogin(app);
    await admin.signIn();
    await page.getByRole('link', { name: 'Admin' }).click();
    await heading('Administration');

    await page.getByLabel('Email, name or user id').fill(user.email.split('@')[0]);
    await page.getByLabel('Status', { exact: true }).selectOption('active');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('button', { name: `Open the page of ${user.email}` }).click();
    const details = page.locator('section.admin-user');
    await details.getByRole('heading', { level: 2, name: user.email }).waitFor();
    await details.getByText('Recent security events').waitFor();
    // The user's roles on the same page, with the grant form (shared with the Roles page).
    await details.locator(`[data-user-roles="${user.email}"]`).getByText('Roles in effect: user').waitFor();
    await details.getByLabel('Role to grant').waitFor();
    await assertScreenOk(page, 'admin-user');

    // The confirmation takes the focus; Escape cancels it and nothing happens.
    await details.getByRole('button', { name: 'Disable account' }).click();
    const confirm = details.getByRole('group', { name: `Disable ${user.email}? Every session ends at once and signing in is refused.` });
    await confirm.waitFor();
    // Inside the question, on Cancel (the safe answer): ui.tsx's Confirm, shared with the account pages.
    assert.equal(await page.evaluate("document.activeElement?.closest('.confirm') !== null && document.activeElement?.textContent"), 'Cancel');
    await assertScreenOk(page, 'admin-user-confirm');
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'detached' });
    await app.http.get('/api/user/me').set(bearer(user.accessToken)).expect(200);

    await details.getByRole('button', { name: 'Disable account' }).click();
    await confirm.getByRole('button', { name: 'Disable account' }).click();
    await page.getByText(`${user.email} was disabled and signed out everywhere.`).waitFor();
    await details.locator('dd[data-status="disabled"]').waitFor();
    const me = await app.http.get('/api/user/me').set(bearer(user.accessToken));
    assert.equal(me.status, 401);
    assert.equal(me.body.error.code, 'SESSION_TERMINATED');
    assert.equal((await app.http.post('/api/auth/login').send({ email: user.email, password: user.password })).body.error.code, 'ACCOUNT_DISABLED');
    await assertScreenOk(page, 'admin-user-disabled');

    await details.getByRole('button', { name: 'Enable account' }).click();
    await details.getByRole('group', { name: `Enable ${user.email} again?` }).getByRole('button', { name: 'Enable account' }).click();
    await page.getByText(`${user.email} was enabled.`).waitFor();
    await details.locator('dd[data-status="active"]').waitFor();
    await app.http.post('/api/auth/login').send({ email: user.email, password: user.password }).expect(200);

    await page.getByRole('combobox', { name: 'Language' }).selectOption('ru');
    await heading('Администрирование');
    await assertScreenOk(page, 'admin-user-ru');
    assert.deepEqual(problems, []);
  });
});
