// Housekeeping purges rows nobody can use any more once their retention period (config.retention) has
// passed: ended sessions and expired MFA challenges, expired trusted devices, used or expired mailed tokens,
// sent and given-up mail. Live rows, and rows still inside their retention, stay.
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { bearer, registerAndLogin, useTestApp } from '../helpers/app';

describe('housekeeping', () => {
  const app = useTestApp();

  it('when a session ended more than 7 days ago, then it and its rotated-token history are purged, and live sessions stay', async () => {
    const ended = await registerAndLogin(app);
    await app.http.post('/api/auth/refresh').send({ refreshToken: ended.refreshToken }).expect(200);
    const endedLogin = await app.http.post('/api/auth/login').send({ email: ended.email, password: ended.password });
    await app.http.post('/api/auth/logout').set(bearer(endedLogin.body.accessToken)).expect(204);

    assert.deepEqual(await app.container.housekeeping.runOnce(), { sessions: 0, mfaChallenges: 0, webauthnChallenges: 0, trustedDevices: 0, accountTokens: 0, sentMail: 0, failedMail: 0, backchannelLogouts: 0 });
    app.clock.advance(8 * 86_400);
    // The first session is live (idle TTL 14 days, refreshed); only the logged-out one is purged.
    const purged = await app.container.housekeeping.runOnce();
    assert.equal(purged.sessions, 1);

    const db = new pg.Client({ connectionString: app.database.url });
    await db.connect();
    try {
      const { rows } = await db.query('SELECT "id" FROM "Session"');
      assert.deepEqual(rows.map((r) => r.id), [ended.sessionId]);
      const history = await db.query('SELECT count(*)::int AS n FROM "RotatedRefreshToken" WHERE "sessionId" = $1', [ended.sessionId]);
      assert.equal(history.rows[0].n, 1);
      const events = await db.query(`SELECT count(*)::int AS n FROM "AuditEvent" WHERE "type" = 'logout'`);
      assert.equal(events.rows[0].n, 1, 'audit history is kept');
    } finally {
      await db.end();
    }
  });
});

describe('housekeeping retention settings', () => {
  let db: pg.Client;
  // Before useTestApp: after hooks run in registration order, and the client must end before the database goes.
  after(async () => {
    await db?.end();
  });
  // A different number of days per kind, so each row proves its own setting is the one applied.
  const app = useTestApp({
    env: { TRUSTED_DEVICE_RETENTION_DAYS: '2', ACCOUNT_TOKEN_RETENTION_DAYS: '3', MAIL_SENT_RETENTION_DAYS: '4', MAIL_FAILED_RETENTION_DAYS: '5' },
  });
  before(async () => {
    db = new pg.Client({ connectionString: app.database.url });
    await db.connect();
  });

  const DAY = 86_400_000;
  /** `days` days before (negative: after) the app's clock. */
  const ago = (days: number) => new Date(app.clock.now().getTime() - days * DAY);
  const labels = async (sql: string) => (await db.query(sql)).rows.map((r) => r.label as string).sort();

  it('when trusted devices, mailed tokens and mail are past their retention, then they are deleted, and live or recent ones stay', async () => {
    const { userId } = await registerAndLogin(app);
    // Registration queued a verification mail and token: start from tables holding only this test's rows.
    await db.query('DELETE FROM "OutgoingMail"');
    await db.query('DELETE FROM "AccountToken"');

    const device = (label: string, expiresAt: Date) =>
      db.query('INSERT INTO "TrustedDevice" ("id", "userId", "tokenHash", "deviceName", "expiresAt") VALUES ($1, $2, $3, $4, $5)', [randomUUID(), userId, randomUUID(), label, expiresAt]);
    await device('live', ago(-10));
    await device('expired 1 day ago', ago(1));
    await device('expired 3 days ago', ago(3));

    const token = (label: string, purpose: string, expiresAt: Date, usedAt: Date | null) =>
      db.query('INSERT INTO "AccountToken" ("id", "userId", "purpose", "tokenHash", "subject", "expiresAt", "usedAt") VALUES ($1, $2, $3, $4, $5, $6, $7)', [randomUUID(), userId, purpose, randomUUID(), label, expiresAt, usedAt]);
    await token('unused, live', 'password_reset', ago(-1), null);
    await token('unused, expired 2 days ago', 'email_verification', ago(2), null);
    await token('unused, expired 4 days ago', 'password_reset', ago(4), null);
    await token('used 2 days ago', 'sign_in_report', ago(-5), ago(2));
    await token('used 4 days ago, link not yet expired', 'sign_in_report', ago(-3), ago(4));

    // The label is the recipient: the app's mail relay runs meanwhile and writes attempts and errors. The
    // waiting mail's next attempt is weeks away (a long outage), so the relay leaves it alone.
    const mail = (label: string, sentAt: Date | null, failedAt: Date | null, createdAt = ago(0)) =>
      db.query('INSERT INTO "OutgoingMail" ("id", "template", "recipient", "userId", "sentAt", "failedAt", "createdAt", "nextAttemptAt", "attempts", "payload") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)', [
        randomUUID(), 'password_changed', label, userId, sentAt, failedAt, createdAt, ago(-30), 12, sentAt || failedAt ? null : 'ciphertext',
      ]);
    await mail('waiting for 60 days', null, null, ago(60));
    await mail('sent 3 days ago', ago(3), null);
    await mail('sent 5 days ago', ago(5), null);
    await mail('given up 4 days ago', null, ago(4));
    await mail('given up 6 days ago', null, ago(6));

    const purged = await app.container.housekeeping.runOnce();
    assert.deepEqual(purged, { sessions: 0, mfaChallenges: 0, webauthnChallenges: 0, trustedDevices: 1, accountTokens: 2, sentMail: 1, failedMail: 1, backchannelLogouts: 0 });

    assert.deepEqual(await labels('SELECT "deviceName" AS label FROM "TrustedDevice"'), ['expired 1 day ago', 'live']);
    assert.deepEqual(await labels('SELECT "subject" AS label FROM "AccountToken"'), ['unused, expired 2 days ago', 'unused, live', 'used 2 days ago']);
    assert.deepEqual(await labels('SELECT "recipient" AS label FROM "OutgoingMail"'), ['given up 4 days ago', 'sent 3 days ago', 'waiting for 60 days']);

    // A second pass finds nothing more; a day later the next ones are due.
    assert.deepEqual(Object.values(await app.container.housekeeping.runOnce()), [0, 0, 0, 0, 0, 0, 0, 0]);
    app.clock.advance(2 * 86_400);
    assert.deepEqual(await app.container.housekeeping.runOnce(), { sessions: 0, mfaChallenges: 0, webauthnChallenges: 0, trustedDevices: 1, accountTokens: 2, sentMail: 1, failedMail: 1, backchannelLogouts: 0 });
    assert.deepEqual(await labels('SELECT "deviceName" AS label FROM "TrustedDevice"'), ['live']);
    assert.deepEqual(await labels('SELECT "subject" AS label FROM "AccountToken"'), ['unused, live']);
    assert.deepEqual(await labels('SELECT "recipient" AS label FROM "OutgoingMail"'), ['waiting for 60 days'], 'mail that has not gone out is never purged');
  });
});
