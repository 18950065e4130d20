// MailOutbox on Prisma: one OutgoingMail row per mail, written on the caller's transaction. The template
// parameters can hold a link token, so they are stored encrypted (AES-256-GCM, bound to the row id) and
// erased by the relay once sent.
import type { MailOutbox, QueuedMail } from '../../domain/mail';
import type { SecretCipher } from '../../domain/two-factor.ports';
import type { Db } from './client';
import { randomUUID } from 'node:crypto';

export class PrismaMailOutbox implements MailOutbox {
  constructor(
    private readonly db: Db,
    private readonly cipher: SecretCipher | null,
  ) {}

  async enqueue(message: QueuedMail): Promise<void> {
    if (!this.cipher) throw new Error('mail outbox: no cipher configured, mail cannot be queued');
    const id = randomUUID();
    const payload = this.cipher.encrypt(JSON.stringify(message.params), `mail:${id}`);
    await this.db.outgoingMail.create({ data: { id, template: message.template, recipient: message.to, userId: message.userId, payload } });
  }

  async deleteForUser(userId: string): Promise<number> {
    const { count } = await this.db.outgoingMail.deleteMany({ where: { userId } });
    return count;
  }
}
