// `npm run cli -- admin create|promote`: the operator's explicit way to make an admin, next to (and safer
// than) the ADMIN_EMAIL bootstrap. Both call UserService, which audits them with source "cli".
// `admin disable|enable|reject|delete --email` (issue 28) call the console's AdminConsole, as the API does;
// the operator at the server needs no re-authentication, and the audit rows say `source: cli`.
import { DomainError } from '../../domain/errors';
import { CliUsageError, readSecret, stringFlag, type CliCommand, type CliGroup } from '../../cli/command';
import type { AdminConsole } from '../../domain/admin-console';
import type { RequestContext, User } from '../../domain/types';

/** One console action on the account named by --email. */
function accountAction(summary: string, act: (c: AdminConsole, user: User, ctx: RequestContext) => Promise<string>): CliCommand {
  return {
    summary,
    usage: '--email E',
    options: { email: { type: 'string' } },
    async run({ values, io, container, ctx }) {
      const email = stringFlag(values, 'email', true);
      const { services } = await container();
      try {
        const user = await services.adminConsole.userByEmail(email);
        io.stdout.write(`${await act(services.adminConsole, user, ctx)}\n`);
        return 0;
      } catch (err) {
        if (err instanceof DomainError && ['NOT_FOUND', 'LAST_ADMIN', 'ACCOUNT_PENDING', 'ACCOUNT_DISABLED'].includes(err.code)) {
          io.stderr.write(`error: ${err.message}\n`);
          return 1;
        }
        throw err;
      }
    },
  };
}

export const adminCli: CliGroup = {
  name: 'admin',
  summary: 'create or promote administrator accounts',
  commands: {
    create: {
      summary: 'create a new active admin account (the email must be free)',
      usage: '--email E [--username U] [--password P]   (without --password: prompted on a terminal, else the first line of stdin)',
      options: { email: { type: 'string' }, password: { type: 'string' }, username: { type: 'string' } },
      async run({ values, io, container, ctx }) {
        const email = stringFlag(values, 'email', true);
        let password = stringFlag(values, 'password');
        if (password) io.stderr.write('warning: --password is visible in the process list and shell history; prefer the prompt or stdin\n');
        else password = await readSecret(io, 'Password');
        if (!password) throw new CliUsageError('an empty password was given');
        const { services } = await container();
        try {
          const user = await services.users.createAdmin({ email, password, username: stringFlag(values, 'username') }, 'cli', ctx);
          io.stdout.write(`created admin ${user.email} (id ${user.id})\n`);
          return 0;
        } catch (err) {
          if (err instanceof DomainError && err.code === 'EMAIL_TAKEN') {
            io.stderr.write(`error: an account with this email already exists; to make it an admin run: npm run cli -- admin promote --email ${email}\n`);
            return 1;
          }
          throw err;
        }
      },
    },
    promote: {
      summary: 'make an existing account an admin (its password is not changed)',
      usage: '--email E [--activate]   (--activate also activates a pending, disabled or rejected account)',
      options: { email: { type: 'string' }, activate: { type: 'boolean' } },
      async run({ values, io, container, ctx }) {
        const email = stringFlag(values, 'email', true);
        const { services } = await container();
        try {
          const { user, changed } = await services.users.promoteToAdmin(email, { activate: values.activate === true }, 'cli', ctx);
          io.stdout.write(changed ? `promoted ${user.email} (id ${user.id}) to admin\n` : `${user.email} (id ${user.id}) is already an active admin\n`);
          return 0;
        } catch (err) {
          if (err instanceof DomainError && (err.code === 'ACCOUNT_PENDING' || err.code === 'ACCOUNT_DISABLED')) {
            io.stderr.write(`error: the account is ${err.code === 'ACCOUNT_PENDING' ? 'pending approval' : 'disabled'}; add --activate to activate it as well\n`);
            return 1;
          }
          throw err;
        }
      },
    },
    disable: accountAction('disable an account and end every session of it at once', async (c, u, ctx) => {
      await c.disable({ source: 'cli' }, u.id, ctx);
      return `disabled ${u.email} (id ${u.id}); its sessions ended`;
    }),
    enable: accountAction('re-enable a disabled account (or accept a rejected registration after all)', async (c, u, ctx) => {
      await c.enable({ source: 'cli' }, u.id, ctx);
      return `enabled ${u.email} (id ${u.id})`;
    }),
    reject: accountAction('reject a pending registration (status rejected; enable undoes it)', async (c, u, ctx) => {
      await c.reject({ source: 'cli' }, u.id, ctx);
      return `rejected the registration of ${u.email} (id ${u.id})`;
    }),
    delete: accountAction('delete an account (anonymised as by its owner; sessions end)', async (c, u, ctx) => {
      const ended = await c.delete({ source: 'cli' }, u.id, ctx);
      return `deleted ${u.email} (id ${u.id}); ${ended} session(s) ended`;
    }),
  },
};
