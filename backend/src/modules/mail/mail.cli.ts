// `npm run cli -- mail list|show`: the development mailbox. Without SMTP_URL the server writes each mail as an
// .eml file under DATA_DIR/mail; these commands print them decoded, with their links, so a newcomer can follow
// a password-reset or confirmation link from the README alone. With SMTP_URL set there is nothing here: mail
// went to the SMTP server.
import { resolve } from 'node:path';
import { CliUsageError, stringFlag, type CliCommand, type CliGroup, type CliRun } from '../../cli/command';
import { readDevMailbox, type DevMail } from '../../infrastructure/mail/dev-mailbox';

async function mailbox(run: CliRun): Promise<DevMail[] | null> {
  if (run.config.mail.smtpUrl) {
    run.io.stderr.write('SMTP_URL is set: mail goes to that server, and the development mailbox is not used\n');
    return null;
  }
  const to = stringFlag(run.values, 'to')?.toLowerCase();
  const subject = stringFlag(run.values, 'subject')?.toLowerCase();
  const all = await readDevMailbox(resolve(run.config.database.dataDir, 'mail'));
  return all.filter((m) => (!to || m.to.toLowerCase().includes(to)) && (!subject || m.subject.toLowerCase().includes(subject)));
}

function limitOf(run: CliRun): number {
  const raw = stringFlag(run.values, 'limit');
  if (raw === null) return 20;
  if (!/^\d{1,4}$/.test(raw) || Number(raw) < 1) throw new CliUsageError('--limit must be a number from 1');
  return Number(raw);
}

const when = (m: DevMail) => (m.date ? m.date.toISOString() : '?');

const list: CliCommand = {
  summary: 'the newest mails the development transport wrote (no SMTP_URL): time, recipient, subject and links',
  usage: '[--to ADDRESS] [--subject TEXT] [--limit N]',
  options: { to: { type: 'string' }, subject: { type: 'string' }, limit: { type: 'string' } },
  async run(run) {
    const limit = limitOf(run);
    const mails = await mailbox(run);
    if (!mails) return 1;
    if (mails.length === 0) run.io.stdout.write('no mail\n');
    for (const m of mails.slice(0, limit)) {
      run.io.stdout.write(`${when(m)}  ${m.to}  ${m.subject}\n`);
      for (const link of m.links) run.io.stdout.write(`    ${link}\n`);
    }
    return 0;
  },
};

const show: CliCommand = {
  summary: 'the newest mail (to ADDRESS, with TEXT in its subject), decoded: headers and text with its links',
  usage: '[--to ADDRESS] [--subject TEXT]',
  options: { to: { type: 'string' }, subject: { type: 'string' } },
  async run(run) {
    const mails = await mailbox(run);
    if (!mails) return 1;
    const [m] = mails;
    if (!m) {
      run.io.stderr.write('no mail\n');
      return 1;
    }
    run.io.stdout.write(`Date: ${when(m)}\nTo: ${m.to}\nSubject: ${m.subject}\nFile: ${m.file}\n\n${m.text.trimEnd()}\n`);
    return 0;
  },
};

export const mailCli: CliGroup = {
  name: 'mail',
  summary: 'the development mailbox under DATA_DIR/mail (when SMTP_URL is not set)',
  commands: { list, show },
};
