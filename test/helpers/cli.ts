// Runs `npm run cli` as the operator would: a separate process on the project's CLI entry, with only the
// environment the test gives it (no DATABASE_URL or DATA_DIR leaking in from the runner's environment).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';

const ROOT = join(import.meta.dirname, '..', '..');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string>, stdin = ''): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'backend/src/cli.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', BCRYPT_COST: '4', BCRYPT_WORKERS: '0', SIGNING_THREADS: '0', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/**
 * The same command line run in this process through the CLI's exported main(), with the same environment
 * rules as runCli (only `env` plus cheap bcrypt, no process.env): no node + tsx start per command.
 */
export async function runCliInProcess(args: string[], env: Record<string, string>, stdin = ''): Promise<CliResult> {
  const { main } = await import('../../backend/src/cli/main');
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _encoding, done) {
        append(chunk.toString());
        done();
      },
    });
  const io = {
    stdin: Readable.from([stdin]) as unknown as NodeJS.ReadStream,
    stdout: sink((s) => (stdout += s)) as unknown as NodeJS.WriteStream,
    stderr: sink((s) => (stderr += s)) as unknown as NodeJS.WriteStream,
  };
  const code = await main(args, io, { PATH: process.env.PATH ?? '', BCRYPT_COST: '4', BCRYPT_WORKERS: '0', SIGNING_THREADS: '0', ...env });
  return { code, stdout, stderr };
}
