// Reads what the dev transport (nodemailer-sender.ts, no SMTP_URL) wrote under DATA_DIR/mail: each .eml file
// parsed with mailparser, so a developer gets the text and its links without decoding MIME by hand.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';

export interface DevMail {
  file: string;
  date: Date | null;
  to: string;
  subject: string;
  text: string;
  /** Every http(s) link of the text part, in order. */
  links: string[];
}

/** The mails in `dir`, newest first; an absent directory is an empty mailbox. */
export async function readDevMailbox(dir: string): Promise<DevMail[]> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.eml'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  // File names start with the ISO time of writing: sorting them sorts by time.
  names.sort().reverse();
  const mails: DevMail[] = [];
  for (const name of names) {
    const parsed = await simpleParser(readFileSync(join(dir, name)));
    const to = Array.isArray(parsed.to) ? parsed.to.map((a) => a.text).join(', ') : (parsed.to?.text ?? '');
    const text = parsed.text ?? '';
    mails.push({ file: join(dir, name), date: parsed.date ?? null, to, subject: parsed.subject ?? '', text, links: text.match(/https?:\/\/[^\s<>"')]+/g) ?? [] });
  }
  return mails;
}
