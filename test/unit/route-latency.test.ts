// The latency histogram counted by hand (backend/src/http/route-latency.ts) must read, on /metrics and in
// prom-client's JSON, exactly as prom-client's own Histogram would for the same observations.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Histogram, Registry } from 'prom-client';
import { RouteLatencyHistogram } from '../../backend/src/http/route-latency';

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const OBSERVATIONS: [string, string, number, number][] = [
  ['GET', '/api/user/sessions', 200, 0.0004],
  ['GET', '/api/user/sessions', 200, 0.001], // on a bound: counted in that bucket (le)
  ['GET', '/api/user/sessions', 200, 0.0031],
  ['GET', '/api/user/sessions', 401, 0.2],
  ['POST', '/api/auth/refresh', 200, 0.04],
  ['POST', '/api/auth/refresh', 200, 7], // above every bound: only +Inf
  ['GET', 'unmatched', 404, 0.0009],
];

function both() {
  const ours = new Registry();
  const theirs = new Registry();
  const h = new RouteLatencyHistogram(ours, { name: 'http_request_duration_seconds', help: 'HTTP request latency', buckets: BUCKETS });
  const p = new Histogram({ name: 'http_request_duration_seconds', help: 'HTTP request latency', labelNames: ['method', 'route', 'status'], buckets: BUCKETS, registers: [theirs] });
  for (const [method, route, status, s] of OBSERVATIONS) {
    h.observe(method, route, status, s);
    p.observe({ method, route, status: String(status) }, s);
  }
  return { ours, theirs };
}

describe('route latency histogram', () => {
  it('when the same requests are observed, then /metrics reads as prom-client Histogram would', async () => {
    const { ours, theirs } = both();
    const text = await ours.metrics();
    assert.equal(text, await theirs.metrics());
    assert.match(text, /http_request_duration_seconds_bucket\{le="0\.001",method="GET",route="\/api\/user\/sessions",status="200"\} 2/);
    assert.match(text, /http_request_duration_seconds_count\{method="POST",route="\/api\/auth\/refresh",status="200"\} 2/);
  });

  it('when read as JSON (cluster aggregation), then the values match prom-client too', async () => {
    const { ours, theirs } = both();
    assert.deepEqual(await ours.getMetricsAsJSON(), await theirs.getMetricsAsJSON());
  });

  it('when the registry is reset, then the counts start again from nothing', async () => {
    const { ours } = both();
    ours.resetMetrics();
    assert.doesNotMatch(await ours.metrics(), /_count/);
  });
});
