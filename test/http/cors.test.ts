import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useTestApp } from '../helpers/app';

describe('CORS', () => {
  const app = useTestApp({ env: { CORS_ORIGINS: 'https://app.example.test' } });

  it('when an allowed origin sends a preflight, then it may send Authorization and read X-Request-Id', async () => {
    const res = await app.http
      .options('/api/user/me')
      .set('Origin', 'https://app.example.test')
      .set('Access-Control-Request-Method', 'GET')
      .set('Access-Control-Request-Headers', 'authorization');
    assert.equal(res.status, 204);
    assert.equal(res.headers['access-control-allow-origin'], 'https://app.example.test');
    assert.match(res.headers['access-control-allow-headers'], /Authorization/);
    const get = await app.http.get('/health').set('Origin', 'https://app.example.test');
    assert.match(get.headers['access-control-expose-headers'], /X-Request-Id/);
  });

  it('when another origin asks, then no CORS header lets its browser read the response', async () => {
    const res = await app.http.get('/health').set('Origin', 'https://evil.example.test');
    assert.equal(res.headers['access-control-allow-origin'], undefined);
  });
});
