import test from 'node:test';
import assert from 'node:assert/strict';
import { buildServices, TEST_PASSWORD, rejectsWithCode, type Services } from '../fakes/services';

const WRONG = 'definitely not the password';

async function setup(overrides: Parameters<typeof buildServices>[0] = {}) {
  const s = buildServices(overrides);
  const { user, email } = await s.registerUser('locked@example.test');
  return { s, user, email };
}

async function failTimes(s: Services, email: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await rejectsWithCode(s.auth.login({ email, password: WRONG, deviceName: null }, s.ctx), 'INVALID_CREDENTIALS');
  }
}

test('when 5 consecutive wrong passwords are given, then the account is locked for 900 s', async () => {
  const { s, user, email } = await setup();
  await failTimes(s, email, 4);
  assert.equal((await s.userRow(user.id)).failedLoginCount, 4);
  assert.equal((await s.userRow(user.id)).lockedUntil, null, 'not locked before the 5th failure');
  await failTimes(s, email, 1);
  const row = await s.userRow(user.id);
  assert.equal(row.lockedUntil?.getTime(), s.clock.now().getTime() + 900_000);
  assert.equal(row.lockCount, 1);
  const err = await rejectsWithCode(s.auth.login({ email, password: WRONG, deviceName: null }, s.ctx), 'ACCOUNT_LOCKED');
  assert.ok(err.retryAfterSeconds! >= 899 && err.retryAfterSeconds! <= 900, `retryAfter ${err.retryAfterSeconds}`);
  const locked = s.db.auditEvents().filter((e) => e.type === 'account.locked');
  assert.equal(locked.length, 1);
  assert.equal(locked[0].metadata.lockSeconds, 900);
  assert.equal(s.db.auditEvents().filter((e) => e.type === 'login.failed' && e.userId === user.id).length, 5);
});

test('when the account is locked, then even the right password is refused and nothing is counted', async () => {
  const { s, user, email } = await setup();
  await failTimes(s, email, 5);
  s.clock.advance(100);
  const err = await rejectsWithCode(s.auth.login({ email, password: TEST_PASSWORD, deviceName: null }, s.ctx), 'ACCOUNT_LOCKED');
  assert.equal(err.retryAfterSeconds, 800);
  await rejectsWithCode(s.auth.login({ email, password: WRONG, deviceName: null }, s.ctx), 'ACCOUNT_LOCKED');
  const row = await s.userRow(user.id);
  assert.equal(row.failedLoginCount, 0, 'attempts during a lock do not count');
  assert.equal(row.lockCount, 1, 'attempts during a lock do not extend it');
  assert.equal((await s.sessions.listActive(user.id)).length, 0, 'no session was opened');
});

test('when the lock time passes, then the lock expires by itself and the right password works', async () => {
  const { s, user, email } = await setup();
  await failTimes(s, email, 5);
  s.clock.advance(899);
  const err = await rejectsWithCode(s.auth.login({ email, password: TEST_PASSWORD, deviceName: null }, s.ctx), 'ACCOUNT_LOCKED');
  assert.equal(err.retryAfterSeconds, 1);
  s.clock.advance(1);
  const pair = await s.login(email);
  assert.equal(pair.user.id, user.id);
  const row = await s.userRow(user.id);
  assert.deepEqual([row.failedLoginCount, row.lockCount, row.lockedUntil], [0, 0, null], 'success resets the counters');
});

test('when the account is locked a second time, then the lock doubles to 1800 s', async () => {
  const { s, email } = await setup();
  await failTimes(s, email, 5);
  s.clock.advance(901);
  await failTimes(s, email, 5);
  const err = await rejectsWithCode(s.auth.login({ email, password: TEST_PASSWORD, deviceName: null }, s.ctx), 'ACCOUNT_LOCKED');
  assert.equal(err.retryAfterSeconds, 1800);
});

test('when locks keep repeating, then each doubles and the length is capped at 24 h', async () => {
  const { s, email } = await setup();
  const seen: number[] = [];
  for (let round = 0; round < 9; round++) {
    await failTimes(s, email, 5);
    const err = await rejectsWithCode(s.auth.login({ email, password: WRONG, deviceName: null }, s.ctx), 'ACCOUNT_LOCKED');
    seen.push(err.retryAfterSeconds!);
    s.clock.advance(err.retryAfterSeconds!);
  }
  assert.deepEqual(seen, [900, 1800, 3600, 7200, 14400, 28800, 57600, 86400, 86400]);
  assert.equal(s.lockout.lockDuration(1000), 86400, 'no overflow for huge lock counts');
  assert.equal(s.lockout.lockDuration(0), 900);
});

test('when a login succeeds after some failures, then the failure count starts again from zero', async () => {
  const { s, user, email } = await setup();
  await failTimes(s, email, 4);
  await s.login(email);
  assert.equal((await s.userRow(user.id)).failedLoginCount, 0);
  await failTimes(s, email, 4);
  const pair = await s.login(email); // 4 + 4 failures with a success between: no lock
  assert.ok(pair.accessToken);
});

test('when a successful login follows an expired lock, then the next lock is back to the first length', async () => {
  const { s, email } = await setup();
  await failTimes(s, email, 5);
  s.clock.advance(900);
  await s.login(email);
  await failTimes(s, email, 5);
  const err = await rejectsWithCode(s.auth.login({ email, password: WRONG, deviceName: null }, s.ctx), 'ACCOUNT_LOCKED');
  assert.equal(err.retryAfterSeconds, 900);
});

test('when LOGIN_MAX_FAILURES and LOGIN_LOCK_SECONDS are configured, then they are honoured', async () => {
  const { s, email } = await setup({ lockout: { maxFailures: 2, lockSeconds: 60 } });
  await failTimes(s, email, 2);
  const err = await rejectsWithCode(s.auth.login({ email, password: TEST_PASSWORD, deviceName: null }, s.ctx), 'ACCOUNT_LOCKED');
  assert.equal(err.retryAfterSeconds, 60);
});

test('when failures target an unknown email, then they fail like wrong passwords and lock no one', async () => {
  const { s, user, email } = await setup();
  for (let i = 0; i < 6; i++) {
    await rejectsWithCode(s.auth.login({ email: 'nobody@example.test', password: WRONG, deviceName: null }, s.ctx), 'INVALID_CREDENTIALS');
  }
  assert.equal((await s.userRow(user.id)).failedLoginCount, 0);
  assert.ok((await s.login(email)).accessToken);
});

test('when a burst of parallel guesses locks the account, then a right password finishing afterwards is refused too', async () => {
  const { s, user, email } = await setup();
  // 10 wrong guesses and the right one last, all read the account before any failure is recorded.
  const guesses = [...Array.from({ length: 10 }, (_, i) => `${WRONG} ${i}`), TEST_PASSWORD];
  const results = await Promise.allSettled(guesses.map((password) => s.auth.login({ email, password, deviceName: null }, s.ctx)));
  const last = results.at(-1)!;
  assert.equal(last.status, 'rejected', 'the right guess must not open a session once the account is locked');
  assert.equal((last).reason.code, 'ACCOUNT_LOCKED');
  assert.equal((await s.sessions.listActive(user.id)).length, 0);
  assert.ok((await s.userRow(user.id)).lockedUntil! > s.clock.now());
});
