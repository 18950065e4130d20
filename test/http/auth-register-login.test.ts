// /api/auth/register and /api/auth/login over HTTP, plus the cross-cutting conventions of the contract
// (error shape, X-Request-Id, helmet headers, body limits, unknown routes).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_PASSWORD, useTestApp, uniqueEmail } from '../helpers/app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Asserts the contract's error shape and returns the error object. */
function assertError(res: { status: number; body: unknown }, status: number, code: string) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  const body = res.body as { error?: { code?: unknown; message?: unknown } };
  assert.ok(body.error, `expected an error body, got ${JSON.stringify(res.body)}`);
  assert.equal(body.error.code, code);
  assert.equal(typeof body.error.message, 'string');
  assert.ok((body.error.message as string).length > 0);
  return body.error as { code: string; message: string; details?: { field: string; message: string }[] };
}

function assertValidation(res: { status: number; body: unknown }, field: string) {
  const err = assertError(res, 400, 'VALIDATION_ERROR');
  assert.ok(Array.isArray(err.details), 'details must be an array');
  for (const d of err.details) {
    assert.equal(typeof d.field, 'string');
    assert.equal(typeof d.message, 'string');
  }
  assert.ok(err.details.some((d) => d.field === field), `expected a detail for ${field}: ${JSON.stringify(err.details)}`);
}

