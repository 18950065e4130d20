// The web page's token transport: refresh token in an HttpOnly, SameSite=Strict cookie on the browser auth
// paths only, access token in the body; cross-site requests refused; the forced-logout event stream.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, registerAndLogin, useTestApp, TEST_PASSWORD, uniqueEmail } from '../helpers/app';

const cookieOf = (setCookie: string[] | string | undefined) => {
  // Over TLS (here: behind a trusted proxy) the cookie is named __Host-sessionary_refresh (issue 22).
  const line = ([] as string[]).concat(setCookie ?? []).find((c) => /^(__Host-)?sessionary_refresh=/.test(c));
  assert.ok(line, 'a sessionary_refresh cookie is set');
  return { line, pair: line.split(';')[0] };
};

describe('browser sessions: cookie transport', () => {
  const app = useTestApp();
  let origin: string;
  before(async () => {
    origin = app.url;
  });

  async function browserLogin(email: string) {
    const res = await app.http.post('/api/auth/browser/login').set('Origin', origin).send({ email, password: TEST_PASSWORD, deviceName: 'test browser' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res;
  }

  it('when a browser signs in, then the refresh token is only in an HttpOnly, SameSite=Strict cookie on the browser auth path', async () => {
    const { email } = await registerAndLogin(app);
    const res = await browserLogin(email);
    assert.equal(res.body.refreshToken, undefined);
    assert.ok(res.body.accessToken);
    assert.equal(res.headers['cache-control'], 'no-store');
    const { line } = cookieOf(res.headers['set-cookie']);
    assert.match(line, /; HttpOnly/);
    assert.match(line, /; SameSite=Strict/);
    assert.match(line, /; Path=\/api\/auth\/browser(;|$)/);
    assert.doesNotMatch(line, /; Secure/, 'plain HTTP without a trusted proxy: no Secure flag');
    const me = await app.http.get('/api/user/me').set(bearer(res.body.accessToken));
    assert.equal(me.status, 200);
  });

  it('when the page refreshes with the cookie, then it gets a new access token and a rotated cookie; the old cookie counts as reuse', async () => {
    const { email } = await registerAndLogin(app);
    const first = cookieOf((await browserLogin(email)).headers['set-cookie']).pair;
    const refreshed = await app.http.post('/api/auth/browser/refresh').set('Origin', origin).set('Cookie', first);
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    assert.ok(refreshed.body.accessToken);
    assert.equal(refreshed.body.refreshToken, undefined);
    const second = cookieOf(refreshed.headers['set-cookie']).pair;
    assert.notEqual(second, first);
    app.clock.advance(11); // past REFRESH_REUSE_GRACE_SECONDS (10 s): a replay now is reuse
    app.clock.advance(120); // past the refresh grace window, where a replay is a retry rather than reuse
    const replay = await app.http.post('/api/auth/browser/refresh').set('Origin', origin).set('Cookie', first);
    assert.equal(replay.status, 401);
    assert.equal(replay.body.error.code, 'REFRESH_TOKEN_REUSED');
    assert.match(cookieOf(replay.headers['set-cookie']).line, /Expires=Thu, 01 Jan 1970/, 'a dead cookie is cleared');
  });

  it('when there is no cookie, then refresh answers 401 INVALID_REFRESH_TOKEN', async () => {
    const res = await app.http.post('/api/auth/browser/refresh').set('Origin', origin);
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'INVALID_REFRESH_TOKEN');
  });

  it('when a page load asks with ifSignedIn=true, then no cookie is 204 (nothing for the console), a dead cookie is still 401 and a live one refreshes', async () => {
    const none = await app.http.post('/api/auth/browser/refresh?ifSignedIn=true').set('Origin', origin);
    assert.equal(none.status, 204);
    assert.match(none.headers['cache-control'] ?? '', /no-store/);
    const dead = await app.http.post('/api/auth/browser/refresh?ifSignedIn=true').set('Origin', origin).set('Cookie', '__Host-sessionary_refresh=not-a-token; sessionary_refresh=not-a-token');
    assert.equal(dead.status, 401);
    const { email } = await registerAndLogin(app);
    const live = cookieOf((await browserLogin(email)).headers['set-cookie']).pair;
    const ok = await app.http.post('/api/auth/browser/refresh?ifSignedIn=true').set('Origin', origin).set('Cookie', live);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.ok(ok.body.accessToken);
    assert.equal((await app.http.post('/api/auth/browser/refresh?ifSignedIn=yes').set('Origin', origin)).status, 400);
  });

  it('when a request comes from another site (or says nothing about its origin), then the cookie endpoints refuse it with 403', async () => {
    const { email } = await registerAndLogin(app);
    const cookie = cookieOf((await browserLogin(email)).headers['set-cookie']).pair;
    const evil = await app.http.post('/api/auth/browser/refresh').set('Origin', 'https://evil.example').set('Cookie', cookie);
    assert.equal(evil.status, 403);
    assert.equal(evil.body.error.code, 'FORBIDDEN');
    const crossSite = await app.http.post('/api/auth/browser/refresh').set('Sec-Fetch-Site', 'cross-site').set('Cookie', cookie);
    assert.equal(crossSite.status, 403);
    const silent = await app.http.post('/api/auth/browser/refresh').set('Cookie', cookie);
    assert.equal(silent.status, 403);
    const login = await app.http.post('/api/auth/browser/login').set('Origin', 'https://evil.example').send({ email, password: TEST_PASSWORD });
    assert.equal(login.status, 403, 'no login CSRF either');
    // The refused requests did not touch the session: the cookie still works from the page's own origin.
    const ok = await app.http.post('/api/auth/browser/refresh').set('Sec-Fetch-Site', 'same-origin').set('Cookie', cookie);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });

  it('when the page signs out, then the session ends and the cookie is cleared', async () => {
    const { email } = await registerAndLogin(app);
    const res = await browserLogin(email);
    const cookie = cookieOf(res.headers['set-cookie']).pair;
    const out = await app.http.post('/api/auth/browser/logout').set('Origin', origin).set(bearer(res.body.accessToken)).set('Cookie', cookie);
    assert.equal(out.status, 204);
    assert.match(cookieOf(out.headers['set-cookie']).line, /Expires=Thu, 01 Jan 1970/);
    const me = await app.http.get('/api/user/me').set(bearer(res.body.accessToken));
    assert.equal(me.body.error.code, 'SESSION_TERMINATED');
    const again = await app.http.post('/api/auth/browser/refresh').set('Origin', origin).set('Cookie', cookie);
    assert.equal(again.status, 401);
  });

  it('when the password is wrong, then 401 INVALID_CREDENTIALS and no cookie', async () => {
    const res = await app.http.post('/api/auth/browser/login').set('Origin', origin).send({ email: uniqueEmail(), password: TEST_PASSWORD });
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'INVALID_CREDENTIALS');
    assert.equal(res.headers['set-cookie'], undefined);
  });
});

