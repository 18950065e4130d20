// The shared kit for operator CLI commands (`npm run cli -- <group> <command> [--flags]`). A feature adds a
// CliGroup in `modules/<feature>/<feature>.cli.ts` and registers it in `backend/src/cli/main.ts`; commands call
// the same domain services as the HTTP routes, on buildCore() (no HTTP, NATS or background jobs).
import { hostname, userInfo } from 'node:os';
import type { ParseArgsConfig } from 'node:util';
import type { Config } from '../config';
import type { Core } from '../container';
import type { RequestContext } from '../domain/types';

export type CliOptions = NonNullable<ParseArgsConfig['options']>;
export type CliValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface CliIO {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

export interface CliRun {
  values: CliValues;
  io: CliIO;
  /** The server's settings, for commands that need no database (the development mailbox). */
  config: Config;
  /** Built on first use (database, migrations, Redis, domain services), so `--help` and usage errors touch nothing. */
  container: () => Promise<Core>;
  /** Audit context of this invocation: the OS user and host in place of a user agent. */
  ctx: RequestContext;
}

export interface CliCommand {
  summary: string;
  /** Flags as shown in help, e.g. `--email E [--password P]`. */
  usage: string;
  options: CliOptions;
  /** Returns the exit code (0 ok, 1 refused or failed). */
  run(run: CliRun): Promise<number>;
}

export interface CliGroup {
  name: string;
  summary: string;
  commands: Record<string, CliCommand>;
}

/** Thrown by a command for bad flags: the dispatcher prints it with the command's usage and exits 2. */
export class CliUsageError extends Error {}

export function cliContext(): RequestContext {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    /* no passwd entry (some containers) */
  }
  return { ipAddress: null, userAgent: `sessionary-cli (${user}@${hostname()})` };
}

export function stringFlag(values: CliValues, name: string, required: true): string;
export function stringFlag(values: CliValues, name: string, required?: false): string | null;
export function stringFlag(values: CliValues, name: string, required = false): string | null {
  const v = values[name];
  if (typeof v === 'string' && v !== '') return v;
  if (required) throw new CliUsageError(`--${name} is required`);
  return null;
}

/**
 * A secret from the operator without putting it on the command line: a hidden prompt (typed twice) on a
 * terminal, otherwise the first line of stdin (`printf '%s\n' "$PW" | npm run cli -- ...`).
 */
export async function readSecret(io: CliIO, label: string): Promise<string> {
  if (!io.stdin.isTTY) return readFirstLine(io.stdin);
  const first = await promptHidden(io, `${label}: `);
  const again = await promptHidden(io, `${label} (again): `);
  if (first !== again) throw new CliUsageError(`the two ${label.toLowerCase()} entries differ`);
  return first;
}

async function readFirstLine(stream: NodeJS.ReadableStream): Promise<string> {
  let data = '';
  for await (const chunk of stream) {
    data += chunk.toString();
    const nl = data.indexOf('\n');
    if (nl >= 0) return data.slice(0, nl).replace(/\r$/, '');
  }
  return data.replace(/\r$/, '');
}

function promptHidden(io: CliIO, question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const { stdin, stderr } = io;
    stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    let value = '';
    const done = (err?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new CliUsageError('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
