// Issue 9, item 4: with a stolen access token an attacker could enable 2FA on the victim's account and lock
// the owner out. Enrolment now needs the password (or a session that signed in within REAUTH_WINDOW_SECONDS),
// wrong passwords count toward the lockout, and completing enrolment ends every other session while the
// calling one is raised to aal 2.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateTotpCode } from '../../backend/src/infrastructure/two-factor/totp';
import { bearer, claimsOf, registerAndLogin, TEST_PASSWORD, useTestApp, type TestApp } from '../helpers/app';

async function events(app: TestApp, token: string) {
  const res = await app.http.get('/api/user/security-events').set(bearer(token));
  assert.equal(res.status, 200);
  return res.body.events as { type: string; metadata: Record<string, unknown> }[];
}

/** Moves the app clock past the last used TOTP step, so the next code is fresh. */
function nextStep(app: TestApp): void {
  const into = app.clock.now().getTime() % 30_000;
  app.clock.advance((30_000 - into + 1000) / 1000);
}

describe('2FA enrolment re-authentication', () => {
  const app = useTestApp({ env: { LOGIN_MAX_FAILURES: '3', REAUTH_WINDOW_SECONDS: '300' } });

  it('when the session signed in more than REAUTH_WINDOW_SECONDS ago, then enable without a password is 403 REAUTH_REQUIRED, even after a refresh', async () => {
    const victim = await registerAndLogin(app);
    app.clock.advance(301);
    const stolen = await app.http.post('/api/user/2fa/enable').set(bearer(victim.accessToken));
    assert.equal(stolen.status, 403, JSON.stringify(stolen.body));
    assert.equal(stolen.body.error.code, 'REAUTH_REQUIRED');
    assert.equal(stolen.body.secret, undefined);
    // A refresh rotates the tokens but is not a sign-in: the session stays as old as it was.
    const refreshed = await app.http.post('/api/auth/refresh').send({ refreshToken: victim.refreshToken });
    assert.equal(refreshed.status, 200);
    const again = await app.http.post('/api/user/2fa/enable').set(bearer(refreshed.body.accessToken)).send({});
    assert.equal(again.status, 403, JSON.stringify(again.body));
    // With the password it works.
    const ok = await app.http.post('/api/user/2fa/enable').set(bearer(refreshed.body.accessToken)).send({ password: TEST_PASSWORD });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(typeof ok.body.secret, 'string');
  });

  it('when the session has just signed in, then the contract\'s body-less enable still works', async () => {
    const s = await registerAndLogin(app);
    const res = await app.http.post('/api/user/2fa/enable').set(bearer(s.accessToken));
    assert.equal(res.status, 200, JSON.stringify(res.body));
  });

  it('when enable gets wrong passwords, then they are audited as reauth.failed (2fa_enable) and lock the account with the login failures', async () => {
    const s = await registerAndLogin(app);
    for (let i = 0; i < 3; i++) {
      const res = await app.http.post('/api/user/2fa/enable').set(bearer(s.accessToken)).send({ password: `wrong-Guess-${i}-qwerty` });
      if (i < 2) assert.equal(res.status, 401, JSON.stringify(res.body));
      if (i < 2) assert.equal(res.body.error.code, 'INVALID_CREDENTIALS');
    }
    const locked = await app.http.post('/api/user/2fa/enable').set(bearer(s.accessToken)).send({ password: TEST_PASSWORD });
    assert.equal(locked.status, 423, JSON.stringify(locked.body));
    assert.ok(Number(locked.headers['retry-after']) > 0);
    assert.equal((await app.http.post('/api/auth/login').send({ email: s.email, password: TEST_PASSWORD })).status, 423, 'the login is locked too');
    const list = await events(app, s.accessToken);
    const failures = list.filter((e) => e.type === 'reauth.failed');
    assert.equal(failures.length, 3);
    assert.ok(failures.every((e) => e.metadata.context === '2fa_enable' && e.metadata.factor === 'password'), JSON.stringify(failures));
    assert.ok(list.some((e) => e.type === 'account.locked'));
  });

  it('when enrolment completes, then every other session ends and the calling one shows aal 2 in the session list', async () => {
    const s = await registerAndLogin(app);
    const phone = await app.http.post('/api/auth/login').set('User-Agent', 'Sessionary-iOS/1.0').send({ email: s.email, password: TEST_PASSWORD });
    assert.equal(phone.status, 200);
    const before = await app.http.get('/api/user/sessions').set(bearer(s.accessToken));
    assert.deepEqual(before.body.sessions.map((x: { aal: number }) => x.aal), [1, 1]);

    const enable = await app.http.post('/api/user/2fa/enable').set(bearer(s.accessToken)).send({ password: TEST_PASSWORD });
    assert.equal(enable.status, 200, JSON.stringify(enable.body));
    nextStep(app);
    const verify = await app.http.post('/api/user/2fa/verify').set(bearer(s.accessToken)).send({ code: generateTotpCode(enable.body.secret, app.clock.now()) });
    assert.equal(verify.status, 200, JSON.stringify(verify.body));
    assert.equal(verify.body.revokedSessions, 1);

    const ended = await app.http.get('/api/user/me').set(bearer(phone.body.accessToken));
    assert.equal(ended.status, 401);
    assert.equal(ended.body.error.code, 'SESSION_TERMINATED');
    assert.equal((await app.http.post('/api/auth/refresh').send({ refreshToken: phone.body.refreshToken })).status, 401);

    const after = await app.http.get('/api/user/sessions').set(bearer(s.accessToken));
    assert.equal(after.status, 200);
    assert.deepEqual(after.body.sessions.map((x: { id: string; current: boolean; aal: number }) => [x.id, x.current, x.aal]), [[s.sessionId, true, 2]]);
    // The next access token of the calling session carries aal 2 too.
    const refreshed = await app.http.post('/api/auth/refresh').send({ refreshToken: s.refreshToken });
    assert.equal(refreshed.status, 200);
    assert.equal(claimsOf(refreshed.body.accessToken).aal, 2);

    const enabled = (await events(app, s.accessToken)).find((e) => e.type === '2fa.enabled');
    assert.deepEqual(enabled?.metadata.sessionIds, [phone.body.sessionId]);
    assert.equal(enabled?.metadata.keptSessionId, s.sessionId);
  });
});
