// Ended sessions and expired MFA challenges are purged after the retention period; live ones never.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { bearer, registerAndLogin, useTestApp } from '../helpers/app';

describe('housekeeping', () => {
  const app = useTestApp();

  it('when a session ended more than 7 days ago, then it and its rotated-token history are purged, and live sessions stay', async () => {
    const ended = await registerAndLogin(app);
    await app.http.post('/api/auth/refresh').send({ refreshToken: ended.refreshToken }).expect(200);
    const endedLogin = await app.http.post('/api/auth/login').send({ email: ended.email, password: ended.password });
    await app.http.post('/api/auth/logout').set(bearer(endedLogin.body.accessToken)).expect(204);

    assert.deepEqual(await app.container.housekeeping.runOnce(), { sessions: 0, mfaChallenges: 0 });
    app.clock.advance(8 * 86_400);
    // The first session is live (idle TTL 14 days, refreshed); only the logged-out one is purged.
    const purged = await app.container.housekeeping.runOnce();
    assert.equal(purged.sessions, 1);

    const db = new pg.Client({ connectionString: app.database.url });
    await db.connect();
    try {
      const { rows } = await db.query('SELECT "id" FROM "Session"');
      assert.deepEqual(rows.map((r) => r.id), [ended.sessionId]);
      const history = await db.query('SELECT count(*)::int AS n FROM "RotatedRefreshToken" WHERE "sessionId" = $1', [ended.sessionId]);
      assert.equal(history.rows[0].n, 1);
      const events = await db.query(`SELECT count(*)::int AS n FROM "AuditEvent" WHERE "type" = 'logout'`);
      assert.equal(events.rows[0].n, 1, 'audit history is kept');
    } finally {
      await db.end();
    }
  });
});
