// Issue 27: sign-in with an upstream OpenID Connect provider, without account takeover. The upstream is a real
// OpenID Provider (panva's oidc-provider, test/helpers/upstream-idp.ts) on a loopback port; the browser is
// played over HTTP with cookie jars: our start → the upstream's login and consent pages → our callback.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import pg from 'pg';
import { generateTotpCode } from '../../backend/src/infrastructure/two-factor/totp';
import { bearer, freshTotpStep, registerAndLogin, uniqueEmail, useTestApp } from '../helpers/app';
import { CookieJar, jarFetch, startUpstreamIdp, throughUpstream, UPSTREAM_CLIENT_ID, UPSTREAM_CLIENT_SECRET, type UpstreamIdp } from '../helpers/upstream-idp';

/** A loopback port nothing listens on: the "upstream down" provider. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('federated sign-in with an upstream OpenID Connect provider', () => {
  let upstream: UpstreamIdp;
  /** Goes away in the middle of a sign-in (after the person came back, before the code is redeemed). */
  let flaky: UpstreamIdp;
  let downPort: number;
  before(async () => {
    upstream = await startUpstreamIdp();
    flaky = await startUpstreamIdp();
    downPort = await closedPort();
  });
  after(async () => {
    await upstream?.close();
    await flaky?.close();
  });

  // Registered above the app's hooks: the client ends before the app drops its database.
  let db: pg.Client;
  after(async () => db?.end());

  const app = useTestApp(() => ({
    env: {
      FEDERATION_PROVIDERS: JSON.stringify([
        { id: 'test', name: 'Test IdP', issuer: upstream.issuer, clientId: UPSTREAM_CLIENT_ID, clientSecret: UPSTREAM_CLIENT_SECRET },
        { id: 'down', name: 'Down IdP', issuer: `http://127.0.0.1:${downPort}`, clientId: 'x', clientSecret: 'y' },
        { id: 'flaky', name: 'Flaky IdP', issuer: flaky.issuer, clientId: UPSTREAM_CLIENT_ID, clientSecret: UPSTREAM_CLIENT_SECRET },
      ]),
      FEDERATION_TIMEOUT: '3',
    },
  }));

  before(async () => {
    upstream.register([`${app.url}/api/auth/federation/test/callback`]);
    flaky.register([`${app.url}/api/auth/federation/flaky/callback`]);
    db = new pg.Client({ connectionString: app.database.url });
    await db.connect();
  });

  const events = async (userId: string, type: string) =>
    (await db.query<{ metadata: Record<string, unknown> }>('SELECT metadata FROM "AuditEvent" WHERE "userId" = $1 AND type = $2 ORDER BY "createdAt"', [userId, type])).rows.map((r) => r.metadata);
  const linksOf = async (userId: string) => (await db.query<{ provider: string; subject: string }>('SELECT provider, subject FROM "FederatedIdentity" WHERE "userId" = $1', [userId])).rows;
  const userByEmail = async (email: string) => (await db.query<{ id: string; status: string }>('SELECT id, status FROM "User" WHERE email = $1', [email])).rows[0];

  /** The browser at our callback after the upstream: the start (or a link URL), the upstream's pages, back. */
  async function federatedFlow(login: string, opts: { jar?: CookieJar; authorizationUrl?: string } = {}) {
    const jar = opts.jar ?? new CookieJar();
    let authorizationUrl = opts.authorizationUrl;
    if (!authorizationUrl) {
      const start = await jarFetch(jar, `${app.url}/api/auth/federation/test/start`);
      assert.equal(start.status, 303);
      authorizationUrl = start.headers.get('location')!;
      assert.ok(authorizationUrl.startsWith(`${upstream.issuer}/`), authorizationUrl);
      assert.ok(jar.get('sessionary_federation'), 'the sealed state cookie is set');
    }
    const url = new URL(authorizationUrl);
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    for (const p of ['state', 'nonce', 'code_challenge']) assert.ok(url.searchParams.get(p), p);
    const callback = await throughUpstream(authorizationUrl, login, app.url);
    return { jar, callback, finish: () => back(jar, callback) };
  }

  async function back(jar: CookieJar, callback: string): Promise<string> {
    const res = await jarFetch(jar, callback);
    assert.equal(res.status, 303, await res.text());
    return res.headers.get('location')!;
  }

  /** The web page's refresh with the browser's cookies: who is signed in, or the refusal. */
  async function pageRefresh(jar: CookieJar) {
    const res = await jarFetch(jar, `${app.url}/api/auth/browser/refresh`, { method: 'POST', headers: { origin: app.url } });
    return { status: res.status, body: (await res.json()) as { accessToken: string; user: { id: string; email: string } } };
  }

  const refusal = (location: string) => new URL(location, app.url).searchParams.get('federation_error');

  it('when the sign-in page lists providers, then every configured one is there with its name', async () => {
    const res = await app.http.get('/api/auth/federation/providers');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.providers, [{ id: 'test', name: 'Test IdP' }, { id: 'down', name: 'Down IdP' }, { id: 'flaky', name: 'Flaky IdP' }]);
  });

  it('when someone new signs in with a verified email, then an account is made and linked, and they are signed in with a browser session', async () => {
    const email = uniqueEmail('fed-new');
    const flow = await federatedFlow(email);
    assert.equal(await flow.finish(), '/');
    assert.equal(flow.jar.get('sessionary_federation'), undefined, 'the state cookie is single use');
    const signedIn = await pageRefresh(flow.jar);
    assert.equal(signedIn.status, 200);
    assert.equal(signedIn.body.user.email, email);
    const userId = signedIn.body.user.id;
    assert.deepEqual(await linksOf(userId), [{ provider: 'test', subject: email }]);
    assert.deepEqual((await events(userId, 'user.registered'))[0], { status: 'active', via: 'federation', provider: 'test' });
    const federated = await events(userId, 'login.federated');
    assert.equal(federated.length, 1);
    assert.equal(federated[0].provider, 'test');
    assert.equal((await events(userId, 'login.succeeded'))[0].method, 'federated');

    // The next sign-in finds the link (by sub), not a new account.
    const again = await federatedFlow(email);
    assert.equal(await again.finish(), '/');
    assert.equal((await pageRefresh(again.jar)).body.user.id, userId);

    // Its only way in is the provider: unlinking it is refused.
    const del = await app.http.delete('/api/user/federation/test').set(bearer(signedIn.body.accessToken));
    assert.equal(del.status, 409);
    assert.equal(del.body.error.code, 'LAST_SIGN_IN_METHOD');
    // No password matches an account made this way.
    const login = await app.http.post('/api/auth/login').send({ email, password: '!federated' });
    assert.equal(login.status, 401);
  });

  it('when an account with the upstream email exists, then nothing is linked and the page is told to sign in first', async () => {
    const owner = await registerAndLogin(app);
    const flow = await federatedFlow(owner.email);
    const location = await flow.finish();
    assert.equal(refusal(location), 'link_requires_sign_in');
    assert.ok(location.startsWith('/?'));
    assert.equal(flow.jar.get('sessionary_refresh'), undefined, 'not signed in');
    assert.deepEqual(await linksOf(owner.userId), []);
    assert.equal((await events(owner.userId, 'federation.refused'))[0].reason, 'link_requires_sign_in');
  });

  it('when the upstream email is not verified, then it neither matches an existing account nor makes a new one', async () => {
    const owner = await registerAndLogin(app);
    assert.equal(refusal(await (await federatedFlow(`unverified:${owner.email}`)).finish()), 'email_unverified');
    assert.deepEqual(await linksOf(owner.userId), []);
    const stranger = uniqueEmail('fed-unverified');
    assert.equal(refusal(await (await federatedFlow(`unverified:${stranger}`)).finish()), 'email_unverified');
    assert.equal(await userByEmail(stranger), undefined);
  });

  it('when a signed-in user links the provider, then later sign-ins with it reach that account, and it can be unlinked while a password remains', async () => {
    const owner = await registerAndLogin(app);
    const jar = new CookieJar();
    const link = await jarFetch(jar, `${app.url}/api/user/federation/test/link`, { method: 'POST', headers: { ...bearer(owner.accessToken), 'content-type': 'application/json' }, body: '{}' });
    assert.equal(link.status, 200);
    const { url } = (await link.json()) as { url: string };
    // The upstream account's email may differ from the account's: the session is the proof, not the address.
    const login = uniqueEmail('fed-other');
    const flow = await federatedFlow(login, { jar, authorizationUrl: url });
    assert.equal(await flow.finish(), '/account?federation=linked&provider=test');
    assert.deepEqual(await linksOf(owner.userId), [{ provider: 'test', subject: login }]);
    assert.equal((await events(owner.userId, 'federation.linked'))[0].via, 'session');

    const listed = await app.http.get('/api/user/federation').set(bearer(owner.accessToken));
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.linked.map((l: { provider: string; email: string }) => [l.provider, l.email]), [['test', login]]);

    const signIn = await federatedFlow(login);
    assert.equal(await signIn.finish(), '/');
    assert.equal((await pageRefresh(signIn.jar)).body.user.id, owner.userId);

    // Another account cannot take the same upstream identity: refused, told on its account page.
    const other = await registerAndLogin(app);
    const otherJar = new CookieJar();
    const otherLink = await jarFetch(otherJar, `${app.url}/api/user/federation/test/link`, { method: 'POST', headers: { ...bearer(other.accessToken), 'content-type': 'application/json' }, body: '{}' });
    const stolen = await federatedFlow(login, { jar: otherJar, authorizationUrl: ((await otherLink.json()) as { url: string }).url });
    assert.equal(await stolen.finish(), '/account?federation_error=linked_elsewhere&provider=test');
    assert.deepEqual(await linksOf(other.userId), []);

    const del = await app.http.delete('/api/user/federation/test').set(bearer(owner.accessToken));
    assert.equal(del.status, 204);
    assert.deepEqual(await linksOf(owner.userId), []);
    assert.equal((await events(owner.userId, 'federation.unlinked')).length, 1);
  });

  it('when the session is no longer fresh, then linking needs the password', async () => {
    const owner = await registerAndLogin(app);
    app.clock.advance(301);
    const noPassword = await app.http.post('/api/user/federation/test/link').set(bearer(owner.accessToken)).send({});
    assert.equal(noPassword.status, 403);
    assert.equal(noPassword.body.error.code, 'REAUTH_REQUIRED');
    const withPassword = await app.http.post('/api/user/federation/test/link').set(bearer(owner.accessToken)).send({ password: owner.password });
    assert.equal(withPassword.status, 200);
  });

  it('when the account has 2FA, then a federated sign-in still asks for the second factor', async () => {
    const owner = await registerAndLogin(app);
    const enable = await app.http.post('/api/user/2fa/enable').set(bearer(owner.accessToken));
    const secret = enable.body.secret as string;
    freshTotpStep(app);
    assert.equal((await app.http.post('/api/user/2fa/verify').set(bearer(owner.accessToken)).send({ code: generateTotpCode(secret, app.clock.now()) })).status, 200);
    const fresh = await app.http.post('/api/auth/login').send({ email: owner.email, password: owner.password });
    freshTotpStep(app);
    const done = await app.http.post('/api/auth/login/2fa').send({ mfaToken: fresh.body.mfaToken, code: generateTotpCode(secret, app.clock.now()) });
    const token = done.body.accessToken as string;
    const jar = new CookieJar();
    const link = await jarFetch(jar, `${app.url}/api/user/federation/test/link`, { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json' }, body: '{}' });
    assert.equal(link.status, 200);
    const login = uniqueEmail('fed-2fa');
    assert.equal(await (await federatedFlow(login, { jar, authorizationUrl: ((await link.json()) as { url: string }).url })).finish(), '/account?federation=linked&provider=test');

    const signIn = await federatedFlow(login);
    const location = await signIn.finish();
    assert.ok(location.startsWith('/#'), location);
    const fragment = new URLSearchParams(location.slice(2));
    assert.equal(fragment.get('federation'), 'mfa');
    assert.equal(signIn.jar.get('sessionary_refresh'), undefined, 'no session before the second factor');
    freshTotpStep(app);
    const second = await jarFetch(signIn.jar, `${app.url}/api/auth/browser/login/2fa`, {
      method: 'POST', headers: { origin: app.url, 'content-type': 'application/json' },
      body: JSON.stringify({ mfaToken: fragment.get('mfaToken'), code: generateTotpCode(secret, app.clock.now()) }),
    });
    assert.equal(second.status, 200);
    assert.equal(((await second.json()) as { user: { id: string } }).user.id, owner.userId);
    assert.equal((await events(owner.userId, 'login.federated')).at(-1)?.mfaRequired, true);
  });

  it('when the sign-in starts from an app\'s authorization request, then the browser continues there, and nowhere else', async () => {
    const viaStart = async (returnTo: string, login: string) => {
      const jar = new CookieJar();
      const start = await jarFetch(jar, `${app.url}/api/auth/federation/test/start?${new URLSearchParams({ returnTo }).toString()}`);
      return { jar, location: await back(jar, await throughUpstream(start.headers.get('location')!, login, app.url)) };
    };
    const email = uniqueEmail('fed-authorize');
    const signedIn = await viaStart('/authorize?request=abc123', email);
    assert.equal(signedIn.location, '/authorize?request=abc123');
    assert.equal((await pageRefresh(signedIn.jar)).body.user.email, email);
    const owner = await registerAndLogin(app);
    assert.equal((await viaStart('/authorize?request=abc123', owner.email)).location, '/authorize?request=abc123&federation_error=link_requires_sign_in&provider=test');
    // Not an open redirect: any other target is dropped.
    for (const evil of ['https://evil.example/', '//evil.example/', '/authorize?request=a&next=//evil.example', '/account']) {
      assert.equal((await viaStart(evil, email)).location, '/', evil);
    }
  });

  it('when the state is tampered with, missing, or belongs to another flow, then the callback refuses it', async () => {
    const email = uniqueEmail('fed-tamper');
    const flow = await federatedFlow(email);
    const forged = new URL(flow.callback);
    forged.searchParams.set('state', 'forged-state');
    assert.equal(refusal(await back(flow.jar, forged.href)), 'invalid_state');

    const noCookie = await federatedFlow(email);
    assert.equal(refusal(await back(new CookieJar(), noCookie.callback)), 'invalid_state');

    // Flow A's code with flow B's state cookie and state: B's PKCE verifier and nonce do not fit A's code.
    const a = await federatedFlow(email);
    const b = await federatedFlow(email);
    const spliced = new URL(a.callback);
    spliced.searchParams.set('state', new URL(b.callback).searchParams.get('state')!);
    assert.equal(refusal(await back(b.jar, spliced.href)), 'invalid_state');
    assert.equal(await userByEmail(email), undefined, 'no refused flow made an account');
  });

  it('when the person refuses at the upstream, then our sign-in page is told access_denied', async () => {
    const flow = await federatedFlow('abort');
    assert.equal(new URL(flow.callback).searchParams.get('error'), 'access_denied');
    const location = await flow.finish();
    assert.equal(refusal(location), 'access_denied');
    assert.ok(location.startsWith('/?'));
  });

  it('when the upstream cannot be reached, then the start redirects with upstream_unavailable (no 500)', async () => {
    const res = await jarFetch(new CookieJar(), `${app.url}/api/auth/federation/down/start`);
    assert.equal(res.status, 303);
    assert.equal(refusal(res.headers.get('location')!), 'upstream_unavailable');
    // Down after the person signed in there: the code cannot be redeemed; told so, no account, no 500.
    const jar = new CookieJar();
    const start = await jarFetch(jar, `${app.url}/api/auth/federation/flaky/start`);
    const login = uniqueEmail('fed-flaky');
    const callback = await throughUpstream(start.headers.get('location')!, login, app.url);
    await flaky.close();
    assert.equal(refusal(await back(jar, callback)), 'upstream_unavailable');
    assert.equal(await userByEmail(login), undefined);
    const unknown = await jarFetch(new CookieJar(), `${app.url}/api/auth/federation/nope/start`);
    assert.equal(unknown.status, 303);
    assert.equal(refusal(unknown.headers.get('location')!), 'unknown_provider');
  });
});

