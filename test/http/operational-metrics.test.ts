// The design's metrics (issue 30) after real traffic: token requests by route, grant type and outcome, failed
// logins, lockouts, rotations, reuse detections, 2FA failures, and the scrape-time gauges — and no label that
// carries a user id, an email or an address.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { registerAndLogin, useTestApp } from '../helpers/app';
import { familiesOf, parseExposition, valueOf } from '../helpers/prometheus-text';

const DESIGN_METRICS = [
  'auth_token_requests_total', 'auth_token_request_duration_seconds', 'auth_failed_login_attempts_total',
  'auth_refresh_token_rotations_total', 'auth_refresh_token_reuse_detections_total', 'auth_account_lockouts_total',
  'auth_two_factor_failures_total', 'auth_active_sessions', 'auth_mail_pending', 'auth_revocation_feed_lag_seconds',
  'auth_bcrypt_queue_depth', 'auth_dependency_up',
];

describe('operational metrics', () => {
  const app = useTestApp({ env: { LOGIN_MAX_FAILURES: '3' } });

  it('when users sign in, fail, get locked, refresh and reuse a token, then /metrics counts each without naming anyone', async () => {
    const a = await registerAndLogin(app);
    // Two rotations, then the first token again: a reuse (the token just replaced would be inside the grace period).
    const first = await app.http.post('/api/auth/refresh').send({ refreshToken: a.refreshToken }).expect(200);
    await app.http.post('/api/auth/refresh').send({ refreshToken: first.body.refreshToken }).expect(200);
    await app.http.post('/api/auth/refresh').send({ refreshToken: a.refreshToken }).expect(401);
    const b = await registerAndLogin(app);
    for (let i = 0; i < 3; i++) await app.http.post('/api/auth/login').send({ email: b.email, password: 'wrong-password-1234' }).expect(401);
    await app.http.post('/api/auth/login').send({ email: 'nobody.here@example.test', password: 'wrong-password-1234' }).expect(401);
    await app.http.post('/oauth/token').type('form').send({ grant_type: 'made_up_grant' });

    const res = await app.http.get('/metrics').expect(200);
    const samples = parseExposition(res.text);
    const families = familiesOf(res.text);
    for (const name of DESIGN_METRICS) assert.ok(families.has(name), `${name} is exported`);

    const tokens = (labels: Record<string, string>) => valueOf(samples, 'auth_token_requests_total', labels);
    assert.equal(tokens({ route: '/api/auth/login', grant_type: 'password', outcome: 'success' }), 2);
    assert.equal(tokens({ route: '/api/auth/login', grant_type: 'password', outcome: 'failure' }), 4);
    assert.equal(tokens({ route: '/api/auth/refresh', grant_type: 'refresh_token', outcome: 'success' }), 2);
    assert.equal(tokens({ route: '/api/auth/refresh', grant_type: 'refresh_token', outcome: 'failure' }), 1);
    // A grant type the server does not know is one label value, whatever the caller sent.
    assert.equal(tokens({ route: '/oauth/token', grant_type: 'other', outcome: 'failure' }), 1);
    assert.equal(valueOf(samples, 'auth_token_request_duration_seconds_count', { route: '/api/auth/login', grant_type: 'password' }), 6);

    assert.equal(valueOf(samples, 'auth_failed_login_attempts_total', { factor: 'password' }), 3);
    assert.equal(valueOf(samples, 'auth_failed_login_attempts_total', { factor: 'unknown_account' }), 1);
    assert.equal(valueOf(samples, 'auth_account_lockouts_total'), 1);
    assert.equal(valueOf(samples, 'auth_refresh_token_rotations_total'), 2);
    assert.equal(valueOf(samples, 'auth_refresh_token_reuse_detections_total'), 1);
    assert.equal(valueOf(samples, 'auth_two_factor_failures_total', { factor: 'totp', context: 'login' }), 0);
    // a's session was revoked by the reuse; b's from registerAndLogin is live.
    assert.equal(valueOf(samples, 'auth_active_sessions'), 1);
    assert.equal(valueOf(samples, 'auth_dependency_up', { dependency: 'database' }), 1);
    assert.equal(valueOf(samples, 'auth_dependency_up', { dependency: 'redis' }), undefined, 'an unconfigured dependency has no series');
    assert.equal(valueOf(samples, 'auth_bcrypt_queue_depth'), 0);
    assert.equal(valueOf(samples, 'auth_revocation_feed_lag_seconds'), 0);
    assert.equal(typeof valueOf(samples, 'auth_mail_pending'), 'number');

    // No label value of any auth_ metric is an id, an email or an address.
    for (const s of samples.filter((x) => x.name.startsWith('auth_'))) {
      for (const v of Object.values(s.labels)) {
        assert.doesNotMatch(v, /@|[0-9a-f]{8}-[0-9a-f]{4}|^\d+\.\d+\.\d+\.\d+$|^::/i, `${s.name} label ${v}`);
      }
    }
    for (const secret of [a.email, b.email, a.userId, b.userId, a.sessionId]) assert.ok(!res.text.includes(secret), 'no identity in /metrics');
  });
});
