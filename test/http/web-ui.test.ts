// The account web app is served at / with an SPA fallback and a strict CSP; WEB_UI=off turns it off; a
// missing build gives a clear page; API paths keep their JSON 404s. Also the admin's "find a user".
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearer, registerAndLogin, useTestApp } from '../helpers/app';

const INDEX = '<!doctype html><html><head><script type="module" src="/assets/app-abc.js"></script></head><body><div id="app"></div></body></html>';

describe('web UI serving', () => {
  let dist: string;
  before(() => {
    dist = mkdtempSync(join(tmpdir(), 'web-dist-'));
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), INDEX);
    writeFileSync(join(dist, 'assets', 'app-abc.js'), 'console.log(1)');
  });
  // Options as a function: read once the hook above has built the page.
  const app = useTestApp(() => ({ webDistDir: dist }));
  after(() => rmSync(dist, { recursive: true, force: true }));

  it('when / or a page path is requested, then the built page is served under a strict CSP', async () => {
    for (const path of ['/', '/sessions', '/settings/two-factor']) {
      const res = await app.http.get(path).set('Accept', 'text/html');
      assert.equal(res.status, 200, path);
      assert.equal(res.text, INDEX);
      const csp = res.headers['content-security-policy'];
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https:/);
      assert.match(csp, /frame-ancestors 'none'/);
    }
  });

  it('when a hashed asset is requested, then it is served with a long immutable cache', async () => {
    const res = await app.http.get('/assets/app-abc.js');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /javascript/);
    assert.match(res.headers['cache-control'], /immutable/);
    const missing = await app.http.get('/assets/nope.js').set('Accept', 'text/html');
    assert.equal(missing.status, 404, 'a missing asset is not answered with the page');
  });

  it('when an unknown API path is requested, then the JSON 404 stays', async () => {
    for (const path of ['/api/nope', '/oauth/nope', '/api']) {
      const res = await app.http.get(path).set('Accept', 'text/html');
      assert.equal(res.status, 404, path);
      assert.match(res.headers['content-type'], /application\/json/, `${path} is answered by the API, not the page`);
      assert.notEqual(res.text, INDEX);
    }
  });
});

describe('web UI missing build and WEB_UI=off', () => {
  const missing = useTestApp({ webDistDir: join(tmpdir(), 'no-such-web-build') });
  const off = useTestApp({ env: { WEB_UI: 'off' } });

  it('when the page was not built, then / answers 503 with a page that says how to build it', async () => {
    const res = await missing.http.get('/').set('Accept', 'text/html');
    assert.equal(res.status, 503);
    assert.match(res.headers['content-type'], /text\/html/);
    assert.match(res.text, /npm run build:web/);
  });

  it('when WEB_UI=off, then / is the API 404 and the API still works', async () => {
    const res = await off.http.get('/').set('Accept', 'text/html');
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'NOT_FOUND');
    const health = await off.http.get('/health');
    assert.equal(health.status, 200);
  });
});

describe('admin: find a user', () => {
  const ADMIN = { email: 'finder@example.test', password: 'admin-Quartz-41-meadow' };
  const app = useTestApp({ env: { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, WEB_UI: 'off' } });
  let adminToken: string;
  before(async () => {
    adminToken = (await app.http.post('/api/auth/login').send(ADMIN)).body.accessToken;
  });

  it('when an admin searches by part of an email or by id, then matching users come back without secrets', async () => {
    const u = await registerAndLogin(app, { email: `Zephyr.Searchable.${Date.now()}@example.test` });
    const byEmail = await app.http.get('/api/admin/users').query({ query: 'zephyr.search' }).set(bearer(adminToken));
    assert.equal(byEmail.status, 200, JSON.stringify(byEmail.body));
    assert.deepEqual(byEmail.body.users.map((x: { id: string }) => x.id), [u.userId]);
    assert.deepEqual(Object.keys(byEmail.body.users[0]).sort(), ['createdAt', 'email', 'emailVerified', 'id', 'lastLoginAt', 'role', 'status', 'twoFactorEnabled', 'username']);
    const byId = await app.http.get('/api/admin/users').query({ query: u.userId }).set(bearer(adminToken));
    assert.equal(byId.body.users[0].id, u.userId);
    const none = await app.http.get('/api/admin/users').query({ query: 'no-such-person-anywhere' }).set(bearer(adminToken));
    assert.deepEqual(none.body.users, []);
  });

  it('when the query is missing or a non-admin asks, then 400 VALIDATION_ERROR and 403 FORBIDDEN', async () => {
    const bad = await app.http.get('/api/admin/users').set(bearer(adminToken));
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'VALIDATION_ERROR');
    const u = await registerAndLogin(app);
    const denied = await app.http.get('/api/admin/users').query({ query: 'a' }).set(bearer(u.accessToken));
    assert.equal(denied.status, 403);
  });
});