describe('auth: register and login', () => {
  const app = useTestApp();

  it('when a user registers in open mode, then 201 returns the public user with status active and no hash', async () => {
    const email = uniqueEmail('reg');
    const res = await app.http.post('/api/auth/register').send({ email, password: TEST_PASSWORD, username: 'ada' });
    assert.equal(res.status, 201);
    assert.match(res.headers['content-type'] ?? '', /application\/json/);
    const { user } = res.body;
    assert.match(user.id, UUID);
    assert.equal(user.email, email);
    assert.equal(user.username, 'ada');
    assert.equal(user.role, 'user');
    assert.equal(user.status, 'active');
    assert.doesNotMatch(res.text, /passwordHash|\$2[aby]\$/);
    assert.ok(!res.text.includes(TEST_PASSWORD));
  });

  it('when an email is registered again in another case, then 409 EMAIL_TAKEN', async () => {
    const email = uniqueEmail('dup');
    assert.equal((await app.http.post('/api/auth/register').send({ email, password: TEST_PASSWORD })).status, 201);
    const res = await app.http.post('/api/auth/register').send({ email: email.toUpperCase(), password: TEST_PASSWORD });
    assertError(res, 409, 'EMAIL_TAKEN');
  });

  it('when the same email is registered concurrently, then exactly one 201 and the rest 409 EMAIL_TAKEN', async () => {
    const email = uniqueEmail('race');
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => app.http.post('/api/auth/register').send({ email: i % 2 ? email.toUpperCase() : email, password: TEST_PASSWORD })),
    );
    assert.deepEqual(results.map((r) => r.status).sort(), [201, 409, 409, 409, 409]);
    for (const r of results.filter((x) => x.status === 409)) assertError(r, 409, 'EMAIL_TAKEN');
  });

  it('when email is missing or malformed, then 400 VALIDATION_ERROR with an email detail', async () => {
    assertValidation(await app.http.post('/api/auth/register').send({ password: TEST_PASSWORD }), 'email');
    assertValidation(await app.http.post('/api/auth/register').send({ email: 'not-an-email', password: TEST_PASSWORD }), 'email');
  });

  it('when fields have the wrong JSON types, then 400 VALIDATION_ERROR names each field', async () => {
    assertValidation(await app.http.post('/api/auth/register').send({ email: 123, password: TEST_PASSWORD }), 'email');
    assertValidation(await app.http.post('/api/auth/register').send({ email: uniqueEmail(), password: 12345678901 }), 'password');
    assertValidation(await app.http.post('/api/auth/login').send({ email: ['a@b.c'], password: TEST_PASSWORD }), 'email');
  });

  it('when the password is short, common or 129 characters long, then 400 VALIDATION_ERROR on password', async () => {
    for (const password of ['Ab1-xyz', 'password123', 'x'.repeat(129)]) {
      const res = await app.http.post('/api/auth/register').send({ email: uniqueEmail('weak'), password });
      assertValidation(res, 'password');
    }
    // 128 characters is still allowed.
    const ok = await app.http.post('/api/auth/register').send({ email: uniqueEmail('long'), password: 'q7-'.repeat(42) + 'zz' });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
  });

  it('when a user logs in, then 200 returns the token pair with no-store caching', async () => {
    const email = uniqueEmail('login');
    await app.http.post('/api/auth/register').send({ email, password: TEST_PASSWORD });
    const res = await app.http.post('/api/auth/login').send({ email: email.toUpperCase(), password: TEST_PASSWORD });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.match(res.headers['cache-control'] ?? '', /no-store/);
    const b = res.body;
    assert.equal(typeof b.accessToken, 'string');
    assert.equal(b.accessToken.split('.').length, 3);
    assert.equal(typeof b.refreshToken, 'string');
    assert.ok(b.refreshToken.length >= 32);
    assert.equal(b.tokenType, 'Bearer');
    assert.equal(b.expiresIn, 900);
    assert.match(b.sessionId, UUID);
    assert.equal(b.user.email, email);
    assert.equal(b.user.status, 'active');
    assert.doesNotMatch(res.text, /passwordHash|\$2[aby]\$/);
  });

  it('when the email is unknown or the password wrong, then the same 401 INVALID_CREDENTIALS code and message', async () => {
    const email = uniqueEmail('creds');
    await app.http.post('/api/auth/register').send({ email, password: TEST_PASSWORD });
    const unknown = assertError(await app.http.post('/api/auth/login').send({ email: uniqueEmail('nobody'), password: TEST_PASSWORD }), 401, 'INVALID_CREDENTIALS');
    const wrong = assertError(await app.http.post('/api/auth/login').send({ email, password: `${TEST_PASSWORD}x` }), 401, 'INVALID_CREDENTIALS');
    assert.deepEqual(unknown, wrong);
  });

  it('when the body is malformed JSON, then 400 in the contract error shape', async () => {
    const res = await app.http.post('/api/auth/login').set('Content-Type', 'application/json').send('{"email": "a@b.c", ');
    assertError(res, 400, 'VALIDATION_ERROR');
    assert.doesNotMatch(res.text, /SyntaxError|at JSON\.parse|node_modules/);
  });

  it('when the body exceeds the size limit, then 413 in the contract error shape', async () => {
    const res = await app.http.post('/api/auth/register').send({ email: uniqueEmail(), password: TEST_PASSWORD, username: 'x'.repeat(64 * 1024) });
    assert.equal(res.status, 413);
    assert.match(res.body.error?.code ?? '', /^[A-Z_]+$/);
    assert.equal(typeof res.body.error.message, 'string');
  });

  it('when a route does not exist, then 404 NOT_FOUND in the contract shape', async () => {
    assertError(await app.http.get('/api/nope'), 404, 'NOT_FOUND');
    assertError(await app.http.post('/api/auth/does-not-exist').send({}), 404, 'NOT_FOUND');
  });

  it('when X-Request-Id is sent, then it is echoed; when not, then one is generated', async () => {
    const sent = await app.http.get('/health').set('X-Request-Id', 'trace-abc-123');
    assert.equal(sent.headers['x-request-id'], 'trace-abc-123');
    const generated = await app.http.post('/api/auth/login').send({});
    assert.equal(typeof generated.headers['x-request-id'], 'string');
    assert.ok(generated.headers['x-request-id'].length >= 8);
    const other = await app.http.get('/api/nope');
    assert.notEqual(other.headers['x-request-id'], generated.headers['x-request-id']);
  });

  it('when any response is sent, then helmet security headers are present and x-powered-by is not', async () => {
    const res = await app.http.post('/api/auth/login').send({ email: uniqueEmail(), password: TEST_PASSWORD });
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.ok(res.headers['x-frame-options']);
    assert.ok(res.headers['content-security-policy']);
    assert.ok(res.headers['strict-transport-security']);
    assert.equal(res.headers['x-powered-by'], undefined);
  });

  it('when a password is longer than 72 bytes, then it works and one differing only after byte 72 is refused', async () => {
    const email = uniqueEmail('bcrypt72');
    const prefix = 'correct-Horse-battery-staple-'.repeat(3).slice(0, 72); // 72 ASCII bytes
    const password = `${prefix}-tail-ONE`;
    const sibling = `${prefix}-tail-TWO`;
    assert.equal(Buffer.byteLength(prefix), 72);
    assert.equal((await app.http.post('/api/auth/register').send({ email, password })).status, 201);
    assert.equal((await app.http.post('/api/auth/login').send({ email, password })).status, 200);
    assertError(await app.http.post('/api/auth/login').send({ email, password: sibling }), 401, 'INVALID_CREDENTIALS');
    assertError(await app.http.post('/api/auth/login').send({ email, password: prefix }), 401, 'INVALID_CREDENTIALS');
  });

  // Last in this suite: it moves the app clock forward past the lock.
  it('when LOGIN_MAX_FAILURES wrong passwords are sent, then 423 ACCOUNT_LOCKED with Retry-After, even for the right password, until the lock ends', async () => {
    const email = uniqueEmail('locked');
    await app.http.post('/api/auth/register').send({ email, password: TEST_PASSWORD });
    for (let i = 0; i < 5; i++) {
      assertError(await app.http.post('/api/auth/login').send({ email, password: `wrong-Guess-${i}-xyz` }), 401, 'INVALID_CREDENTIALS');
    }
    const locked = await app.http.post('/api/auth/login').send({ email, password: TEST_PASSWORD });
    assertError(locked, 423, 'ACCOUNT_LOCKED');
    const retryAfter = Number(locked.headers['retry-after']);
    assert.ok(retryAfter > 0 && retryAfter <= 900, `Retry-After ${locked.headers['retry-after']}`);
    app.clock.advance(901);
    assert.equal((await app.http.post('/api/auth/login').send({ email, password: TEST_PASSWORD })).status, 200);
  });
});

