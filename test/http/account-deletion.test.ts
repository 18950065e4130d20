// Leaving: POST /api/user/delete-account. Password (and a code while 2FA is on) required; every session
// ends at once; the account becomes an anonymised tombstone whose email can register again; IP and user
// agent leave the audit rows and sessions; a user.deleted row goes to the outbox (USER_DELETED).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { generateTotpCode } from '../../backend/src/infrastructure/two-factor/totp';
import { catalogueEvents } from '../../backend/src/domain/event-catalogue';
import { bearer, freshTotpStep, registerAndLogin, TEST_PASSWORD, useTestApp } from '../helpers/app';

describe('account deletion', () => {
  let db: pg.Client;
  // Registered before useTestApp: after hooks run in registration order, and the client must end before
  // the fixture drops the database.
  after(async () => {
    await db?.end();
  });
  const app = useTestApp({ env: { LOGIN_MAX_FAILURES: '3' } });
  before(async () => {
    db = new pg.Client({ connectionString: app.database.url });
    await db.connect();
  });

  const del = (token: string, body: object) => app.http.post('/api/user/delete-account').set(bearer(token)).send(body);

  it('when the user deletes the account with the password, then every session ends, the data is anonymised and the email is free', async () => {
    const s = await registerAndLogin(app);
    const phone = await app.http.post('/api/auth/login').set('User-Agent', 'PhoneApp/1.0').set('X-Forwarded-For', '203.0.113.9').send({ email: s.email, password: s.password, deviceName: 'Phone' });
    await app.http.patch(`/api/user/sessions/${phone.body.sessionId}`).set(bearer(s.accessToken)).send({ name: 'My phone' });

    const res = await del(s.accessToken, { password: s.password });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body, { deleted: true, revokedSessions: 2 });

    // At once, on this instance: both access tokens and both refresh tokens are dead.
    for (const token of [s.accessToken, phone.body.accessToken]) {
      const me = await app.http.get('/api/user/me').set(bearer(token));
      assert.equal(me.status, 401);
      assert.equal(me.body.error.code, 'SESSION_TERMINATED');
    }
    assert.equal((await app.http.post('/api/auth/refresh').send({ refreshToken: phone.body.refreshToken })).status, 401);
    assert.equal((await app.http.post('/api/auth/login').send({ email: s.email, password: s.password })).body.error.code, 'INVALID_CREDENTIALS');

    const user = (await db.query('SELECT * FROM "User" WHERE id = $1', [s.userId])).rows[0];
    assert.ok(user.deletedAt instanceof Date);
    assert.equal(user.email, `deleted-${s.userId}@deleted.invalid`);
    assert.equal(user.username, null);
    assert.equal(user.passwordHash, '');
    assert.equal(user.status, 'disabled');
    assert.equal(user.totpSecretEncrypted, null);

    const sessions = (await db.query('SELECT * FROM "Session" WHERE "userId" = $1', [s.userId])).rows;
    assert.equal(sessions.length, 2);
    for (const row of sessions) {
      assert.equal(row.revokedReason, 'account_deleted');
      for (const col of ['userAgent', 'ipAddress', 'lastSeenIp', 'deviceName', 'name', 'browser', 'os', 'deviceType']) assert.equal(row[col], null, `Session.${col}`);
    }
    const audit = (await db.query('SELECT * FROM "AuditEvent" WHERE "userId" = $1 ORDER BY "createdAt"', [s.userId])).rows;
    assert.ok(audit.length >= 4, 'the rows stay');
    for (const row of audit) {
      assert.equal(row.ipAddress, null, `${row.type} keeps no IP`);
      assert.equal(row.userAgent, null, `${row.type} keeps no user agent`);
      assert.doesNotMatch(JSON.stringify(row.metadata), new RegExp(s.email.replace(/[.]/g, '\\.')));
    }
    const revoked = audit.find((r) => r.type === 'session.revoked');
    assert.equal(revoked?.metadata.reason, 'account_deleted');
    const deleted = audit.find((r) => r.type === 'user.deleted');
    assert.ok(deleted, 'a user.deleted row');
    assert.equal(deleted.publishedAt, null, 'waiting in the outbox');
    const [event] = catalogueEvents({ ...deleted, user: null });
    assert.equal(event?.type, 'USER_DELETED');
    assert.equal(event?.userId, s.userId);
    assert.deepEqual([...(event?.data.revokedSessionIds as string[])].sort(), [s.sessionId, phone.body.sessionId].sort());
    assert.equal((await db.query('SELECT count(*)::int AS n FROM "BackupCode" WHERE "userId" = $1', [s.userId])).rows[0].n, 0);

    // The address registers again, as a new account.
    const again = await app.http.post('/api/auth/register').send({ email: s.email.toUpperCase(), password: TEST_PASSWORD });
    assert.equal(again.status, 201, JSON.stringify(again.body));
    assert.notEqual(again.body.user.id, s.userId);
    assert.equal((await app.http.post('/api/auth/login').send({ email: s.email, password: TEST_PASSWORD })).status, 200);
  });

  it('when an admin searches users, then deleted accounts are not listed', async () => {
    const s = await registerAndLogin(app);
    assert.equal((await del(s.accessToken, { password: s.password })).status, 200);
    const rows = (await db.query(`SELECT count(*)::int AS n FROM "User" WHERE email LIKE 'deleted-%' AND "deletedAt" IS NOT NULL`)).rows[0];
    assert.ok(rows.n >= 1);
    // The domain's search (admin "find a user") leaves tombstones out, even by their id.
    const found = await app.container.services.users.findUsers(s.userId);
    assert.deepEqual(found, []);
    assert.deepEqual(await app.container.services.users.findUsers('deleted.invalid'), []);
  });

  it('when the password is wrong, then 401, nothing is deleted, and the failures count toward the lockout', async () => {
    const s = await registerAndLogin(app);
    const wrong = await del(s.accessToken, { password: 'not the password' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error.code, 'INVALID_CREDENTIALS');
    assert.equal((await app.http.get('/api/user/me').set(bearer(s.accessToken))).status, 200);
    await del(s.accessToken, { password: 'still wrong' });
    await del(s.accessToken, { password: 'wrong again' });
    const locked = await del(s.accessToken, { password: s.password });
    assert.equal(locked.status, 423);
    assert.equal(locked.body.error.code, 'ACCOUNT_LOCKED');
    assert.match(String(locked.headers['retry-after']), /^\d+$/);
    const failed = (await db.query(`SELECT metadata FROM "AuditEvent" WHERE "userId" = $1 AND type = 'reauth.failed'`, [s.userId])).rows;
    assert.ok(failed.every((r) => r.metadata.context === 'delete_account') && failed.length === 3);
  });

  it('when 2FA is on, then a code is required, a wrong one is refused, and a backup code deletes the account and forgets its trusted devices', async () => {
    const s = await registerAndLogin(app);
    const enrol = await app.http.post('/api/user/2fa/enable').set(bearer(s.accessToken));
    const verify = await app.http.post('/api/user/2fa/verify').set(bearer(s.accessToken)).send({ code: generateTotpCode(enrol.body.secret, app.clock.now()) });
    assert.equal(verify.status, 200);
    const step1 = await app.http.post('/api/auth/login').set('X-Forwarded-For', '203.0.113.9').send({ email: s.email, password: s.password });
    const step2 = await app.http.post('/api/auth/login/2fa').send({ mfaToken: step1.body.mfaToken, code: generateTotpCode(enrol.body.secret, freshTotpStep(app)), rememberDevice: true });
    assert.equal(typeof step2.body.trustedDeviceToken, 'string', JSON.stringify(step2.body));

    const missing = await del(s.accessToken, { password: s.password });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error.code, 'VALIDATION_ERROR');
    assert.ok(missing.body.error.details.some((d: { field: string }) => d.field === 'code'));
    const wrong = await del(s.accessToken, { password: s.password, code: '000000' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error.code, 'MFA_INVALID_CODE');

    const ok = await del(s.accessToken, { password: s.password, code: verify.body.backupCodes[0] });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal((await app.http.get('/api/user/me').set(bearer(s.accessToken))).body.error.code, 'SESSION_TERMINATED');
    const deleted = (await db.query(`SELECT metadata FROM "AuditEvent" WHERE "userId" = $1 AND type = 'user.deleted'`, [s.userId])).rows[0];
    assert.equal(deleted.metadata.method, 'backup_code');
    assert.equal((await db.query('SELECT count(*)::int AS n FROM "TrustedDevice" WHERE "userId" = $1', [s.userId])).rows[0].n, 0, 'the trusted device (IP, device) is gone');
  });

  it('when the body is malformed or the token missing, then a clear 4xx', async () => {
    const s = await registerAndLogin(app);
    assert.equal((await del(s.accessToken, {})).body.error.code, 'VALIDATION_ERROR');
    assert.equal((await del(s.accessToken, { password: 42 })).body.error.code, 'VALIDATION_ERROR');
    assert.equal((await del(s.accessToken, { password: 'x', code: 123456 })).body.error.code, 'VALIDATION_ERROR');
    const anonymous = await app.http.post('/api/user/delete-account').send({ password: 'x' });
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body.error.code, 'UNAUTHENTICATED');
    assert.equal((await app.http.get('/api/user/me').set(bearer(s.accessToken))).status, 200);
  });
});
