// `npm run cli -- admin create|promote`: the operator's explicit way to make an admin, next to (and safer
// than) the ADMIN_EMAIL bootstrap. Both call UserService, which audits them with source "cli".
import { DomainError } from '../../domain/errors';
import { CliUsageError, readSecret, stringFlag, type CliGroup } from '../../cli/command';

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
      usage: '--email E [--activate]   (--activate also activates a pending or disabled account)',
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
  },
};
