// GET /api/user/security-events: newest-first keyset pagination (?limit, ?before=<nextCursor>), input
// validation, per-user isolation, and the event shape (no token, hash or password in any event).
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertValidation, bearer, registerAndLogin, useTestApp } from '../helpers/app';

interface Ev {
  id: string;
  type: string;
  ipAddress: string | null;
  userAgent: string | null;
  createdAt: string;
  metadata: Record<string, unknown>;
}
interface Page {
  events: Ev[];
  nextCursor: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('security events', () => {
  // No refresh grace window: the history replays a rotated token at once and must record reuse.
  const app = useTestApp({ env: { LOGIN_MAX_FAILURES: '50', REFRESH_REUSE_GRACE_SECONDS: '0' } });

  const login = async (email: string, password: string) => {
    const res = await app.http.post('/api/auth/login').set('User-Agent', 'events-test/1.0').send({ email, password });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as { accessToken: string; refreshToken: string; sessionId: string };
  };

  const page = async (token: string, query: Record<string, string | number> = {}) => {
    const res = await app.http.get('/api/user/security-events').query(query).set(bearer(token));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as Page;
  };

  /**
   * A user with a varied history (>= 10 events): registration, logins, failed logins, a refresh, a refresh
   * reuse, a logout and a password change. Returns every secret the history involved.
   */
  async function userWithHistory() {
    const u = await registerAndLogin(app);
    const secrets: string[] = [u.password, u.accessToken, u.refreshToken];
    for (let i = 0; i < 2; i++) {
      const bad = await app.http.post('/api/auth/login').send({ email: u.email, password: `wrong-Guess-${i}-events` });
      assert.equal(bad.status, 401);
      secrets.push(`wrong-Guess-${i}-events`);
    }
    const a = await login(u.email, u.password);
    const b = await login(u.email, u.password);
    const c = await login(u.email, u.password);
    secrets.push(a.accessToken, a.refreshToken, b.accessToken, b.refreshToken, c.accessToken, c.refreshToken);
    const rotated = await app.http.post('/api/auth/refresh').send({ refreshToken: b.refreshToken });
    assert.equal(rotated.status, 200);
    secrets.push(rotated.body.accessToken, rotated.body.refreshToken);
    // Presenting the already-rotated token again: refresh_token.reused.
    assert.equal((await app.http.post('/api/auth/refresh').send({ refreshToken: b.refreshToken })).status, 401);
    assert.equal((await app.http.post('/api/auth/logout').set(bearer(a.accessToken))).status, 204);
    const newPassword = 'quartz-Meadow-42-harbor';
    const changed = await app.http.post('/api/user/change-password').set(bearer(u.accessToken)).send({ currentPassword: u.password, newPassword });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    secrets.push(newPassword);
    return { ...u, secrets };
  }

  it('when there are more events than the limit, then following nextCursor walks them all newest first, without duplicates or gaps', async () => {
    const u = await userWithHistory();
    const all = (await page(u.accessToken, { limit: 100 })).events;
    assert.ok(all.length >= 10, `expected >= 10 events, got ${all.length}`);
    assert.equal((await page(u.accessToken, { limit: 100 })).nextCursor, null, 'everything fits: no next page');

    const first = await page(u.accessToken, { limit: 2 });
    assert.equal(first.events.length, 2);
    assert.equal(typeof first.nextCursor, 'string');
    assert.deepEqual(first.events.map((e) => e.id), all.slice(0, 2).map((e) => e.id));

    const walked: Ev[] = [...first.events];
    let cursor = first.nextCursor;
    let pages = 1;
    while (cursor) {
      const next = await page(u.accessToken, { limit: 2, before: cursor });
      assert.ok(next.events.length >= 1 && next.events.length <= 2, `page ${pages} has ${next.events.length} events`);
      walked.push(...next.events);
      cursor = next.nextCursor;
      assert.ok(++pages <= all.length, 'pagination does not terminate');
    }
    assert.equal(pages, Math.ceil(all.length / 2));
    const ids = walked.map((e) => e.id);
    assert.equal(new Set(ids).size, ids.length, 'no duplicates');
    assert.deepEqual(ids, all.map((e) => e.id), 'same events, same order, no gaps');
    for (let i = 1; i < walked.length; i++) {
      assert.ok(Date.parse(walked[i - 1].createdAt) >= Date.parse(walked[i].createdAt), `createdAt increases at ${i}`);
    }
    // Newest first: the password change is the latest thing that happened, the registration the oldest.
    assert.equal(walked[0].type, 'password.changed');
    assert.equal(walked[walked.length - 1].type, 'user.registered');
  });

  it('when the cursor is malformed, out of range or repeated, then 400 VALIDATION_ERROR on before', async () => {
    const u = await registerAndLogin(app);
    const b64 = (s: string) => Buffer.from(s).toString('base64url');
    const bad = [
      'not-a-cursor',
      b64('garbage'),
      b64('not-a-date|3b241101-e2bb-4255-8caf-4136c566a962'),
      b64(`${new Date().toISOString()}|not-a-uuid`),
      b64(`${new Date().toISOString()}|`),
      // A date JavaScript accepts but PostgreSQL cannot store (was a 500).
      b64('-271821-04-20T00:00:00.000Z|3b241101-e2bb-4255-8caf-4136c566a962'),
      'x'.repeat(500),
    ];
    for (const before of bad) {
      assertValidation(await app.http.get('/api/user/security-events').query({ before }).set(bearer(u.accessToken)), 'before');
    }
    const twice = `before=${b64('2000-01-01T00:00:00.000Z|3b241101-e2bb-4255-8caf-4136c566a962')}&before=x`;
    assertValidation(await app.http.get(`/api/user/security-events?${twice}`).set(bearer(u.accessToken)), 'before');
    // A well-formed cursor pointing before everything: an empty page, not an error.
    const ancient = await page(u.accessToken, { before: b64('2000-01-01T00:00:00.000Z|3b241101-e2bb-4255-8caf-4136c566a962') });
    assert.deepEqual(ancient, { events: [], nextCursor: null });
  });

  it('when limit is 0, 101, negative, fractional, not a number or repeated, then 400 VALIDATION_ERROR on limit; 1 and 100 are accepted', async () => {
    const u = await registerAndLogin(app);
    for (const limit of ['0', '101', '-1', '2.5', 'abc', '']) {
      assertValidation(await app.http.get('/api/user/security-events').query({ limit }).set(bearer(u.accessToken)), 'limit');
    }
    // A repeated limit arrives as an array (was a 500).
    assertValidation(await app.http.get('/api/user/security-events?limit=2&limit=3').set(bearer(u.accessToken)), 'limit');
    assert.equal((await page(u.accessToken, { limit: 1 })).events.length, 1);
    assert.equal((await page(u.accessToken, { limit: 100 })).events.length, 2, 'user.registered + login.succeeded');
  });

  it("when two users have events, then each sees only their own, even with the other's cursor", async () => {
    const bob = await registerAndLogin(app);
    const alice = await userWithHistory();
    const aliceEvents = (await page(alice.accessToken, { limit: 100 })).events;
    const bobEvents = (await page(bob.accessToken, { limit: 100 })).events;
    assert.deepEqual(bobEvents.map((e) => e.type), ['login.succeeded', 'user.registered']);
    const aliceIds = new Set(aliceEvents.map((e) => e.id));
    assert.ok(bobEvents.every((e) => !aliceIds.has(e.id)));
    assert.ok(bobEvents.every((e) => e.metadata.sessionId === undefined || e.metadata.sessionId === bob.sessionId));

    // Alice's cursor is only a position (newer than all of Bob's events): paging with it, Bob gets his own
    // events and nothing of Alice's.
    const aliceCursor = (await page(alice.accessToken, { limit: 1 })).nextCursor!;
    const viaCursor = await page(bob.accessToken, { limit: 100, before: aliceCursor });
    assert.ok(viaCursor.events.every((e) => !aliceIds.has(e.id)));
    assert.deepEqual(viaCursor.events.map((e) => e.id), bobEvents.map((e) => e.id));
  });

  it('when events are listed, then each has exactly {id,type,ipAddress,userAgent,browser,os,deviceType,createdAt,metadata} and no token, hash or password', async () => {
    const u = await userWithHistory();
    const res = await app.http.get('/api/user/security-events').query({ limit: 100 }).set(bearer(u.accessToken));
    assert.equal(res.status, 200);
    const events = (res.body as Page).events;
    const types = new Set(events.map((e) => e.type));
    for (const t of ['user.registered', 'login.succeeded', 'login.failed', 'refresh_token.reused', 'logout', 'password.changed']) {
      assert.ok(types.has(t), `${t} missing from ${[...types].join(',')}`);
    }
    for (const e of events) {
      assert.deepEqual(Object.keys(e).sort(), ['browser', 'createdAt', 'deviceType', 'id', 'ipAddress', 'metadata', 'os', 'type', 'userAgent']);
      assert.match(e.id, UUID);
      assert.match(e.createdAt, ISO);
      assert.equal(typeof e.type, 'string');
      assert.ok(e.metadata !== null && typeof e.metadata === 'object' && !Array.isArray(e.metadata));
      assert.ok(e.ipAddress === null || typeof e.ipAddress === 'string');
      assert.ok(e.userAgent === null || typeof e.userAgent === 'string');
      const keys = JSON.stringify(Object.keys(e.metadata));
      assert.doesNotMatch(keys, /token|hash|password|secret/i, `${e.type} metadata keys ${keys}`);
    }
    for (const secret of u.secrets) {
      assert.ok(!res.text.includes(secret), `a token or password appears in the events: ${secret.slice(0, 12)}…`);
      assert.ok(!res.text.includes(sha256(secret)), 'a token hash appears in the events');
    }
    assert.doesNotMatch(res.text, /\$2[aby]\$/, 'no bcrypt hash');
  });

  it('when called without a bearer token, then 401 UNAUTHENTICATED', async () => {
    const res = await app.http.get('/api/user/security-events');
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'UNAUTHENTICATED');
  });
});
