// MailSender on nodemailer. With SMTP_URL: a real SMTP server (short timeouts, so a dead server fails a send
// quickly and the relay retries later instead of hanging). Without: the dev transport, so `npm start` works
// with no mail server. It builds the real message (nodemailer's stream transport), writes it as an .eml file
// under DATA_DIR/mail (readable by the owner only) and logs one line naming the file, never the body: links
// carry tokens, so they stay out of the log at every level.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import type { MailSender, RenderedMail } from '../../domain/mail';
import type { Logger } from '../logger';

export interface NodemailerSenderOptions {
  /** SMTP_URL; null = the dev transport. */
  smtpUrl: string | null;
  /** MAIL_FROM. */
  from: string;
  /** Where the dev transport writes messages (DATA_DIR/mail). */
  devDir: string;
  logger: Logger;
}

let writtenSeq = 0;

export class NodemailerMailSender implements MailSender {
  private readonly transport: Transporter;
  private readonly dev: boolean;

  constructor(private readonly opts: NodemailerSenderOptions) {
    this.dev = !opts.smtpUrl;
    this.transport = opts.smtpUrl
      ? nodemailer.createTransport({ url: opts.smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 })
      : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  }

  async send(mail: RenderedMail): Promise<void> {
    const info = await this.transport.sendMail({ from: this.opts.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
    if (!this.dev) return;
    mkdirSync(this.opts.devDir, { recursive: true });
    // Names sort in the order written (the CLI's `mail list` relies on it): the time, then a counter for mails
    // written in the same millisecond.
    writtenSeq = (writtenSeq + 1) % 1_000_000;
    const file = join(this.opts.devDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${String(writtenSeq).padStart(6, '0')}-${randomUUID().slice(0, 8)}.eml`);
    writeFileSync(file, (info as { message: Buffer }).message, { mode: 0o600 });
    this.opts.logger.info('mail written by the dev transport (set SMTP_URL to send it)', { to: mail.to, subject: mail.subject, file });
  }

  close(): void {
    this.transport.close();
  }
}
