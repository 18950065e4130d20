// No secret reaches the logs, and no password or hash reaches a response body, across a full account flow.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { bearer, useTestApp, uniqueEmail } from '../helpers/app';

describe('log hygiene: secrets never reach logs or responses', () => {
  const app = useTestApp();

  it('when a user registers, logs in, refreshes, changes password and fails a login, then no log line or body leaks a secret', async () => {
    const email = uniqueEmail('hygiene');
    const password = 'Secret-Walrus-Pass-731';
    const newPassword = 'Other-Secret-Heron-482';
    const wrongPassword = 'Wrong-Guess-Pelican-905';
    const bodies: { label: string; text: string }[] = [];
    const tokens: string[] = [];
    const record = <T extends { text: string }>(label: string, res: T) => {
      bodies.push({ label, text: res.text ?? '' });
      return res;
    };

    const reg = record('register', await app.http.post('/api/auth/register').send({ email, password, username: 'hygiene' }));
    assert.equal(reg.status, 201);
    const login = record('login', await app.http.post('/api/auth/login').send({ email, password }));
    assert.equal(login.status, 200);
    tokens.push(login.body.accessToken, login.body.refreshToken);
    const second = record('login-2', await app.http.post('/api/auth/login').send({ email, password }));
    tokens.push(second.body.accessToken, second.body.refreshToken);
    const refreshed = record('refresh', await app.http.post('/api/auth/refresh').send({ refreshToken: login.body.refreshToken }));
    assert.equal(refreshed.status, 200);
    tokens.push(refreshed.body.accessToken, refreshed.body.refreshToken);
    const access = refreshed.body.accessToken as string;
    const refreshed2 = record('refresh-2', await app.http.post('/api/auth/refresh').send({ refreshToken: second.body.refreshToken }));
    assert.equal(refreshed2.status, 200);
    tokens.push(refreshed2.body.accessToken, refreshed2.body.refreshToken);
    app.clock.advance(11); // past REFRESH_REUSE_GRACE_SECONDS: a replay now is reuse
    const reuse = record('reuse', await app.http.post('/api/auth/refresh').send({ refreshToken: second.body.refreshToken }));
    assert.equal(reuse.body.error.code, 'REFRESH_TOKEN_REUSED');
    record('me', await app.http.get('/api/user/me').set(bearer(access)));
    record('sessions', await app.http.get('/api/user/sessions').set(bearer(access)));
    const changed = record(
      'change-password',
      await app.http.post('/api/user/change-password').set(bearer(access)).send({ currentPassword: password, newPassword }),
    );
    assert.equal(changed.status, 200);
    const failed = record('failed-login', await app.http.post('/api/auth/login').send({ email, password: wrongPassword }));
    assert.equal(failed.status, 401);
    record('bad-json', await app.http.post('/api/auth/login').set('Content-Type', 'application/json').send(`{"password":"${password}",`));
    record('oauth', await app.http.post('/oauth/token').type('form').send({ grant_type: 'password', username: email, password: newPassword, client_id: 'web' }));
    record('oauth-bad', await app.http.post('/oauth/token').type('form').send({ grant_type: 'password', username: email, password: wrongPassword, client_id: 'web' }));
    record('events', await app.http.get('/api/user/security-events').set(bearer(access)));
    record('validate', await app.http.get('/api/auth/validate').set(bearer(access)));
    // Let the last request lines reach the in-memory transport.
    await new Promise((r) => setImmediate(r));

    assert.ok(app.logs.length >= bodies.length, 'request logs were captured');
    const tokenHashes = tokens.map((t) => createHash('sha256').update(t).digest('hex'));
    const neverLogged = [password, newPassword, wrongPassword, ...tokens, ...tokenHashes];
    for (const line of app.logs) {
      for (const secret of neverLogged) assert.ok(!line.includes(secret), `log line leaks a secret: ${line.slice(0, 200)}`);
      assert.doesNotMatch(line, /\$2[aby]\$|passwordHash|refreshTokenHash|authorization|bearer /i, line.slice(0, 200));
    }

    const tokenResponses = new Set(['login', 'login-2', 'refresh', 'refresh-2', 'oauth']);
    for (const { label, text } of bodies) {
      for (const secret of [password, newPassword, wrongPassword]) assert.ok(!text.includes(secret), `${label} body echoes a password`);
      assert.doesNotMatch(text, /\$2[aby]\$|passwordHash|refreshTokenHash/, label);
      for (const h of tokenHashes) assert.ok(!text.includes(h), `${label} body leaks a token hash`);
      if (!tokenResponses.has(label)) {
        for (const t of tokens) assert.ok(!text.includes(t), `${label} body leaks a token`);
      }
    }
  });
});
