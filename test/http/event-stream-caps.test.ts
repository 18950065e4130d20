// Open event streams are capped (issue 22): per session, per user and per IP here, the session-events and
// revocation streams counted together; over a cap is a 429 in the contract's error shape; a session-events
// stream ends when its token expires.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registerAndLogin, useTestApp, type TestApp } from '../helpers/app';
import { waitFor } from '../helpers/own-servers';

const ADMIN = { email: 'caps-admin@example.test', password: 'plum-Orbit-7-lantern' };

interface Opened {
  status: number;
  body: any;
  close(): void;
}

/** Opens a stream and returns once the headers are in; close() aborts it. */
async function open(app: TestApp, path: string, token: string): Promise<Opened> {
  const ctrl = new AbortController();
  const res = await fetch(`${app.url}${path}`, { headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' }, signal: ctrl.signal });
  const body = res.status === 200 ? null : await res.json();
  return { status: res.status, body, close: () => ctrl.abort() };
}

describe('event stream caps', () => {
  const app = useTestApp({ env: { EVENT_STREAMS_PER_SESSION: '2', EVENT_STREAMS_PER_USER: '3', EVENT_STREAMS_PER_IP: '6', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password } });
  const all: Opened[] = [];
  const openTracked = async (path: string, token: string) => {
    const s = await open(app, path, token);
    all.push(s);
    return s;
  };
  const closeAll = async (token: string) => {
    for (const s of all.splice(0)) s.close();
    // The server frees a place when it sees the connection close: wait until one more stream opens again.
    await waitFor('the streams to be released', async () => {
      const probe = await open(app, '/api/user/session-events', token);
      probe.close();
      return probe.status === 200;
    });
  };

  it('when one session opens more session-event streams than its cap, then the next is refused with 429 RATE_LIMITED until one closes', async () => {
    const user = await registerAndLogin(app);
    assert.equal((await openTracked('/api/user/session-events', user.accessToken)).status, 200);
    const second = await openTracked('/api/user/session-events', user.accessToken);
    assert.equal(second.status, 200);
    const third = await openTracked('/api/user/session-events', user.accessToken);
    assert.equal(third.status, 429);
    assert.equal(third.body.error.code, 'RATE_LIMITED');
    assert.match(third.body.error.message, /session/);
    second.close();
    await waitFor('a place to free up', async () => (await openTracked('/api/user/session-events', user.accessToken)).status === 200);
    await closeAll(user.accessToken);
  });

  it('when one user opens streams from several sessions, then the per-user cap counts them together', async () => {
    const a = await registerAndLogin(app);
    const b = await app.http.post('/api/auth/login').send({ email: a.email, password: a.password }).expect(200);
    for (const token of [a.accessToken, a.accessToken, b.body.accessToken]) assert.equal((await openTracked('/api/user/session-events', token)).status, 200);
    const over = await openTracked('/api/user/session-events', b.body.accessToken);
    assert.equal(over.status, 429);
    assert.match(over.body.error.message, /user/);
    await closeAll(a.accessToken);
  });

  it('when one IP opens streams for many users, then the per-IP cap refuses the next', async () => {
    const users = await Promise.all([1, 2, 3, 4, 5, 6, 7].map(() => registerAndLogin(app)));
    for (const u of users.slice(0, 6)) assert.equal((await openTracked('/api/user/session-events', u.accessToken)).status, 200);
    const over = await openTracked('/api/user/session-events', users[6].accessToken);
    assert.equal(over.status, 429);
    assert.match(over.body.error.message, /IP/);
    await closeAll(users[6].accessToken);
  });

  it('when one token opens revocation streams beyond the cap, then the next is refused before any snapshot, counted with session events', async () => {
    const admin = await app.http.post('/api/auth/login').send(ADMIN).expect(200);
    const token = admin.body.accessToken as string;
    assert.equal((await openTracked('/api/revocations/stream', token)).status, 200);
    assert.equal((await openTracked('/api/user/session-events', token)).status, 200);
    const over = await openTracked('/api/revocations/stream', token);
    assert.equal(over.status, 429);
    assert.equal(over.body.error.code, 'RATE_LIMITED');
    await closeAll(token);
  });
});

describe('session-event stream lifetime', () => {
  const app = useTestApp({ env: { ACCESS_TOKEN_TTL: '2' } });

  it('when the access token that opened a session-event stream expires, then the server ends the stream', async () => {
    const user = await registerAndLogin(app);
    const ctrl = new AbortController();
    const res = await fetch(`${app.url}/api/user/session-events`, { headers: { Authorization: `Bearer ${user.accessToken}` }, signal: ctrl.signal });
    assert.equal(res.status, 200);
    // Bounded: a stream that outlives its token is read until the guard aborts it, and the test fails.
    const guard = setTimeout(() => ctrl.abort(), 30_000);
    let ended = false;
    try {
      const reader = res.body!.getReader();
      while (!(await reader.read()).done);
      ended = true;
    } catch {
      ended = false;
    } finally {
      clearTimeout(guard);
    }
    assert.equal(ended, true, 'the server ended the stream');
  });
});
