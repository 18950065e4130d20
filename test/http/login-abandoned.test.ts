// A login whose client hangs up while it still waits for a bcrypt worker is dropped before the compare: in a
// login storm (clients timing out and retrying) abandoned attempts must not take the CPU from live ones. The
// compare never ran, so nothing was decided: no failure is counted, nothing is audited, nothing is logged as
// an error. A compare already running completes and counts as usual.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startTestApp, useTestApp, uniqueEmail, TEST_PASSWORD } from '../helpers/app';
import { waitFor } from '../helpers/wait';

/** POST /api/auth/login without waiting for the answer; returns a function that hangs up. */
function loginAndHangUp(url: string, email: string, password: string): () => void {
  const body = JSON.stringify({ email, password });
  const req = request(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } });
  req.on('error', () => undefined);
  req.end(body);
  return () => req.destroy();
}

describe('login: abandoned attempts', () => {
  // One bcrypt worker at cost 12 (~250 ms a compare): the attempts queue behind each other.
  const app = useTestApp({ env: { BCRYPT_COST: '12', BCRYPT_WORKERS: '1', LOGIN_MAX_FAILURES: '3' } });

  it('when clients hang up while their logins wait for bcrypt, then those compares are skipped, count no failure and log no error', async () => {
    const email = uniqueEmail('abandon');
    await app.http.post('/api/auth/register').send({ email, password: TEST_PASSWORD }).expect(201);
    // Six wrong guesses: were they all compared, the third would lock the account (LOGIN_MAX_FAILURES=3).
    const hangUps = Array.from({ length: 6 }, () => loginAndHangUp(app.url, email, 'Wrong-guess-123456'));
    await new Promise((r) => setTimeout(r, 120));
    for (const hangUp of hangUps) hangUp();
    // At most the one compare already running when they hung up counts; the rest are dropped.
    const abandoned = await waitFor(
      'the queued attempts to be dropped',
      async () => app.logs.filter((l) => l.includes('request abandoned by the client')).length,
      (n) => n >= 5,
    );
    assert.ok(abandoned >= 5);
    const ok = await app.http.post('/api/auth/login').send({ email, password: TEST_PASSWORD });
    assert.equal(ok.status, 200, `not locked: ${JSON.stringify(ok.body)}`);
    assert.deepEqual(app.logs.filter((l) => l.includes('unhandled error')), []);
  });
});

describe('login: abandoned attempts while the server stops', () => {
  it('when the server stops while logins of clients that hung up are still running, then it waits for them and logs no error', async () => {
    const app = await startTestApp({ env: { BCRYPT_COST: '12', BCRYPT_WORKERS: '2' } });
    let closed = false;
    try {
      const emails = Array.from({ length: 4 }, () => uniqueEmail('stopping'));
      for (const email of emails) await app.http.post('/api/auth/register').send({ email, password: TEST_PASSWORD }).expect(201);
      // Sixteen right passwords: the two running compares go on to their transaction after the hang-up.
      const hangUps = Array.from({ length: 16 }, (_, i) => loginAndHangUp(app.url, emails[i % 4], TEST_PASSWORD));
      // Most of them in flight at once, well over the two workers, so several wait in the queue when the clients
      // hang up. Not all sixteen: on a loaded machine the first compares can finish before the last request is
      // read (the full suite missed that moment twice, at load 10).
      await waitFor('the logins to reach the server', () => app.container.activeRequests(), (n) => n >= 8);
      for (const hangUp of hangUps) hangUp();
      await app.close();
      closed = true;
      // Before: the stop closed the database under the running logins ("Unable to start a transaction" → 500).
      assert.deepEqual(app.logs.filter((l) => l.includes('"level":"error"')), []);
      assert.ok(app.logs.some((l) => l.includes('request abandoned by the client')));
    } finally {
      if (!closed) await app.close();
    }
  });
});
