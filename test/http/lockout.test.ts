// Account lockout over HTTP against PostgreSQL: LOGIN_MAX_FAILURES consecutive wrong passwords lock the
// account (423 ACCOUNT_LOCKED + Retry-After), the lock expires by itself, success resets the counters,
// repeat locks double up to 24 h, and the failures are audited. Also: unknown email and wrong password
// are indistinguishable, in body and (roughly) in response time.
import { performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, TEST_PASSWORD, useTestApp, uniqueEmail, type TestApp } from '../helpers/app';

type Res = { status: number; body: unknown; headers: Record<string, string | undefined> };

const UA = 'lockout-test-agent/1.0';

function assertError(res: Res, status: number, code: string): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal((res.body as { error?: { code?: string } }).error?.code, code, JSON.stringify(res.body));
}

async function register(app: TestApp, tag: string): Promise<string> {
  const email = uniqueEmail(tag);
  const res = await app.http.post('/api/auth/register').send({ email, password: TEST_PASSWORD });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return email;
}

const attempt = (app: TestApp, email: string, password: string) =>
  app.http.post('/api/auth/login').set('User-Agent', UA).send({ email, password }) as unknown as Promise<Res>;

async function failTimes(app: TestApp, email: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) assertError(await attempt(app, email, `wrong-Guess-${i}-qwerty`), 401, 'INVALID_CREDENTIALS');
}

/** Asserts 423 ACCOUNT_LOCKED and returns the Retry-After header as a number of seconds. */
function retryAfterOf(res: Res): number {
  assertError(res, 423, 'ACCOUNT_LOCKED');
  const raw = res.headers['retry-after'];
  assert.match(raw ?? '', /^\d+$/, `Retry-After must be delta-seconds, got ${raw}`);
  return Number(raw);
}

describe('lockout: LOGIN_MAX_FAILURES=3, LOGIN_LOCK_SECONDS=60', () => {
  const app = useTestApp({ env: { LOGIN_MAX_FAILURES: '3', LOGIN_LOCK_SECONDS: '60' } });

  it('when 3 wrong passwords are sent, then the 4th attempt is 423 ACCOUNT_LOCKED with Retry-After ≤ 60 even with the right password, and the lock expires by itself', async () => {
    const email = await register(app, 'lock');
    await failTimes(app, email, 3);
    const locked = await attempt(app, email, TEST_PASSWORD);
    const retryAfter = retryAfterOf(locked);
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.ok((locked.body as { error: { message: string } }).error.message.length > 0);
    assert.ok(!('accessToken' in (locked.body as object)), 'no tokens while locked');

    // A wrong guess during the lock is refused the same way and does not extend the lock.
    const again = retryAfterOf(await attempt(app, email, 'wrong-Guess-during-lock'));
    assert.ok(again <= retryAfter, `lock extended: ${again} > ${retryAfter}`);

    app.clock.advance(61);
    const ok = await attempt(app, email, TEST_PASSWORD);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(typeof (ok.body as { accessToken?: unknown }).accessToken, 'string');
  });

  it('when 2 failures are followed by a success, then the counter resets and 2 more failures do not lock', async () => {
    const email = await register(app, 'reset');
    await failTimes(app, email, 2);
    assert.equal((await attempt(app, email, TEST_PASSWORD)).status, 200);
    await failTimes(app, email, 2);
    const res = await attempt(app, email, TEST_PASSWORD);
    assert.equal(res.status, 200, `4 failures split by a success must not lock: ${JSON.stringify(res.body)}`);
  });

  it('when the account is locked again after a lock expired, then the second lock doubles to 120 s, and a success resets it to 60 s', async () => {
    const email = await register(app, 'double');
    await failTimes(app, email, 3);
    const first = retryAfterOf(await attempt(app, email, TEST_PASSWORD));
    assert.ok(first >= 50 && first <= 60, `first lock ${first}`);

    app.clock.advance(61);
    // The lock zeroed the failure counter: it takes 3 new failures to lock again.
    await failTimes(app, email, 3);
    const second = retryAfterOf(await attempt(app, email, TEST_PASSWORD));
    assert.ok(second > 60 && second <= 120 && second >= 110, `second lock ${second}`);

    app.clock.advance(121);
    assert.equal((await attempt(app, email, TEST_PASSWORD)).status, 200);
    await failTimes(app, email, 3);
    const afterSuccess = retryAfterOf(await attempt(app, email, TEST_PASSWORD));
    assert.ok(afterSuccess >= 50 && afterSuccess <= 60, `a success must reset the doubling: ${afterSuccess}`);
  });

  it('when an account is locked, then its security events hold login.failed per failure and account.locked with lockSeconds', async () => {
    const email = await register(app, 'events');
    await failTimes(app, email, 3);
    retryAfterOf(await attempt(app, email, TEST_PASSWORD));
    app.clock.advance(61);
    const login = await attempt(app, email, TEST_PASSWORD);
    assert.equal(login.status, 200);
    const res = await app.http.get('/api/user/security-events').set(bearer((login.body as { accessToken: string }).accessToken));
    assert.equal(res.status, 200);
    type Ev = { type: string; ipAddress: string | null; userAgent: string | null; createdAt: string; metadata: Record<string, unknown> };
    const events = res.body.events as Ev[];

    const failed = events.filter((e) => e.type === 'login.failed');
    assert.equal(failed.length, 3, JSON.stringify(events.map((e) => e.type)));
    // Newest first: the third failure comes first.
    assert.deepEqual(failed.map((e) => e.metadata.consecutiveFailures), [3, 2, 1]);
    for (const e of failed) {
      assert.equal(e.metadata.factor, 'password');
      assert.equal(e.userAgent, UA);
      assert.equal(e.ipAddress, '127.0.0.1');
    }

    const locked = events.filter((e) => e.type === 'account.locked');
    assert.equal(locked.length, 1);
    const meta = locked[0].metadata;
    assert.equal(meta.lockSeconds, 60);
    assert.equal(meta.lockNumber, 1);
    assert.equal(typeof meta.lockedUntil, 'string');
    assert.ok(!Number.isNaN(Date.parse(meta.lockedUntil as string)));
    assert.equal(locked[0].userAgent, UA);

    // Order: account.locked after the last failure, login.succeeded after the lock.
    const types = events.map((e) => e.type);
    assert.ok(types.indexOf('login.succeeded') < types.indexOf('account.locked'), types.join(','));
    assert.ok(types.indexOf('account.locked') < types.indexOf('login.failed'), types.join(','));
    assert.doesNotMatch(res.text, /wrong-Guess|\$2[aby]\$/, 'no guessed password or hash in events');
  });
});

