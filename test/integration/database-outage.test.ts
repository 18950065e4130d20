// A PostgreSQL restart under load must give 503 SERVICE_UNAVAILABLE with Retry-After, never 500, and the
// outage is logged once rather than once per request with a stack. The test owns its PostgreSQL cluster
// (initdb / pg_ctl in a temp dir) so it can stop and start it; the load is a bounded loop, not a benchmark.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { migrate } from '../../backend/src/infrastructure/database/migrator';
import { bearer, registerAndLogin, startTestApp, type TestApp } from '../helpers/app';
import { MIGRATIONS_DIR } from '../helpers/database';
import pg from 'pg';
import { ownPostgres, waitFor, type OwnPostgres } from '../helpers/own-servers';

describe('database outage', () => {
  let pgServer: OwnPostgres;
  let app: TestApp;

  before(async () => {
    pgServer = await ownPostgres();
    await migrate(pgServer.url, MIGRATIONS_DIR);
    app = await startTestApp({ database: { url: pgServer.url, name: 'postgres', drop: async () => undefined }, env: { PROFILE_CACHE_MS: '0' } });
  });

  after(async () => {
    await app?.close();
    await pgServer?.destroy();
  });

  it('when PostgreSQL restarts under load, then requests get 200 or 503 with Retry-After, never 500, and the outage is logged once', async (t) => {
    const s = await registerAndLogin(app);
    const statuses: number[] = [];
    const round = async () => {
      const results = await Promise.all([
        app.http.get('/api/user/me').set(bearer(s.accessToken)),
        app.http.get('/api/user/sessions').set(bearer(s.accessToken)),
        app.http.post('/api/auth/login').send({ email: s.email, password: s.password }),
      ]);
      for (const r of results) {
        statuses.push(r.status);
        if (r.status === 503) {
          assert.equal(r.body.error.code, 'SERVICE_UNAVAILABLE');
          assert.ok(Number(r.headers['retry-after']) >= 1);
        }
      }
      return results.every((r) => r.status === 200);
    };
    for (let i = 0; i < 5; i++) assert.ok(await round(), 'all good before the restart');
    const stopping = pgServer.stop();
    for (let i = 0; i < 5; i++) await round();
    await stopping;
    for (let i = 0; i < 5; i++) await round();
    await pgServer.start();
    // Bounded: the pool reconnects on the next request.
    let healthy = false;
    for (let i = 0; i < 50 && !healthy; i++) healthy = await round();
    assert.ok(healthy, 'requests succeed again after the restart');
    const count = (n: number) => statuses.filter((x) => x === n).length;
    t.diagnostic(`${statuses.length} requests: ${count(200)} × 200, ${count(503)} × 503, ${count(500)} × 500`);
    assert.equal(count(500), 0, `statuses: ${statuses.join(',')}`);
    assert.ok(count(503) > 0, 'the outage was seen');
    assert.deepEqual(statuses.filter((x) => x !== 200 && x !== 503), []);
    assert.equal(app.logs.filter((l) => l.includes('database unreachable')).length, 1);
    assert.deepEqual(app.logs.filter((l) => l.includes('unhandled error')), []);
  });

  it('when the connection under a GET is cut, then the read is retried once and answers 200, while a write cut the same way answers 503', async () => {
    const s = await registerAndLogin(app);
    const admin = new pg.Client({ connectionString: pgServer.url });
    await admin.connect();
    const waiting = `SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()`;
    try {
      // Hold the Session table so both requests' statements wait on their connections, then cut exactly those
      // connections (as a restart or failover would) and let the table go.
      await admin.query('BEGIN');
      await admin.query('LOCK TABLE "Session" IN ACCESS EXCLUSIVE MODE');
      const read = app.http.get('/api/user/sessions').set(bearer(s.accessToken)).then((r) => r);
      const write = app.http.delete('/api/user/sessions/others').set(bearer(s.accessToken)).then((r) => r);
      await waitFor('both statements waiting on the lock', async () => (await admin.query(waiting)).rowCount === 2, 10_000);
      const cut = await admin.query(`SELECT pg_terminate_backend(pid) FROM (${waiting}) w`);
      assert.equal(cut.rowCount, 2);
      await admin.query('COMMIT');
      const [r, w] = await Promise.all([read, write]);
      assert.equal(r.status, 200, `the GET was retried on a fresh connection: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.sessions.length, 1);
      assert.equal(w.status, 503, `the write was not retried: ${JSON.stringify(w.body)}`);
      assert.equal(w.body.error.code, 'SERVICE_UNAVAILABLE');
      assert.ok(Number(w.headers['retry-after']) >= 1);
    } finally {
      await admin.query('ROLLBACK').catch(() => undefined);
      await admin.end();
    }
    assert.deepEqual(app.logs.filter((l) => l.includes('unhandled error')), []);
  });
});