describe('browser sessions: Secure cookie behind a trusted proxy', () => {
  const app = useTestApp({ env: { TRUST_PROXY: 'loopback' } });

  it('when TRUST_PROXY is set, then the refresh cookie is Secure and the proxied origin is accepted', async () => {
    const { email } = await registerAndLogin(app);
    const res = await app.http
      .post('/api/auth/browser/login')
      .set('X-Forwarded-Proto', 'https')
      .set('X-Forwarded-Host', 'id.example.com')
      .set('Origin', 'https://id.example.com')
      .send({ email, password: TEST_PASSWORD });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.match(cookieOf(res.headers['set-cookie']).line, /; Secure/);
  });
});

describe('forced-logout event stream', () => {
  const app = useTestApp();

  /** Reads server-sent `data:` events until `until` returns true or the stream ends. */
  async function readEvents(res: Response, until: (e: Record<string, unknown>) => boolean) {
    const events: Record<string, unknown>[] = [];
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return events;
      buffer += value;
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
        if (!data) continue;
        const event = JSON.parse(data);
        events.push(event);
        if (until(event)) {
          await reader.cancel();
          return events;
        }
      }
    }
  }

  it('when the session is revoked from another device, then its open stream gets session_terminated with the reason', async () => {
    const browser = await registerAndLogin(app);
    const other = await app.http.post('/api/auth/login').send({ email: browser.email, password: browser.password });
    const stream = await fetch(`${app.url}/api/user/session-events`, { headers: bearer(browser.accessToken) });
    assert.equal(stream.status, 200);
    assert.match(stream.headers.get('content-type')!, /^text\/event-stream/);
    const reading = readEvents(stream, (e) => e.type === 'session_terminated');
    // fetch resolves once the headers arrived, which the server sends after registering the stream.
    const revoke = await app.http.delete(`/api/user/sessions/${browser.sessionId}`).set(bearer(other.body.accessToken));
    assert.equal(revoke.status, 204);
    const events = await reading;
    assert.deepEqual(events[0], { type: 'ready', sessionId: browser.sessionId });
    assert.deepEqual(events.at(-1), { type: 'session_terminated', reason: 'revoked_by_user' });
  });

  it('when an admin or a password change ends the session, then the reason says so', async () => {
    const browser = await registerAndLogin(app);
    const other = await app.http.post('/api/auth/login').send({ email: browser.email, password: browser.password });
    const stream = await fetch(`${app.url}/api/user/session-events`, { headers: bearer(browser.accessToken) });
    const reading = readEvents(stream, (e) => e.type === 'session_terminated');
    const change = await app.http
      .post('/api/user/change-password')
      .set(bearer(other.body.accessToken))
      .send({ currentPassword: browser.password, newPassword: 'walnut-Comet-93-harbour' });
    assert.equal(change.status, 200, JSON.stringify(change.body));
    const events = await reading;
    assert.deepEqual(events.at(-1), { type: 'session_terminated', reason: 'password_changed' });
  });

  it('when the stream is opened without a token or with a revoked one, then 401 in the error shape', async () => {
    const none = await app.http.get('/api/user/session-events');
    assert.equal(none.status, 401);
    assert.equal(none.body.error.code, 'UNAUTHENTICATED');
    const s = await registerAndLogin(app);
    await app.http.post('/api/auth/logout').set(bearer(s.accessToken));
    const revoked = await app.http.get('/api/user/session-events').set(bearer(s.accessToken));
    assert.equal(revoked.body.error.code, 'SESSION_TERMINATED');
  });
});
