// Reuse detection must not depend on how many rotations ago a token was replaced: a thief who refreshed
// twice must still lose the session when the owner presents the original token.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, registerAndLogin, useTestApp } from '../helpers/app';

describe('refresh-token reuse across several rotations', () => {
  const app = useTestApp();

  it('when a token rotated two refreshes ago is presented, then REFRESH_TOKEN_REUSED and the live chain dies', async () => {
    const s = await registerAndLogin(app);
    const b = await app.http.post('/api/auth/refresh').send({ refreshToken: s.refreshToken });
    const c = await app.http.post('/api/auth/refresh').send({ refreshToken: b.body.refreshToken });
    assert.equal(c.status, 200);
    const reuse = await app.http.post('/api/auth/refresh').send({ refreshToken: s.refreshToken });
    assert.equal(reuse.status, 401);
    assert.equal(reuse.body.error.code, 'REFRESH_TOKEN_REUSED');
    const me = await app.http.get('/api/user/me').set(bearer(c.body.accessToken));
    assert.equal(me.body.error.code, 'SESSION_TERMINATED');
    const next = await app.http.post('/api/auth/refresh').send({ refreshToken: c.body.refreshToken });
    assert.equal(next.body.error.code, 'INVALID_REFRESH_TOKEN');
    // The owner signs in again and sees the reuse in their security events.
    const again = await app.http.post('/api/auth/login').send({ email: s.email, password: s.password });
    const events = await app.http.get('/api/user/security-events').set(bearer(again.body.accessToken));
    assert.equal(events.status, 200);
    assert.ok(events.body.events.some((e: { type: string }) => e.type === 'refresh_token.reused'));
  });
});
