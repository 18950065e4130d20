import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useTestApp } from '../helpers/app';

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
});