describe('federated sign-in in approval mode', () => {
  let upstream: UpstreamIdp;
  before(async () => {
    upstream = await startUpstreamIdp();
  });
  after(async () => upstream?.close());
  const app = useTestApp(() => ({
    env: {
      REGISTRATION_MODE: 'approval',
      FEDERATION_PROVIDERS: JSON.stringify([{ id: 'test', issuer: upstream.issuer, clientId: UPSTREAM_CLIENT_ID, clientSecret: UPSTREAM_CLIENT_SECRET }]),
    },
  }));
  before(() => upstream.register([`${app.url}/api/auth/federation/test/callback`]));

  it('when someone new signs in with a provider, then the account waits for approval and no session is made', async () => {
    const login = uniqueEmail('fed-approval');
    const attempt = async () => {
      const jar = new CookieJar();
      const start = await jarFetch(jar, `${app.url}/api/auth/federation/test/start`);
      const res = await jarFetch(jar, await throughUpstream(start.headers.get('location')!, login, app.url));
      assert.equal(res.status, 303);
      assert.equal(jar.get('sessionary_refresh'), undefined, 'no session');
      return new URL(res.headers.get('location')!, app.url).searchParams.get('federation_error');
    };
    assert.equal(await attempt(), 'account_pending');
    // Again: the link is found (an unlinked existing address would be link_requires_sign_in), still held.
    assert.equal(await attempt(), 'account_pending');
  });
});
