// NATS request subjects under the HTTP limits (issue 22): the same per-IP and per-account buckets, the
// contract's error shape in the reply, and `context.ip` believed only from callers allowed to state it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { connect, type NatsConnection } from 'nats';
import { bearer, TEST_NATS_URL, TEST_PASSWORD, uniqueEmail, useTestApp } from '../helpers/app';

function natsCaller(prefix: string) {
  let nc: NatsConnection;
  before(async () => {
    nc = await connect({ servers: TEST_NATS_URL });
  });
  after(async () => nc?.close());
  return async (subject: string, payload: unknown): Promise<any> => {
    const reply = await nc.request(`${prefix}${subject}`, new TextEncoder().encode(JSON.stringify(payload)), { timeout: 20_000 });
    return JSON.parse(new TextDecoder().decode(reply.data));
  };
}

const limits = { RATE_LIMIT_AUTH_PER_MIN: '20', RATE_LIMIT_ACCOUNT_PER_MIN: '10' };

describe('NATS limits, caller trusted to state the IP', () => {
  const prefix = `test.${randomBytes(6).toString('hex')}.`;
  const app = useTestApp({ nats: true, natsSubjectPrefix: prefix, env: { ...limits, NATS_TRUSTED_ACCOUNTS: '*' }, events: { stream: `TEST_LIM_${randomBytes(4).toString('hex')}`, subjectPrefix: `${prefix}auth.events` } });
  const call = natsCaller(prefix);

  it('when one IP sends login guesses over NATS, then the 21st is refused with RATE_LIMITED, as HTTP answers 429', async () => {
    const context = { ip: '198.51.100.21' };
    for (let i = 1; i <= 20; i++) {
      const reply = await call('auth.login', { email: uniqueEmail('guess'), password: 'wrong-guess-123', context });
      assert.equal(reply.error.code, 'INVALID_CREDENTIALS', `guess ${i}`);
    }
    const refused = await call('auth.login', { email: uniqueEmail('guess'), password: 'wrong-guess-123', context });
    assert.equal(refused.error.code, 'RATE_LIMITED');
    assert.equal(typeof refused.error.message, 'string');
    assert.ok(refused.error.retryAfterSeconds >= 1);
    // HTTP, from its own address, the same count: the 21st is a 429.
    for (let i = 1; i <= 20; i++) await app.http.post('/api/auth/login').send({ email: uniqueEmail('guess'), password: 'wrong-guess-123' }).expect(401);
    const http = await app.http.post('/api/auth/login').send({ email: uniqueEmail('guess'), password: 'wrong-guess-123' }).expect(429);
    assert.equal(http.body.error.code, refused.error.code);
  });

  it('when a signed-in user retries the password change over NATS, then the per-user limit applies', async () => {
    const email = uniqueEmail('pw');
    await call('auth.register', { email, password: TEST_PASSWORD, context: { ip: '192.0.2.200' } });
    const login = await call('auth.login', { email, password: TEST_PASSWORD, context: { ip: '192.0.2.201' } });
    const codes: string[] = [];
    for (let i = 0; i < 11; i++) codes.push((await call('auth.change_password', { accessToken: login.accessToken, currentPassword: `wrong-${i}-password`, newPassword: 'violet-Canyon-42-drum' })).error.code);
    assert.equal(codes.at(-1), 'RATE_LIMITED');
    assert.ok(codes.slice(0, 10).every((c) => c !== 'RATE_LIMITED'));
  });
});

describe('NATS limits shared with HTTP', () => {
  const prefix = `test.${randomBytes(6).toString('hex')}.`;
  const app = useTestApp({ nats: true, natsSubjectPrefix: prefix, env: { ...limits, NATS_TRUSTED_ACCOUNTS: '*' }, events: { stream: `TEST_LIM_${randomBytes(4).toString('hex')}`, subjectPrefix: `${prefix}auth.events` } });
  const call = natsCaller(prefix);

  it('when one account is guessed from rotating IPs over NATS and HTTP, then both count in one per-account bucket', async () => {
    const email = uniqueEmail('target');
    for (let i = 1; i <= 5; i++) assert.equal((await call('auth.login', { email, password: 'wrong-guess-123', context: { ip: `192.0.2.${i}` } })).error.code, 'INVALID_CREDENTIALS');
    for (let i = 1; i <= 5; i++) await app.http.post('/api/auth/login').send({ email, password: 'wrong-guess-123' }).expect(401);
    assert.equal((await call('auth.login', { email, password: 'wrong-guess-123', context: { ip: '192.0.2.99' } })).error.code, 'RATE_LIMITED');
  });

});

describe('NATS limits, caller not trusted to state the IP (the default)', () => {
  const prefix = `test.${randomBytes(6).toString('hex')}.`;
  const app = useTestApp({ nats: true, natsSubjectPrefix: prefix, env: limits, events: { stream: `TEST_LIM_${randomBytes(4).toString('hex')}`, subjectPrefix: `${prefix}auth.events` } });
  const call = natsCaller(prefix);

  it('when an untrusted caller states context.ip, then the session does not record it', async () => {
    const email = uniqueEmail('ip');
    await call('auth.register', { email, password: TEST_PASSWORD, context: { ip: '203.0.113.77' } });
    const login = await call('auth.login', { email, password: TEST_PASSWORD, context: { ip: '203.0.113.77', userAgent: 'x' } });
    const sessions = await app.http.get('/api/user/sessions').set(bearer(login.accessToken)).expect(200);
    assert.notEqual(sessions.body.sessions[0].ipAddress, '203.0.113.77');
  });

  it('when an untrusted caller rotates context.ip, then it gains no guesses: the 21st is refused', async () => {
    const codes: string[] = [];
    for (let i = 1; i <= 21; i++) codes.push((await call('auth.login', { email: uniqueEmail('rot'), password: 'wrong-guess-123', context: { ip: `198.51.100.${i}` } })).error.code);
    // The test above used 2 of this minute's 20 (register and login).
    assert.ok(codes.includes('RATE_LIMITED'), codes.join(','));
    assert.ok(codes.indexOf('RATE_LIMITED') <= 18);
  });
});
