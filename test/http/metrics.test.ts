import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, useTestApp, useTestApps } from '../helpers/app';

describe('metrics', () => {
  const app = useTestApp();

  it('when requests were served, then /metrics reports their latency by route template in Prometheus text format', async () => {
    await app.http.get('/api/user/me').expect(401);
    await app.http.delete('/api/user/sessions/2b1f6a4e-8f43-4a8e-9a55-1b0a9c3f7e11').expect(401);
    const res = await app.http.get('/metrics').expect(200);
    assert.match(res.headers['content-type'], /text\/plain/);
    assert.match(res.text, /# TYPE http_request_duration_seconds histogram/);
    assert.match(res.text, /http_request_duration_seconds_count\{method="GET",route="unmatched",status="401"\}|route="\/api\/user\/me"/);
    // Ids never become label values.
    assert.doesNotMatch(res.text, /2b1f6a4e-8f43/);
  });

  it('when METRICS_TOKEN is unset in development, then a request through a proxy (forwarding header) is refused', async () => {
    for (const header of ['X-Forwarded-For', 'Forwarded', 'X-Real-IP']) {
      const res = await app.http.get('/metrics').set(header, header === 'Forwarded' ? 'for=203.0.113.7' : '203.0.113.7');
      assert.equal(res.status, 403, header);
      assert.equal(res.body.error.code, 'FORBIDDEN');
      assert.doesNotMatch(res.text, /http_request_duration_seconds/);
    }
  });
});

// Issue 22, item 11: /metrics was open to anyone.
describe('metrics access', () => {
  const apps = useTestApps();

  it('when METRICS_TOKEN is set, then /metrics is refused without it or with another token (401, Bearer challenge) and served with it', async () => {
    const app = await apps.start({ env: { METRICS_TOKEN: 'scrape-4f1c9a2e7b' } });
    const none = await app.http.get('/metrics');
    assert.equal(none.status, 401);
    assert.equal(none.body.error.code, 'UNAUTHENTICATED');
    assert.match(none.headers['www-authenticate'] ?? '', /^Bearer realm="sessionary"$/);
    assert.doesNotMatch(none.text, /http_request_duration_seconds/);
    const wrong = await app.http.get('/metrics').set(bearer('scrape-4f1c9a2e7c'));
    assert.equal(wrong.status, 401);
    assert.match(wrong.headers['www-authenticate'] ?? '', /error="invalid_token"/);
    const right = await app.http.get('/metrics').set(bearer('scrape-4f1c9a2e7b')).expect(200);
    assert.match(right.text, /# TYPE http_request_duration_seconds histogram/);
  });

  it('when PUBLIC_URL is set and METRICS_TOKEN is not, then /metrics is refused even from this machine', async () => {
    const app = await apps.start({ env: { PUBLIC_URL: 'https://auth.example.com' } });
    const res = await app.http.get('/metrics');
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, 'FORBIDDEN');
    assert.match(res.body.error.message, /METRICS_TOKEN/);
  });
});
