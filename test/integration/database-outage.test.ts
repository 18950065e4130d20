// A PostgreSQL restart under load must give 503 SERVICE_UNAVAILABLE with Retry-After, never 500, and the
// outage is logged once rather than once per request with a stack. The test owns its PostgreSQL cluster
// (initdb / pg_ctl in a temp dir) so it can stop and start it; the load is a bounded loop, not a benchmark.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { migrate } from '../../backend/src/infrastructure/database/migrator';
import { bearer, registerAndLogin, startTestApp, type TestApp } from '../helpers/app';
import { MIGRATIONS_DIR } from '../helpers/database';
import { ownPostgres, type OwnPostgres } from '../helpers/own-servers';

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
});
