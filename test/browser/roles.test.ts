// The admin screen for roles (issue 28) in Debian's Chromium: an admin defines a role, is refused a cycle,
// grants the role to a user (whose next token carries it), takes it away (the user's session ends), and
// deletes it. axe and the 375 px check on each screen, in English and Russian; any CSP violation or page
// error fails the test.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { claimsOf, registerAndLogin } from '../helpers/app';
import { useAdminBrowser } from '../helpers/admin-browser';
import { assertScreenOk, webNotBuilt } from '../helpers/browser';

const ADMIN = { email: 'roles-admin@example.test', password: 'admin-Basalt-62-orchard' };

describe('roles admin screen in a real browser', { skip: webNotBuilt }, () => {
  const admin = useAdminBrowser(ADMIN);
  const heading = (name: string) => admin.page.getByRole('heading', { level: 1, name }).waitFor();

  it('when an admin defines, grants, takes away and deletes a role, then the API and the user\'s tokens follow', async () => {
    const { app, page, problems } = admin;
    const user = await registerAndLogin(app);
    await admin.signIn();
    await page.getByRole('link', { name: 'Roles' }).click();
    await heading('Roles and permissions');
    await page.locator('li[data-role="admin"]').getByText('Includes: user').waitFor();
    await assertScreenOk(page, 'roles');

    await page.getByLabel('Name', { exact: true }).fill('support');
    await page.getByLabel('Permissions', { exact: true }).fill('tickets:read, tickets:write');
    await page.getByRole('button', { name: 'Create role' }).click();
    await page.getByText('Role support was created.').waitFor();
    await page.locator('li[data-role="support"]').getByText('Grants in all: tickets:read tickets:write').waitFor();

    // A role including itself is a cycle: refused with the message, nothing saved.
    await page.getByRole('button', { name: 'Edit role support' }).click();
    const edit = page.getByRole('form', { name: 'Edit role support' });
    await edit.getByLabel('Included roles').fill('support');
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.getByText('A role cannot include itself, directly or through other roles.').waitFor();
    await assertScreenOk(page, 'roles-cycle');
    await edit.getByRole('button', { name: 'Cancel' }).click();

    await page.getByLabel('Email', { exact: true }).fill(user.email);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByLabel('Role to grant').selectOption('support');
    await page.getByRole('button', { name: 'Grant', exact: true }).click();
    await page.getByText(`${user.email} now holds support`, { exact: false }).waitFor();
    await page.getByText('Permissions in effect: tickets:read tickets:write').waitFor();
    await assertScreenOk(page, 'roles-user');
    const refreshed = await app.http.post('/api/auth/refresh').send({ refreshToken: user.refreshToken }).expect(200);
    assert.deepEqual(claimsOf(refreshed.body.accessToken).permissions, ['tickets:read', 'tickets:write']);

    await page.getByRole('button', { name: 'Take away role support' }).click();
    await page.getByRole('button', { name: 'Take away', exact: true }).click();
    await page.getByText(`support was taken from ${user.email}.`).waitFor();
    assert.equal((await app.http.post('/api/auth/refresh').send({ refreshToken: refreshed.body.refreshToken })).status, 401);

    await page.getByRole('button', { name: 'Delete role support' }).click();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByText('Role support was deleted.').waitFor();
    assert.equal((await app.http.get('/api/admin/roles/support').set('Authorization', `Bearer ${(await app.http.post('/api/auth/login').send(ADMIN)).body.accessToken}`)).status, 404);

    await page.getByRole('combobox', { name: 'Language' }).selectOption('ru');
    await heading('Роли и права');
    await assertScreenOk(page, 'roles-ru');
    assert.deepEqual(problems, []);
  });
});
