// SIGTERM path: stop() lets requests in flight finish (nothing half-done), then closes the database.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startTestApp, uniqueEmail, TEST_PASSWORD } from '../helpers/app';
import { createTestDatabase } from '../helpers/database';

describe('graceful shutdown', () => {
  it('when stop() is called while a registration is in flight, then it completes and is stored, and new connections are refused', async () => {
    const database = await createTestDatabase();
    // A slow bcrypt keeps the request in flight while stop() begins.
    const app = await startTestApp({ database, env: { BCRYPT_COST: '11' } });
    try {
      const email = uniqueEmail('shutdown');
      const inFlight = fetch(`${app.url}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: TEST_PASSWORD }),
      });
      // Stop only once the server has the request: a connection whose request has not arrived yet is idle,
      // and closing idle connections is exactly what stop() should do.
      const deadline = Date.now() + 5000;
      while (app.container.activeRequests() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
      assert.equal(app.container.activeRequests(), 1, 'the registration reached the server');
      const stopped = app.container.stop();
      const res = await inFlight;
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('connection'), 'close');
      await stopped;
      await assert.rejects(fetch(`${app.url}/health`));
      const db = new pg.Client({ connectionString: database.url });
      await db.connect();
      const { rows } = await db.query('SELECT count(*)::int AS n FROM "User" WHERE "email" = $1', [email]);
      await db.end();
      assert.equal(rows[0].n, 1);
    } finally {
      await database.drop();
    }
  });
});
