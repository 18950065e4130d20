// GET /ready (issue 30): the design's readiness shape, and 503 while a configured dependency is down. The
// dependencies stopped here are this suite's own redis-server and nats-server, never the shared ones.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { useTestApp, useTestApps } from '../helpers/app';
import { ownNats, ownRedis, waitFor, type OwnNats, type OwnRedis } from '../helpers/own-servers';

const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

describe('readiness without Redis or NATS', () => {
  const app = useTestApp();

  it('when only the database is configured, then /ready is 200 healthy with the database connected and the others not configured', async () => {
    const res = await app.http.get('/ready').expect(200);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.deepEqual({ ...res.body, uptimeSeconds: 0 }, {
      status: 'healthy', version, database: 'connected', redis: 'not_configured', nats: 'not_configured', outbox: null, uptimeSeconds: 0,
    });
  });

  it('when /health is asked, then it keeps its own cheap liveness shape', async () => {
    const res = await app.http.get('/health').expect(200);
    assert.equal(res.body.status, 'ok');
    assert.equal(res.body.database, 'up');
  });
});

describe('readiness with its own Redis and NATS', () => {
  let redis: OwnRedis;
  let nats: OwnNats;
  before(async () => {
    [redis, nats] = await Promise.all([ownRedis(), ownNats()]);
  });
  const apps = useTestApps();
  after(async () => {
    await redis?.stop();
    await nats?.remove();
  });

  const start = () => {
    const tag = Math.random().toString(36).slice(2, 8);
    return apps.start({ env: { REDIS_URL: redis.url, NATS_URL: nats.url }, events: { stream: `READY_${tag}`, subjectPrefix: `ready.${tag}` }, natsSubjectPrefix: `ready.${tag}.` });
  };

  it('when Redis and NATS answer, then /ready is healthy and reports the outbox backlog', async () => {
    const app = await start();
    const res = await app.http.get('/ready').expect(200);
    assert.equal(res.body.status, 'healthy');
    assert.equal(res.body.redis, 'connected');
    assert.equal(res.body.nats, 'connected');
    assert.equal(typeof res.body.outbox.pending, 'number');
  });

  it('when its Redis stops, then /ready is 503 naming Redis, and 200 again once Redis is back', async () => {
    const app = await start();
    await app.http.get('/ready').expect(200);
    await redis.stop();
    try {
      const res = await app.http.get('/ready').expect(503);
      assert.equal(res.body.status, 'unhealthy');
      assert.equal(res.body.redis, 'disconnected');
      assert.equal(res.body.database, 'connected');
      // Liveness does not depend on Redis: the process is fine, it only must not take traffic.
      await app.http.get('/health').expect(200);
    } finally {
      await redis.start();
    }
    await waitFor('/ready healthy again', async () => (await app.http.get('/ready')).status === 200, 15_000);
  });

  it('when its NATS stops, then /ready is 503 naming NATS, and 200 again once NATS is back', async () => {
    const app = await start();
    await app.http.get('/ready').expect(200);
    await nats.stop();
    try {
      const started = Date.now();
      const res = await app.http.get('/ready').expect(503);
      assert.equal(res.body.nats, 'disconnected');
      assert.equal(res.body.redis, 'connected');
      assert.ok(Date.now() - started < 3000, 'a down dependency is reported within its timeout');
    } finally {
      await nats.start();
    }
    await waitFor('/ready healthy again', async () => (await app.http.get('/ready')).status === 200, 20_000);
  });
});
