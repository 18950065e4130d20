// Refresh grace window (REFRESH_REUSE_GRACE_SECONDS): parallel or retried refreshes of one token must not
// end the session, while replays after the window, after the successor was used, or of older tokens in the
// chain still count as reuse. Time moves with the injected clock, never with sleeps.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, registerAndLogin, useTestApp, type TestApp } from '../helpers/app';

const refresh = (app: TestApp, refreshToken: string) => app.http.post('/api/auth/refresh').send({ refreshToken });

describe('refresh grace window: parallel refreshes', () => {
  // The window is long here: the test's claim is that parallel refreshes inside it share one successor, and on a
  // loaded machine twenty parallel requests can take longer than ten seconds of the ticking clock to arrive.
  const app = useTestApp({ env: { REFRESH_REUSE_GRACE_SECONDS: '120' } });

  it('when one token is refreshed 20 times in parallel, then all get 200 with the same successor and the session lives', async () => {
    const s = await registerAndLogin(app);
    const results = await Promise.all(Array.from({ length: 20 }, () => refresh(app, s.refreshToken)));
    assert.deepEqual(results.map((r) => r.status), Array(20).fill(200), JSON.stringify(results.map((r) => r.body.error?.code)));
    const successors = new Set(results.map((r) => r.body.refreshToken as string));
    assert.equal(successors.size, 1);
    const [successor] = [...successors];
    assert.notEqual(successor, s.refreshToken);
    // Every access token handed out works, and the one successor rotates normally.
    for (const r of results) assert.equal((await app.http.get('/api/user/me').set(bearer(r.body.accessToken))).status, 200);
    const next = await refresh(app, successor);
    assert.equal(next.status, 200);
    assert.equal((await app.http.get('/api/user/me').set(bearer(next.body.accessToken))).status, 200);
  });
});

describe('refresh grace window', () => {
  const app = useTestApp({ env: { REFRESH_REUSE_GRACE_SECONDS: '10' } });

  it('when the previous token is replayed after the window, then REFRESH_TOKEN_REUSED and the session is revoked', async () => {
    const s = await registerAndLogin(app);
    const first = await refresh(app, s.refreshToken);
    assert.equal(first.status, 200);
    app.clock.advance(11);
    const replay = await refresh(app, s.refreshToken);
    assert.equal(replay.status, 401);
    assert.equal(replay.body.error.code, 'REFRESH_TOKEN_REUSED');
    assert.equal((await app.http.get('/api/user/me').set(bearer(first.body.accessToken))).body.error.code, 'SESSION_TERMINATED');
    assert.equal((await refresh(app, first.body.refreshToken)).body.error.code, 'INVALID_REFRESH_TOKEN');
  });

  it('when the previous token is replayed within the window after its successor was used, then it is reuse', async () => {
    const s = await registerAndLogin(app);
    const first = await refresh(app, s.refreshToken);
    const second = await refresh(app, first.body.refreshToken);
    assert.equal(second.status, 200);
    const replay = await refresh(app, s.refreshToken);
    assert.equal(replay.body.error.code, 'REFRESH_TOKEN_REUSED');
    assert.equal((await app.http.get('/api/user/me').set(bearer(second.body.accessToken))).body.error.code, 'SESSION_TERMINATED');
  });

  it('when a replay inside the window gets the successor, then later replays of older tokens in the chain still count as reuse', async () => {
    const s = await registerAndLogin(app);
    const first = await refresh(app, s.refreshToken);
    const second = await refresh(app, first.body.refreshToken);
    // A retry of the latest rotation inside the window is fine...
    const retry = await refresh(app, first.body.refreshToken);
    assert.equal(retry.status, 200);
    assert.equal(retry.body.refreshToken, second.body.refreshToken);
    // ...the token two rotations back is not, even within the window.
    const old = await refresh(app, s.refreshToken);
    assert.equal(old.body.error.code, 'REFRESH_TOKEN_REUSED');
    assert.equal((await refresh(app, second.body.refreshToken)).body.error.code, 'INVALID_REFRESH_TOKEN');
  });
});

describe('refresh grace window disabled', () => {
  const app = useTestApp({ env: { REFRESH_REUSE_GRACE_SECONDS: '0' } });

  it('when REFRESH_REUSE_GRACE_SECONDS=0 and the previous token is replayed at once, then it is reuse as before', async () => {
    const s = await registerAndLogin(app);
    const first = await refresh(app, s.refreshToken);
    assert.equal(first.status, 200);
    const replay = await refresh(app, s.refreshToken);
    assert.equal(replay.body.error.code, 'REFRESH_TOKEN_REUSED');
  });
});