describe('lockout: the lock length is capped at 24 h (LOGIN_MAX_FAILURES=2, LOGIN_LOCK_SECONDS=50000)', () => {
  const app = useTestApp({ env: { LOGIN_MAX_FAILURES: '2', LOGIN_LOCK_SECONDS: '50000' } });

  it('when the doubled lock would be 100000 s, then it is 86400 s instead', async () => {
    const email = await register(app, 'cap');
    await failTimes(app, email, 2);
    const first = retryAfterOf(await attempt(app, email, TEST_PASSWORD));
    assert.ok(first > 49_990 && first <= 50_000, `first lock ${first}`);
    app.clock.advance(50_001);
    await failTimes(app, email, 2);
    const second = retryAfterOf(await attempt(app, email, TEST_PASSWORD));
    assert.ok(second > 86_390 && second <= 86_400, `second lock must be capped at 24 h, got ${second}`);
    // Still locked just before the 24 h end, free just after.
    app.clock.advance(86_390);
    retryAfterOf(await attempt(app, email, TEST_PASSWORD));
    app.clock.advance(11);
    assert.equal((await attempt(app, email, TEST_PASSWORD)).status, 200);
  });
});

describe('login: unknown email and wrong password are indistinguishable', () => {
  // A bcrypt cost high enough for the comparison to dominate a request, low enough to stay fast; no lock
  // during the timing runs.
  const app = useTestApp({ env: { BCRYPT_COST: '8', LOGIN_MAX_FAILURES: '1000' } });

  it('when the email is unknown or the password wrong, then both are 401 INVALID_CREDENTIALS with identical bodies', async () => {
    const email = await register(app, 'enum');
    const unknown = await attempt(app, uniqueEmail('nobody'), 'wrong-Guess-0-qwerty');
    const wrong = await attempt(app, email, 'wrong-Guess-0-qwerty');
    assertError(unknown, 401, 'INVALID_CREDENTIALS');
    assertError(wrong, 401, 'INVALID_CREDENTIALS');
    assert.deepEqual(unknown.body, wrong.body);
    assert.equal(unknown.headers['retry-after'], undefined);
    assert.equal(wrong.headers['retry-after'], undefined);
  });

  it('when timed against a control without bcrypt, then an unknown email costs at least half the bcrypt time a wrong password costs (a dummy bcrypt compare runs)', async () => {
    const email = await register(app, 'timing');
    const time = async (target: string, password: string, status: number, code: string) => {
      const t0 = performance.now();
      const res = await attempt(app, target, password);
      const ms = performance.now() - t0;
      assertError(res, status, code);
      return ms;
    };
    // The control: the same request refused by validation (empty password), so it pays the HTTP and JSON
    // work and no bcrypt. What is compared is each login's time above the control measured in the same
    // round, so load on a shared machine, which slows all three alike, cancels out instead of deciding.
    const control = () => time(uniqueEmail('nobody'), '', 400, 'VALIDATION_ERROR');
    const unknownLogin = () => time(uniqueEmail('nobody'), 'wrong-Guess-timing-qwerty', 401, 'INVALID_CREDENTIALS');
    const wrongLogin = () => time(email, 'wrong-Guess-timing-qwerty', 401, 'INVALID_CREDENTIALS');
    // Warm-up (connections, prepared statements).
    await control();
    await unknownLogin();
    await wrongLogin();
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 10; i++) {
      const c = await control();
      unknown.push((await unknownLogin()) - c);
      wrong.push((await wrongLogin()) - c);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const [mu, mw] = [median(unknown), median(wrong)];
    assert.ok(mw > 0, `a wrong password must cost more than the control: ${mw.toFixed(1)} ms above it`);
    assert.ok(mu >= 0.5 * mw, `unknown email ${mu.toFixed(1)} ms above the control vs wrong password ${mw.toFixed(1)} ms above it`);
  });
});
