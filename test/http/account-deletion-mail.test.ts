// Issue 14: no mail goes to an address after its owner deleted the account. Mail about the account that is
// still waiting in the outbox (here: because the SMTP server is down) is deleted in the deletion's
// transaction; the product sends no deletion notice, so once the server is back the address gets nothing.
// The SMTP server is real (test/helpers/mailbox.ts), taken down and brought back on the same port.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { bearer, registerAndLogin, uniqueEmail, useTestApp } from '../helpers/app';
import { useMailbox } from '../helpers/mailbox';
import { waitFor } from '../helpers/wait';

const FIREFOX_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0';

describe('account deletion and queued mail', () => {
  let db: pg.Client;
  // Registered first: after hooks run in registration order, and the client must end before the database goes.
  after(async () => {
    await db?.end();
  });
  const mailbox = useMailbox();
  const app = useTestApp(() => ({ env: { SMTP_URL: mailbox.url } }));
  before(async () => {
    db = new pg.Client({ connectionString: app.database.url });
    await db.connect();
  });

  /** The account's mail not sent yet: template, recipient and how often sending failed. */
  const waiting = async (userId: string) =>
    (await db.query('SELECT "template", "recipient", "attempts" FROM "OutgoingMail" WHERE "userId" = $1 AND "sentAt" IS NULL ORDER BY "template"', [userId])).rows as {
      template: string;
      recipient: string;
      attempts: number;
    }[];

  it('when mail to an account is waiting for a dead SMTP server and the account is deleted, then none of it is sent once the server is back, while other accounts\' mail is', async () => {
    const leaving = await registerAndLogin(app);
    const staying = await registerAndLogin(app);
    // Mail sent before the outage stays sent: the registration's verification mail.
    await mailbox.next(leaving.email, /Confirm your email address/);
    await mailbox.next(staying.email, /Confirm your email address/);
    const newAddress = uniqueEmail('moving');

    await mailbox.stop();
    try {
      // While the server is down: a reset link, a new-device alert, and a change of address (a link to the new
      // address, a notice to the current one) for the leaving account; a reset link for another account.
      await app.http.post('/api/auth/password-reset').send({ email: leaving.email }).expect(202);
      await app.http.post('/api/auth/login').set('User-Agent', FIREFOX_MAC).send({ email: leaving.email, password: leaving.password }).expect(200);
      await app.http.post('/api/user/email').set(bearer(leaving.accessToken)).send({ password: leaving.password, newEmail: newAddress }).expect(202);
      await app.http.post('/api/auth/password-reset').send({ email: staying.email }).expect(202);

      // The relay has tried each of them and failed: they wait for a retry.
      const queued = await waitFor('four failed sends to the leaving account', () => waiting(leaving.userId), (rows) => rows.length === 4 && rows.every((r) => r.attempts >= 1));
      assert.deepEqual(
        queued.map((r) => [r.template, r.recipient]),
        [
          ['email_change_requested', leaving.email],
          ['new_device', leaving.email],
          ['password_reset', leaving.email],
          ['verify_email', newAddress],
        ],
      );
      await waitFor('a failed send to the other account', () => waiting(staying.userId), (rows) => rows.length === 1 && rows[0].attempts >= 1);

      const deleted = await app.http.post('/api/user/delete-account').set(bearer(leaving.accessToken)).send({ password: leaving.password });
      assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
      const left = await db.query('SELECT count(*)::int AS n FROM "OutgoingMail" WHERE "userId" = $1 OR "recipient" = ANY($2)', [leaving.userId, [leaving.email, newAddress]]);
      assert.equal(left.rows[0].n, 0, 'no outbox row about the account or naming its addresses is left');
    } finally {
      await mailbox.start();
    }

    // Make every retry due now (the first one waits MAIL_RETRY_SECONDS), and wait for the other account's mail.
    app.clock.advance(3600);
    const reset = await mailbox.next(staying.email, /Reset your/);
    assert.ok(reset.token('/reset-password'), 'the other account\'s mail went out after the outage');
    // Mail is sent oldest due first, and the leaving account's was queued before that one: had any survived,
    // it would have been sent in the same pass. A few more passes of the relay (every 150 ms here) to be sure.
    await waitFor('the outbox to be empty', async () => (await db.query('SELECT count(*)::int AS n FROM "OutgoingMail" WHERE "sentAt" IS NULL AND "failedAt" IS NULL')).rows[0].n, (n) => n === 0);
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.deepEqual(
      mailbox.to(leaving.email).map((m) => m.subject),
      ['Confirm your email address for Sessionary'],
      'only the mail sent before the deletion reached the old address',
    );
    assert.deepEqual(mailbox.to(newAddress), [], 'nothing reached the address the account was moving to');
  });
});