describe('auth: REGISTRATION_MODE=approval', () => {
  const app = useTestApp({ env: { REGISTRATION_MODE: 'approval' } });

  it('when a user registers, then 202 with status pending, and login with the right password is 403 ACCOUNT_PENDING', async () => {
    const email = uniqueEmail('pending');
    const reg = await app.http.post('/api/auth/register').send({ email, password: TEST_PASSWORD });
    assert.equal(reg.status, 202);
    assert.equal(reg.body.user.status, 'pending');
    assert.equal(reg.body.user.email, email);
    assertError(await app.http.post('/api/auth/login').send({ email, password: TEST_PASSWORD }), 403, 'ACCOUNT_PENDING');
    // The status is not revealed to someone without the password.
    assertError(await app.http.post('/api/auth/login').send({ email, password: `${TEST_PASSWORD}!` }), 401, 'INVALID_CREDENTIALS');
  });
});

describe('NUL characters', () => {
  const app = useTestApp();

  it('when a JSON string field contains U+0000, then 400 VALIDATION_ERROR names it instead of a database 500', async () => {
    const reg = await app.http.post('/api/auth/register').send({ email: uniqueEmail(), password: TEST_PASSWORD, username: 'a\u0000b' });
    assert.equal(reg.status, 400);
    assert.deepEqual(reg.body.error.details, [{ field: 'username', message: 'must not contain NUL characters' }]);
    const login = await app.http.post('/api/auth/login').send({ email: 'a\u0000@example.test', password: 'whatever-else' });
    assert.equal(login.status, 400);
    assert.equal(login.body.error.code, 'VALIDATION_ERROR');
    const oauth = await app.http.post('/oauth/token').type('form').send({ grant_type: 'password', client_id: 'web', username: 'a\u0000b', password: 'x' });
    assert.equal(oauth.status, 400);
    assert.equal(oauth.body.error, 'invalid_request');
  });
});
