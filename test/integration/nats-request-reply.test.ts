// The NATS request/reply adapter against the machine's NATS, with a unique subject prefix per run.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { connect, type NatsConnection } from 'nats';
import { bearer, startTestApp, TEST_NATS_URL, TEST_PASSWORD, uniqueEmail, useTestApp } from '../helpers/app';

const NATS_URL = TEST_NATS_URL;

describe('NATS request/reply', () => {
  let nc: NatsConnection;
  const prefix = `test.${randomBytes(6).toString('hex')}.`;
  const stream = `TEST_RR_${randomBytes(4).toString('hex')}`;
  // The machine's NATS has no accounts, so nothing tells callers apart: this app trusts every caller's context.ip.
  const app = useTestApp({ nats: true, env: { NATS_TRUSTED_ACCOUNTS: '*' }, natsSubjectPrefix: prefix, events: { stream, subjectPrefix: `${prefix}auth.events` } });
  // Any reply is JSON; the tests read it loosely.
  const call = async (subject: string, payload: unknown): Promise<any> => {
    const reply = await nc.request(`${prefix}${subject}`, new TextEncoder().encode(typeof payload === 'string' ? payload : JSON.stringify(payload)), { timeout: 20_000 });
    return JSON.parse(new TextDecoder().decode(reply.data));
  };
  const context = { ip: '203.0.113.9', userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15' };

  before(async () => {
    nc = await connect({ servers: NATS_URL });
  });
  after(async () => {
    await (await nc.jetstreamManager()).streams.delete(stream).catch(() => undefined);
    await nc.close();
  });

  it('when a user registers and logs in over NATS, then the replies are the HTTP bodies and the session records the caller context', async () => {
    const email = uniqueEmail('nats');
    const reg = await call('auth.register', { email, password: TEST_PASSWORD, context });
    assert.equal(reg.user.email, email);
    assert.equal(reg.user.status, 'active');
    const login = await call('auth.login', { email, password: TEST_PASSWORD, deviceName: 'gateway test', context });
    assert.equal(login.tokenType, 'Bearer');
    assert.ok(login.accessToken && login.refreshToken && login.sessionId);
    const sessions = await app.http.get('/api/user/sessions').set(bearer(login.accessToken)).expect(200);
    assert.equal(sessions.body.sessions[0].ipAddress, context.ip);
    assert.match(sessions.body.sessions[0].browser, /^Safari/);
  });

  it('when input is bad, then the reply carries the same codes and details as HTTP', async () => {
    const bad = await call('auth.register', { email: 'not-an-email', password: 123 });
    assert.equal(bad.error.code, 'VALIDATION_ERROR');
    assert.deepEqual(bad.error.details.map((d: { field: string }) => d.field).sort(), ['email', 'password']);
    const email = uniqueEmail('nats');
    await call('auth.register', { email, password: TEST_PASSWORD });
    assert.equal((await call('auth.register', { email: email.toUpperCase(), password: TEST_PASSWORD })).error.code, 'EMAIL_TAKEN');
    assert.equal((await call('auth.login', { email, password: 'wrong-password-here' })).error.code, 'INVALID_CREDENTIALS');
    assert.equal((await call('auth.login', '{not json')).error.code, 'VALIDATION_ERROR');
    assert.equal((await call('auth.refresh', { refreshToken: 'nope' })).error.code, 'INVALID_REFRESH_TOKEN');
  });

  it('when tokens are validated, refreshed and logged out over NATS, then the session behaves as over HTTP', async () => {
    const email = uniqueEmail('nats');
    await call('auth.register', { email, password: TEST_PASSWORD });
    const login = await call('auth.login', { email, password: TEST_PASSWORD });
    const valid = await call('auth.validate', { accessToken: login.accessToken });
    assert.equal(valid.valid, true);
    assert.equal(valid.claims.sid, login.sessionId);
    assert.deepEqual(await call('auth.validate', {}), { valid: false, reason: 'UNAUTHENTICATED' });
    assert.deepEqual(await call('auth.validate', { accessToken: 'x.y.z' }), { valid: false, reason: 'INVALID_TOKEN' });

    const refreshed = await call('auth.refresh', { refreshToken: login.refreshToken });
    assert.equal(refreshed.sessionId, login.sessionId);
    assert.deepEqual(await call('auth.logout', { accessToken: refreshed.accessToken }), {});
    assert.deepEqual(await call('auth.validate', { accessToken: refreshed.accessToken }), { valid: false, reason: 'SESSION_TERMINATED' });
    assert.equal((await call('auth.logout', {})).error.code, 'UNAUTHENTICATED');
  });

  it('when the password changes or all sessions end over NATS, then other sessions are revoked', async () => {
    const email = uniqueEmail('nats');
    await call('auth.register', { email, password: TEST_PASSWORD });
    const a = await call('auth.login', { email, password: TEST_PASSWORD });
    const b = await call('auth.login', { email, password: TEST_PASSWORD });
    assert.equal((await call('auth.change_password', { accessToken: a.accessToken, currentPassword: 'wrong-one-here', newPassword: 'violet-Canyon-42-drum' })).error.code, 'INVALID_CREDENTIALS');
    const changed = await call('auth.change_password', { accessToken: a.accessToken, currentPassword: TEST_PASSWORD, newPassword: 'violet-Canyon-42-drum' });
    assert.deepEqual(changed, { revokedSessions: 1 });
    assert.equal((await call('auth.validate', { accessToken: b.accessToken })).reason, 'SESSION_TERMINATED');
    const c = await call('auth.login', { email, password: 'violet-Canyon-42-drum' });
    assert.deepEqual(await call('auth.logout_all', { accessToken: c.accessToken }), {});
    assert.equal((await call('auth.validate', { accessToken: a.accessToken })).reason, 'SESSION_TERMINATED');
    assert.equal((await call('auth.validate', { accessToken: c.accessToken })).reason, 'SESSION_TERMINATED');
  });

  it('when two instances serve the same subjects, then each request is answered once (queue group)', async () => {
    const second = await startTestApp({ env: { NATS_URL }, natsSubjectPrefix: prefix, database: app.database, events: { stream, subjectPrefix: `${prefix}auth.events` } });
    try {
      // A plain subscription sees every request; replies are counted on a private inbox.
      const inbox = nc.subscribe(`${prefix}auth.validate`);
      let requests = 0;
      void (async () => {
        for await (const _ of inbox) requests += 1;
      })();
      const replySubject = `_INBOX.${randomBytes(8).toString('hex')}`;
      const replies = nc.subscribe(replySubject);
      let answered = 0;
      void (async () => {
        for await (const _ of replies) answered += 1;
      })();
      for (let i = 0; i < 20; i++) nc.publish(`${prefix}auth.validate`, new TextEncoder().encode('{}'), { reply: replySubject });
      await nc.flush();
      const start = Date.now();
      while (answered < 20 && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 10));
      assert.equal(requests, 20);
      assert.equal(answered, 20, 'one reply per request, not one per instance');
      inbox.unsubscribe();
      replies.unsubscribe();
    } finally {
      await second.close();
    }
  });
});
