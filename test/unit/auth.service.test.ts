import test, { describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { buildServices, TEST_PASSWORD, rejectsWithCode, throwsWithCode } from '../fakes/services';

const DAY = 24 * 60 * 60;

describe('register', () => {
  test('when registration is open, then the user is active, a plain user, with a lower-cased email and a bcrypt hash', async () => {
    const s = buildServices();
    const user = await s.auth.register({ email: '  Alice.Smith@Example.COM ', password: TEST_PASSWORD, username: 'alice' }, s.ctx);
    assert.equal(user.status, 'active');
    assert.equal(user.role, 'user');
    assert.equal(user.email, 'alice.smith@example.com');
    assert.equal(user.username, 'alice');
    assert.match(user.passwordHash, /^\$2b\$04\$/);
    assert.ok(!user.passwordHash.includes(TEST_PASSWORD));
    const stored = await s.uow.direct.users.findByEmail('alice.smith@example.com');
    assert.equal(stored?.id, user.id);
    const events = s.db.auditEvents();
    assert.deepEqual(events.map((e) => [e.type, e.userId]), [['user.registered', user.id]]);
  });

  test('when registration needs approval, then the user is pending', async () => {
    const s = buildServices({ accounts: { registrationMode: 'approval' } });
    const user = await s.auth.register({ email: 'bob@example.test', password: TEST_PASSWORD, username: null }, s.ctx);
    assert.equal(user.status, 'pending');
    assert.deepEqual((await s.users.listRegistrations('pending')).map((u) => u.id), [user.id]);
  });

  test('when the email exists in another case, then EMAIL_TAKEN and nothing new is stored', async () => {
    const s = buildServices();
    await s.auth.register({ email: 'carol@example.test', password: TEST_PASSWORD, username: null }, s.ctx);
    await rejectsWithCode(s.auth.register({ email: 'CAROL@Example.Test', password: 'another fine passphrase', username: null }, s.ctx), 'EMAIL_TAKEN');
    assert.equal(s.db.tables.users.size, 1);
    assert.equal(s.db.auditEvents().length, 1);
  });

  test('when the password is weak, common, short or too long, then VALIDATION_ERROR on the password field', async () => {
    const s = buildServices();
    const cases = {
      common: 'password1',
      commonUpper: 'Password123',
      short: 'aB3$xyz',
      tooLong: 'aB3$xyz9'.repeat(16) + 'k', // 129 code points
      tooLongEmoji: '🔑'.repeat(129),
    };
    for (const [name, password] of Object.entries(cases)) {
      const err = await rejectsWithCode(s.auth.register({ email: `${name}@example.test`, password, username: null }, s.ctx), 'VALIDATION_ERROR');
      assert.equal(err.details?.[0]?.field, 'password', name);
    }
    assert.equal(s.db.tables.users.size, 0);
  });

  test('when the password is 128 emoji (512 UTF-8 bytes), then it is accepted and logs in', async () => {
    const s = buildServices();
    const password = '🔑'.repeat(128);
    assert.equal(Buffer.byteLength(password), 512);
    await s.auth.register({ email: 'emoji@example.test', password, username: null }, s.ctx);
    const pair = await s.login('emoji@example.test', password);
    assert.ok(pair.accessToken);
    await rejectsWithCode(s.auth.login({ email: 'emoji@example.test', password: '🔑'.repeat(127) + '🔒', deviceName: null }, s.ctx), 'INVALID_CREDENTIALS');
  });

  test('when two long passwords differ only after byte 72, then they are not interchangeable (no bcrypt truncation)', async () => {
    const s = buildServices();
    const prefix = 'my very long passphrase that goes on and on well beyond the bcrypt limit'; // 72 bytes
    assert.equal(Buffer.byteLength(prefix), 72);
    const real = `${prefix} ending one`;
    const other = `${prefix} ending two`;
    const { user } = await s.registerUser('long@example.test', real);
    assert.equal(await s.hasher.verify(other, user.passwordHash), false);
    await rejectsWithCode(s.auth.login({ email: 'long@example.test', password: other, deviceName: null }, s.ctx), 'INVALID_CREDENTIALS');
    assert.ok((await s.login('long@example.test', real)).accessToken);
  });
});

describe('login', () => {
  test('when the password is right, then a bearer token pair for a new session is returned', async () => {
    const s = buildServices();
    const { user, email } = await s.registerUser('dave@example.test');
    const pair = await s.login('DAVE@example.test', TEST_PASSWORD, s.ctx, 'Laptop');
    assert.equal(pair.tokenType, 'Bearer');
    assert.equal(pair.expiresIn, 900);
    assert.equal(pair.user.id, user.id);
    assert.match(pair.refreshToken, /^[A-Za-z0-9_-]{43}$/);
    const claims = s.auth.authenticate(pair.accessToken);
    assert.deepEqual([claims.sub, claims.sid, claims.role, claims.aal, claims.email], [user.id, pair.sessionId, 'user', 1, email]);
    const session = s.db.tables.sessions.get(pair.sessionId)!;
    assert.equal(session.userId, user.id);
    assert.equal(session.deviceName, 'Laptop');
    assert.equal(session.refreshTokenHash, createHash('sha256').update(pair.refreshToken).digest('hex'), 'only the hash is stored');
    assert.equal(session.expiresAt.getTime(), s.clock.now().getTime() + s.settings.sessions.refreshTokenTtl * 1000);
    assert.equal(session.idleExpiresAt.getTime(), s.clock.now().getTime() + s.settings.sessions.idleTtl * 1000);
    assert.ok(s.db.auditEvents().some((e) => e.type === 'login.succeeded' && e.metadata.sessionId === pair.sessionId));
  });

  test('when the email is unknown or the password wrong, then the same INVALID_CREDENTIALS comes back', async () => {
    const s = buildServices();
    const { email } = await s.registerUser('erin@example.test');
    const unknown = await rejectsWithCode(s.auth.login({ email: 'nobody@example.test', password: TEST_PASSWORD, deviceName: null }, s.ctx), 'INVALID_CREDENTIALS');
    const wrong = await rejectsWithCode(s.auth.login({ email, password: 'not the right one!', deviceName: null }, s.ctx), 'INVALID_CREDENTIALS');
    assert.equal(unknown.message, wrong.message);
    assert.deepEqual(unknown.details, wrong.details);
    assert.equal(s.db.tables.sessions.size, 0);
  });

  test('when the email is unknown, then one dummy bcrypt compare runs (deterministic; the HTTP timing test is only a sanity check)', async (t) => {
    const s = buildServices();
    const { email } = await s.registerUser('frank@example.test');
    const dummy = t.mock.method(s.hasher, 'verifyDummy');
    const real = t.mock.method(s.hasher, 'verify');
    await rejectsWithCode(s.auth.login({ email: 'nobody@example.test', password: 'a guess for nobody', deviceName: null }, s.ctx), 'INVALID_CREDENTIALS');
    assert.equal(dummy.mock.callCount(), 1);
    assert.equal(dummy.mock.calls[0].arguments[0], 'a guess for nobody');
    assert.equal(await dummy.mock.calls[0].result, false);
    assert.equal(real.mock.callCount(), 0);
    // A known email pays for its own compare instead, never a second one.
    await rejectsWithCode(s.auth.login({ email, password: 'not the right one!', deviceName: null }, s.ctx), 'INVALID_CREDENTIALS');
    assert.equal(dummy.mock.callCount(), 1);
    assert.equal(real.mock.callCount(), 1);
  });

  test('when the account is pending, then ACCOUNT_PENDING, but only after the right password', async () => {
    const s = buildServices({ accounts: { registrationMode: 'approval' } });
    const { email } = await s.registerUser('frank@example.test');
    await rejectsWithCode(s.auth.login({ email, password: 'not the right one!', deviceName: null }, s.ctx), 'INVALID_CREDENTIALS');
    await rejectsWithCode(s.auth.login({ email, password: TEST_PASSWORD, deviceName: null }, s.ctx), 'ACCOUNT_PENDING');
    assert.equal(s.db.tables.sessions.size, 0);
  });

  test('when the account is disabled (registration rejected), then ACCOUNT_DISABLED, but only after the right password', async () => {
    const s = buildServices({ accounts: { registrationMode: 'approval' } });
    const { user, email } = await s.registerUser('gina@example.test');
    await s.users.rejectRegistration('00000000-0000-4000-8000-000000000000', user.id, s.ctx);
    await rejectsWithCode(s.auth.login({ email, password: 'not the right one!', deviceName: null }, s.ctx), 'INVALID_CREDENTIALS');
    await rejectsWithCode(s.auth.login({ email, password: TEST_PASSWORD, deviceName: null }, s.ctx), 'ACCOUNT_DISABLED');
    assert.equal(s.db.tables.sessions.size, 0);
  });

  test('when a pending registration is approved, then the user can log in', async () => {
    const s = buildServices({ accounts: { registrationMode: 'approval' } });
    const { user, email } = await s.registerUser('hank@example.test');
    await s.users.approveRegistration('00000000-0000-4000-8000-000000000000', user.id, s.ctx);
    assert.equal((await s.login(email)).user.status, 'active');
  });
});

describe('refresh', () => {
  test('when a refresh token is used, then a new pair for the same session comes back and lastActiveAt moves', async () => {
    const s = buildServices();
    const { email } = await s.registerUser();
    const first = await s.login(email);
    s.clock.advance(3600);
    const second = await s.auth.refresh(first.refreshToken, s.ctx);
    assert.equal(second.sessionId, first.sessionId);
    assert.notEqual(second.refreshToken, first.refreshToken);
    assert.notEqual(second.accessToken, first.accessToken);
    assert.equal(s.auth.authenticate(second.accessToken).sid, first.sessionId);
    const session = s.db.tables.sessions.get(first.sessionId)!;
    assert.equal(session.lastActiveAt.getTime(), s.clock.now().getTime());
    assert.equal(session.idleExpiresAt.getTime(), s.clock.now().getTime() + s.settings.sessions.idleTtl * 1000);
    // The chain continues with the newest token.
    const third = await s.auth.refresh(second.refreshToken, s.ctx);
    assert.equal(third.sessionId, first.sessionId);
  });

  test('when an already-rotated refresh token is presented, then REFRESH_TOKEN_REUSED and the whole session is revoked', async () => {
    const s = buildServices();
    const { email, user } = await s.registerUser();
    const first = await s.login(email);
    const second = await s.auth.refresh(first.refreshToken, s.ctx);
    // Past the grace window (REFRESH_REUSE_GRACE_SECONDS) the previous token is plain reuse.
    s.clock.advanceMs((s.settings.tokens.refreshReuseGraceSeconds + 1) * 1000);
    await rejectsWithCode(s.auth.refresh(first.refreshToken, s.ctx), 'REFRESH_TOKEN_REUSED');
    const session = s.db.tables.sessions.get(first.sessionId)!;
    assert.equal(session.revokedReason, 'refresh_token_reused');
    // Both the thief's and the owner's tokens of that session are dead.
    throwsWithCode(() => s.auth.authenticate(second.accessToken), 'SESSION_TERMINATED');
    throwsWithCode(() => s.auth.authenticate(first.accessToken), 'SESSION_TERMINATED');
    await rejectsWithCode(s.auth.refresh(second.refreshToken, s.ctx), 'INVALID_REFRESH_TOKEN');
    const reused = s.db.auditEvents().filter((e) => e.type === 'refresh_token.reused');
    assert.equal(reused.length, 1);
    assert.equal(reused[0].userId, user.id);
    // Presenting the old token again still says reuse, without a second revocation.
    await rejectsWithCode(s.auth.refresh(first.refreshToken, s.ctx), 'REFRESH_TOKEN_REUSED');
    assert.equal(s.db.auditEvents().filter((e) => e.type === 'refresh_token.reused').length, 1);
  });

  test('when a token rotated several refreshes ago is presented, then it is still reuse and the session is revoked', async () => {
    const s = buildServices();
    const { email } = await s.registerUser();
    const stolen = await s.login(email);
    const b = await s.auth.refresh(stolen.refreshToken, s.ctx);
    const c = await s.auth.refresh(b.refreshToken, s.ctx);
    await rejectsWithCode(s.auth.refresh(stolen.refreshToken, s.ctx), 'REFRESH_TOKEN_REUSED');
    throwsWithCode(() => s.auth.authenticate(c.accessToken), 'SESSION_TERMINATED');
    await rejectsWithCode(s.auth.refresh(c.refreshToken, s.ctx), 'INVALID_REFRESH_TOKEN');
  });

  test('when reuse is detected on one session, then the other sessions of the user are untouched', async () => {
    const s = buildServices();
    const { email } = await s.registerUser();
    const stolen = await s.login(email);
    const other = await s.login(email);
    await s.auth.refresh(stolen.refreshToken, s.ctx);
    s.clock.advanceMs((s.settings.tokens.refreshReuseGraceSeconds + 1) * 1000);
    await rejectsWithCode(s.auth.refresh(stolen.refreshToken, s.ctx), 'REFRESH_TOKEN_REUSED');
    assert.equal(s.auth.authenticate(other.accessToken).sid, other.sessionId);
    assert.ok(await s.auth.refresh(other.refreshToken, s.ctx));
  });

  test('when the refresh token is unknown, then INVALID_REFRESH_TOKEN', async () => {
    const s = buildServices();
    await rejectsWithCode(s.auth.refresh('x'.repeat(43), s.ctx), 'INVALID_REFRESH_TOKEN');
    await rejectsWithCode(s.auth.refresh('', s.ctx), 'INVALID_REFRESH_TOKEN');
  });

  test('when two refreshes with the same token race, then one rotation happens and both get its successor', async () => {
    const s = buildServices();
    const { email } = await s.registerUser();
    const pair = await s.login(email);
    const [a, b] = await Promise.all([s.auth.refresh(pair.refreshToken, s.ctx), s.auth.refresh(pair.refreshToken, s.ctx)]);
    assert.equal(a.refreshToken, b.refreshToken);
    assert.equal(s.db.tables.sessions.get(pair.sessionId)!.previousRefreshTokenHash, s.tokens.hashToken(pair.refreshToken));
    assert.equal(s.auth.authenticate(b.accessToken).sid, pair.sessionId);
  });

  test('when the grace window is 0 and two refreshes with the same token race, then exactly one succeeds', async () => {
    const s = buildServices({ tokens: { refreshReuseGraceSeconds: 0 } });
    const { email } = await s.registerUser();
    const pair = await s.login(email);
    const results = await Promise.allSettled([s.auth.refresh(pair.refreshToken, s.ctx), s.auth.refresh(pair.refreshToken, s.ctx)]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(ok.length, 1);
    assert.equal(failed.length, 1);
    assert.equal((failed[0].reason as { code?: string }).code, 'REFRESH_TOKEN_REUSED');
  });

  test('when many refreshes with the same token race at the repository, then exactly one rotation wins', async () => {
    const s = buildServices();
    const { email } = await s.registerUser();
    const pair = await s.login(email);
    const oldHash = s.tokens.hashToken(pair.refreshToken);
    const now = s.clock.now();
    const idle = s.sessions.idleDeadline(now);
    const rotated = await Promise.all(
      Array.from({ length: 5 }, (_, i) => s.uow.direct.sessions.rotate(oldHash, s.tokens.hashToken(`next-${i}`), now, idle)),
    );
    assert.equal(rotated.filter((r) => r !== null).length, 1);
  });

  test('when the session has been idle longer than SESSION_IDLE_TTL, then INVALID_REFRESH_TOKEN', async () => {
    const s = buildServices();
    const { email } = await s.registerUser();
    const a = await s.login(email);
    const b = await s.login(email);
    s.clock.advance(s.settings.sessions.idleTtl - 1);
    assert.ok(await s.auth.refresh(a.refreshToken, s.ctx), 'one second before the idle deadline it still works');
    s.clock.advance(1);
    await rejectsWithCode(s.auth.refresh(b.refreshToken, s.ctx), 'INVALID_REFRESH_TOKEN');
  });

  test('when the absolute lifetime is over, then INVALID_REFRESH_TOKEN even for a session in constant use', async () => {
    const s = buildServices();
    const { email } = await s.registerUser();
    let pair = await s.login(email);
    const expiresAt = s.db.tables.sessions.get(pair.sessionId)!.expiresAt.getTime();
    s.clock.advance(13 * DAY);
    pair = await s.auth.refresh(pair.refreshToken, s.ctx);
    s.clock.advance(13 * DAY);
    pair = await s.auth.refresh(pair.refreshToken, s.ctx);
    const session = s.db.tables.sessions.get(pair.sessionId)!;
    assert.ok(session.idleExpiresAt.getTime() <= expiresAt, 'the idle deadline never outlives the absolute expiry');
    s.clock.set(expiresAt);
    await rejectsWithCode(s.auth.refresh(pair.refreshToken, s.ctx), 'INVALID_REFRESH_TOKEN');
  });

  test('when the user was disabled after login, then refresh fails and the session is revoked', async () => {
    const s = buildServices();
    const { email, user } = await s.registerUser();
    const pair = await s.login(email);
    await s.uow.direct.users.setStatus(user.id, 'disabled');
    await rejectsWithCode(s.auth.refresh(pair.refreshToken, s.ctx), 'INVALID_REFRESH_TOKEN');
    throwsWithCode(() => s.auth.authenticate(pair.accessToken), 'SESSION_TERMINATED');
    assert.notEqual(s.db.tables.sessions.get(pair.sessionId)!.revokedAt, null);
  });
});

describe('logout', () => {
  test('when a user logs out, then that access token is SESSION_TERMINATED at once and its refresh token is dead', async () => {
    const s = buildServices();
    const { email } = await s.registerUser();
    const mine = await s.login(email);
    const other = await s.login(email);
    await s.auth.logout(s.auth.authenticate(mine.accessToken), s.ctx);
    throwsWithCode(() => s.auth.authenticate(mine.accessToken), 'SESSION_TERMINATED');
    await rejectsWithCode(s.auth.refresh(mine.refreshToken, s.ctx), 'INVALID_REFRESH_TOKEN');
    assert.equal(s.db.tables.sessions.get(mine.sessionId)!.revokedReason, 'logout');
    assert.equal(s.auth.authenticate(other.accessToken).sid, other.sessionId);
  });

  test('when a user logs out everywhere, then every session ends at once', async () => {
    const s = buildServices();
    const { email, user } = await s.registerUser();
    const pairs = [await s.login(email), await s.login(email), await s.login(email)];
    const n = await s.auth.logoutAll(s.auth.authenticate(pairs[0].accessToken), s.ctx);
    assert.equal(n, 3);
    for (const p of pairs) {
      throwsWithCode(() => s.auth.authenticate(p.accessToken), 'SESSION_TERMINATED');
      await rejectsWithCode(s.auth.refresh(p.refreshToken, s.ctx), 'INVALID_REFRESH_TOKEN');
    }
    assert.equal((await s.sessions.listActive(user.id)).length, 0);
  });
});

describe('changePassword', () => {
  const NEW_PASSWORD = 'a brand new passphrase';

  test('when the current password is wrong, then INVALID_CREDENTIALS and nothing changes', async () => {
    const s = buildServices();
    const { email, user } = await s.registerUser();
    const a = await s.login(email);
    const b = await s.login(email);
    const claims = s.auth.authenticate(a.accessToken);
    await rejectsWithCode(s.auth.changePassword(claims, { currentPassword: 'not my password', newPassword: NEW_PASSWORD }, s.ctx), 'INVALID_CREDENTIALS');
    assert.equal((await s.userRow(user.id)).passwordChangedAt, null);
    assert.equal(s.auth.authenticate(b.accessToken).sid, b.sessionId);
    assert.ok(await s.login(email));
  });

  test('when the new password equals the old one, then VALIDATION_ERROR on newPassword', async () => {
    const s = buildServices();
    const { email } = await s.registerUser();
    const claims = s.auth.authenticate((await s.login(email)).accessToken);
    const err = await rejectsWithCode(s.auth.changePassword(claims, { currentPassword: TEST_PASSWORD, newPassword: TEST_PASSWORD }, s.ctx), 'VALIDATION_ERROR');
    assert.equal(err.details?.[0]?.field, 'newPassword');
  });

  test('when the new password breaks the policy, then VALIDATION_ERROR on newPassword', async () => {
    const s = buildServices();
    const { email } = await s.registerUser();
    const claims = s.auth.authenticate((await s.login(email)).accessToken);
    for (const newPassword of ['password1', 'short', 'x'.repeat(129)]) {
      const err = await rejectsWithCode(s.auth.changePassword(claims, { currentPassword: TEST_PASSWORD, newPassword }, s.ctx), 'VALIDATION_ERROR');
      assert.equal(err.details?.[0]?.field, 'newPassword');
    }
  });

  test('when the password is changed, then the other sessions are revoked, the caller stays, and the count is returned', async () => {
    const s = buildServices();
    const { email, user } = await s.registerUser();
    const caller = await s.login(email);
    const others = [await s.login(email), await s.login(email)];
    s.clock.advance(5);
    const n = await s.auth.changePassword(s.auth.authenticate(caller.accessToken), { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD }, s.ctx);
    assert.equal(n, 2);
    for (const o of others) {
      throwsWithCode(() => s.auth.authenticate(o.accessToken), 'SESSION_TERMINATED');
      await rejectsWithCode(s.auth.refresh(o.refreshToken, s.ctx), 'INVALID_REFRESH_TOKEN');
      assert.equal(s.db.tables.sessions.get(o.sessionId)!.revokedReason, 'password_changed');
    }
    assert.equal(s.auth.authenticate(caller.accessToken).sid, caller.sessionId);
    assert.equal((await s.auth.refresh(caller.refreshToken, s.ctx)).sessionId, caller.sessionId);
    assert.equal((await s.userRow(user.id)).passwordChangedAt?.getTime(), s.clock.now().getTime());
    await rejectsWithCode(s.auth.login({ email, password: TEST_PASSWORD, deviceName: null }, s.ctx), 'INVALID_CREDENTIALS');
    assert.ok((await s.login(email, NEW_PASSWORD)).accessToken);
    assert.equal(s.db.auditEvents().filter((e) => e.type === 'password.changed').length, 1);
  });
});

describe('AuthService: access tokens never outlive their session', () => {
  test('when a session has less left than ACCESS_TOKEN_TTL, then the access token expires with the session', async () => {
    const s = buildServices({ sessions: { refreshTokenTtl: 1000 }, tokens: { accessTokenTtl: 900 } });
    const { email } = await s.registerUser();
    const first = await s.login(email);
    assert.equal(first.expiresIn, 900);
    s.clock.advance(400);
    const later = await s.auth.refresh(first.refreshToken, s.ctx);
    assert.equal(later.expiresIn, 600, 'capped at the 600 s the session has left');
    const claims = s.auth.authenticate(later.accessToken);
    assert.equal(claims.exp - claims.iat, 600);
  });

  test('when sessions have already expired, then logout-all and password change do not count them as revoked', async () => {
    const s = buildServices({ sessions: { idleTtl: 100 }, tokens: { accessTokenTtl: 60 } });
    const { email, password } = await s.registerUser();
    await s.login(email);
    s.clock.advance(101);
    const current = await s.login(email);
    const claims = s.auth.authenticate(current.accessToken);
    assert.equal(await s.auth.changePassword(claims, { currentPassword: password, newPassword: 'another-Plum-9-orbit' }, s.ctx), 0);
  });
});
