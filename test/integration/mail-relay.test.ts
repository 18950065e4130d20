// Outgoing mail end to end below HTTP: queued in a transaction (OutgoingMail, encrypted), sent by the relay
// through nodemailer to a real SMTP server in this process, retried while that server is down.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MailSender } from '../../backend/src/domain/mail';
import { systemClock } from '../../backend/src/domain/ports';
import { AesGcmSecretCipher } from '../../backend/src/infrastructure/crypto/secret-box';
import { createLogger } from '../../backend/src/infrastructure/logger';
import { MailRelay } from '../../backend/src/infrastructure/mail/mail-relay';
import { NodemailerMailSender } from '../../backend/src/infrastructure/mail/nodemailer-sender';
import { createDatabaseClients, type PrismaClient } from '../../backend/src/infrastructure/prisma/client';
import { PrismaUnitOfWork } from '../../backend/src/infrastructure/prisma/unit-of-work';
import { MemoryTransport } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startMailbox, type Mailbox } from '../helpers/mailbox';
import { waitFor } from '../helpers/wait';

const templates = { productName: 'Acme Accounts', publicUrl: 'https://accounts.example.test/' };

describe('Mail outbox and relay', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  let uow: PrismaUnitOfWork;
  let mailbox: Mailbox;
  const cipher = new AesGcmSecretCipher(randomBytes(32));
  const logs = new MemoryTransport();
  const logger = createLogger('debug', [logs]);
  let n = 0;
  const address = () => `person${++n}.${randomBytes(3).toString('hex')}@example.test`;
  const queueReset = (to: string, token = randomBytes(16).toString('hex')) =>
    uow.run((r) => r.mail.enqueue({ template: 'password_reset', to, userId: randomUUID(), params: { token, expiresInMinutes: 30 } })).then(() => token);
  const relayTo = (smtpUrl: string | null, devDir = '') =>
    new MailRelay(prisma, new NodemailerMailSender({ smtpUrl, from: '"Acme Accounts" <no-reply@example.test>', devDir, logger }), cipher, systemClock, logger, {
      templates,
      retrySeconds: 0,
      maxAttempts: 3,
    });

  before(async () => {
    db = await createTestDatabase();
    prisma = createDatabaseClients(db.url).prisma;
    uow = new PrismaUnitOfWork(prisma, undefined, null, null, cipher);
    mailbox = await startMailbox();
  });
  after(async () => {
    await mailbox?.stop();
    await prisma?.$disconnect();
    await db?.drop();
  });

  it('when a mail is queued, then the relay sends it over SMTP with a plain-text and an HTML body and erases its payload', async () => {
    const to = address();
    const token = await queueReset(to);
    const row = await prisma.outgoingMail.findFirstOrThrow({ where: { recipient: to } });
    assert.ok(row.payload && !row.payload.includes(token), 'the token is not stored in clear');

    assert.deepEqual(await relayTo(mailbox.url).flush(), { sent: 1, failed: 0 });
    const mail = await mailbox.next(to);
    assert.equal(mail.subject, 'Reset your Acme Accounts password');
    assert.match(mail.from, /Acme Accounts/);
    assert.equal(mail.link('/reset-password'), `https://accounts.example.test/reset-password#token=${token}`);
    assert.match(mail.html, new RegExp(`href="https://accounts.example.test/reset-password#token=${token}"`));
    const sent = await prisma.outgoingMail.findUniqueOrThrow({ where: { id: row.id } });
    assert.ok(sent.sentAt);
    assert.equal(sent.payload, null);
  });

  it('when the transaction that queued a mail rolls back, then no mail is queued', async () => {
    const to = address();
    await assert.rejects(
      uow.run(async (r) => {
        await r.mail.enqueue({ template: 'verify_email', to, userId: randomUUID(), params: { token: 'x', expiresInMinutes: 60 } });
        throw new Error('change failed');
      }),
      /change failed/,
    );
    assert.equal(await prisma.outgoingMail.count({ where: { recipient: to } }), 0);
  });

  it('when the SMTP server is down, then the mail stays queued with its attempts counted, and is delivered once the server is back', async () => {
    const to = address();
    const token = await queueReset(to);
    const relay = relayTo(mailbox.url);
    await mailbox.stop();
    try {
      assert.deepEqual(await relay.flush(), { sent: 0, failed: 1 });
      const waiting = await prisma.outgoingMail.findFirstOrThrow({ where: { recipient: to } });
      assert.equal(waiting.attempts, 1);
      assert.equal(waiting.sentAt, null);
      assert.match(waiting.lastError ?? '', /ECONNREFUSED|connect/i);
      assert.ok(waiting.payload, 'the mail is kept for the next attempt');
    } finally {
      await mailbox.start();
    }
    relay.start();
    try {
      const mail = await mailbox.next(to);
      assert.equal(mail.token('/reset-password'), token);
    } finally {
      await relay.stop();
    }
    const row = await prisma.outgoingMail.findFirstOrThrow({ where: { recipient: to } });
    assert.equal(row.attempts, 2);
    assert.ok(row.sentAt);
  });

  it('when every attempt fails, then the mail is given up after MAIL_MAX_ATTEMPTS and its payload erased', async () => {
    const to = address();
    await queueReset(to);
    const relay = relayTo('smtp://127.0.0.1:1');
    for (let i = 0; i < 3; i++) await relay.flush();
    const row = await prisma.outgoingMail.findFirstOrThrow({ where: { recipient: to } });
    assert.equal(row.attempts, 3);
    assert.ok(row.failedAt);
    assert.equal(row.payload, null);
    assert.deepEqual(await relay.flush(), { sent: 0, failed: 0 }, 'a given-up mail is not tried again');
  });

  it('when no SMTP_URL is set, then the dev transport writes the message under DATA_DIR/mail and logs it without the link', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mail-dev-'));
    try {
      const to = address();
      const token = await queueReset(to);
      // Earlier tests' mail is sent already; only this one is due.
      await waitFor('the dev mail', () => relayTo(null, dir).flush(), (r) => r.sent === 1);
      const files = readdirSync(dir);
      assert.equal(files.length, 1);
      const eml = readFileSync(join(dir, files[0]), 'utf8');
      assert.match(eml, new RegExp(`To: ${to}`));
      assert.ok(eml.includes(token), 'the developer finds the link in the file');
      const line = logs.lines.find((l) => l.includes('dev transport') && l.includes(to));
      assert.ok(line, 'one log line names the mail');
      assert.ok(!logs.lines.some((l) => l.includes(token)), 'no log line holds the token');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when a row is deleted while its mail is being sent (the account was deleted meanwhile), then the pass goes on and sends the rest of the batch', async () => {
    const [gone, next] = [address(), address()];
    await queueReset(gone);
    await queueReset(next);
    const smtp = new NodemailerMailSender({ smtpUrl: mailbox.url, from: '"Acme Accounts" <no-reply@example.test>', devDir: '', logger });
    // The real SMTP sender; the deletion commits between the relay's claim and its "sent" stamp.
    const deletedMidSend: MailSender = {
      async send(mail) {
        if (mail.to === gone) await prisma.outgoingMail.deleteMany({ where: { recipient: gone } });
        await smtp.send(mail);
      },
    };
    const relay = new MailRelay(prisma, deletedMidSend, cipher, systemClock, logger, { templates, retrySeconds: 0, maxAttempts: 3 });
    assert.deepEqual(await relay.flush(), { sent: 2, failed: 0 });
    await mailbox.next(next);
    assert.ok((await prisma.outgoingMail.findFirstOrThrow({ where: { recipient: next } })).sentAt);
    assert.equal(await prisma.outgoingMail.count({ where: { recipient: gone } }), 0, 'the deleted row is not written back');
  });
});
