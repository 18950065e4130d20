// The operator CLI's dispatcher (`npm run cli -- <group> <command> [--flags]`, entry backend/src/cli.ts), a
// small one on node:util parseArgs; groups live beside their feature and are registered below. A command
// gets buildCore(): the server's config, database (DATABASE_URL or the embedded one under DATA_DIR), Redis and
// domain services, and nothing else — no HTTP, NATS, background jobs, bcrypt processes or signing threads,
// no ADMIN_EMAIL bootstrap. Exported as main() so tests run commands in-process.
// Exit codes: 0 done, 1 refused or failed, 2 usage error. Results go to stdout, logs and errors to stderr.
import { parseArgs } from 'node:util';
import winston from 'winston';
import { loadConfig } from '../config';
import { buildCore, type Core } from '../container';
import { DomainError } from '../domain/errors';
import { createLogger } from '../infrastructure/logger';
import { adminCli } from '../modules/admin/admin.cli';
import { mailCli } from '../modules/mail/mail.cli';
import { oauthClientsCli } from '../modules/oauth/oauth-clients.cli';
import { rolesCli } from '../modules/roles/roles.cli';
import { cliContext, CliUsageError, type CliGroup, type CliIO } from './command';

const groups: CliGroup[] = [adminCli, oauthClientsCli, mailCli, rolesCli];

function help(io: CliIO, group?: CliGroup): void {
  const lines = ['usage: npm run cli -- <group> <command> [--flags]', ''];
  for (const g of group ? [group] : groups) {
    lines.push(`${g.name}: ${g.summary}`);
    for (const [name, cmd] of Object.entries(g.commands)) lines.push(`  ${g.name} ${name} ${cmd.usage}`, `      ${cmd.summary}`);
  }
  io.stdout.write(`${lines.join('\n')}\n`);
}

/** Runs one command line; returns the exit code. `env` stands for process.env (tests pass their own). */
export async function main(argv: string[], io: CliIO, env: Record<string, string | undefined> = process.env): Promise<number> {
  const [groupName, commandName, ...rest] = argv;
  if (!groupName || groupName === '--help' || groupName === 'help') {
    help(io);
    return groupName ? 0 : 2;
  }
  const group = groups.find((g) => g.name === groupName);
  if (!group) {
    io.stderr.write(`unknown group "${groupName}"\n`);
    help(io);
    return 2;
  }
  const command = commandName ? group.commands[commandName] : undefined;
  if (!command) {
    if (commandName && commandName !== '--help') io.stderr.write(`unknown command "${groupName} ${commandName}"\n`);
    help(io, group);
    return commandName === '--help' ? 0 : 2;
  }
  const usage = () => io.stderr.write(`usage: npm run cli -- ${group.name} ${commandName} ${command.usage}\n`);
  if (rest.includes('--help')) {
    usage();
    return 0;
  }

  let built: Core | null = null;
  try {
    const { values, positionals } = parseArgs({ args: rest, options: command.options, strict: true, allowPositionals: true });
    if (positionals.length) throw new CliUsageError(`unexpected argument "${positionals[0]}"`);
    const config = loadConfig(env);
    // Logs go to stderr (stdout carries the result); quiet unless LOG_LEVEL asks for more.
    const logger = createLogger(env.LOG_LEVEL ?? 'warn', [new winston.transports.Stream({ stream: io.stderr })]);
    return await command.run({
      values,
      io,
      config,
      ctx: cliContext(),
      container: async () => (built ??= await buildCore(config, { logger, bootstrapAdmin: false, inProcessCrypto: true })),
    });
  } catch (err) {
    if (err instanceof CliUsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`error: ${(err as Error).message}\n`);
      usage();
      return 2;
    }
    if (err instanceof DomainError) {
      io.stderr.write(`error: ${err.code}: ${err.message}\n`);
      for (const d of err.details ?? []) io.stderr.write(`  ${d.field}: ${d.message}\n`);
      return 1;
    }
    io.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    if (built) await (built as Core).stop();
  }
}

