// A real SMTP server in the test process (the `smtp-server` package) that keeps every message it receives,
// parsed by `mailparser`: tests read the mail the app sent over real SMTP, never a mock of nodemailer.
// stop() / start() take it down and bring it back on the same port (the "SMTP server is down" tests).
import { after, before } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import { freePort } from './own-servers';
import { waitFor } from './wait';

export interface ReceivedMail {
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  /** The first link in the plain-text body that leads to `path` (e.g. /reset-password), if any. */
  link(path: string): string | null;
  /** The token in that link's fragment (#token=...). */
  token(path: string): string | null;
}

export interface Mailbox {
  /** SMTP_URL for the app. */
  url: string;
  messages: ReceivedMail[];
  /** Waits for a message to `to` (and matching `subject`, when given) that was not returned before. */
  next(to: string, subject?: RegExp, timeoutMs?: number): Promise<ReceivedMail>;
  /** Messages to `to` so far. */
  to(to: string): ReceivedMail[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

function toMail(parsed: ParsedMail): ReceivedMail {
  const text = parsed.text ?? '';
  const addresses = (a: ParsedMail['to']) => (Array.isArray(a) ? a : a ? [a] : []).flatMap((x) => x.value.map((v) => v.address ?? ''));
  const link = (path: string) => text.match(new RegExp(`https?://\\S+${path.replace(/[/]/g, '\\/')}#token=\\S+`))?.[0] ?? null;
  return {
    to: addresses(parsed.to).join(','),
    from: parsed.from?.text ?? '',
    subject: parsed.subject ?? '',
    text,
    html: typeof parsed.html === 'string' ? parsed.html : '',
    link,
    token: (path) => {
      const l = link(path);
      return l ? decodeURIComponent(l.slice(l.indexOf('#token=') + 7)) : null;
    },
  };
}

export async function startMailbox(): Promise<Mailbox> {
  const port = await freePort();
  const messages: ReceivedMail[] = [];
  const taken = new Set<ReceivedMail>();
  let server: SMTPServer | null = null;
  const box: Mailbox = {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    to: (to) => messages.filter((m) => m.to === to),
    async next(to, subject, timeoutMs = 20_000) {
      const found = await waitFor(
        `a mail to ${to}${subject ? ` matching ${subject}` : ''}`,
        () => messages.find((m) => !taken.has(m) && m.to === to && (!subject || subject.test(m.subject))) ?? null,
        (m) => m !== null,
        { timeoutMs, intervalMs: 50 },
      );
      taken.add(found!);
      return found!;
    },
    async start() {
      if (server) return;
      const s = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS', 'AUTH'],
        logger: false,
        onData(stream, _session, callback) {
          simpleParser(stream).then(
            (parsed) => {
              messages.push(toMail(parsed));
              callback();
            },
            (err: Error) => callback(err),
          );
        },
      });
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, '127.0.0.1', () => resolve());
      });
      server = s;
    },
    async stop() {
      const s = server;
      server = null;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
  await box.start();
  return box;
}

/** Registers before/after hooks: a mailbox for the enclosing describe(). Read it inside tests. */
export function useMailbox(): Mailbox {
  let box: Mailbox | undefined;
  before(async () => {
    box = await startMailbox();
  });
  after(async () => {
    await box?.stop();
  });
  return new Proxy({} as Mailbox, {
    get(_t, prop) {
      if (!box) throw new Error('useMailbox: read outside the suite\'s tests');
      const v = Reflect.get(box, prop, box);
      return typeof v === 'function' ? v.bind(box) : v;
    },
  });
}
