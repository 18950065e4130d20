// `npm run cli -- roles list|create|delete|grant|revoke|show`: the operator's way to manage roles next to the
// admin API (roles.endpoints.ts). Both call RoleService, which audits every change (source "cli").
import { stringFlag, type CliGroup, type CliRun, type CliValues } from '../../cli/command';
import { Errors } from '../../domain/errors';
import type { RoleDefinition } from '../../domain/roles/access';
import type { RoleActor } from '../../domain/roles/role.service';

const CLI_ACTOR: RoleActor = { id: null, source: 'cli' };

/** A flag that may repeat (`--permission a:read --permission b:write`), or a comma-separated list. */
function listFlag(values: CliValues, name: string): string[] {
  const v = values[name];
  const raw = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return raw.filter((x): x is string => typeof x === 'string').flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);
}

const line = (r: RoleDefinition) =>
  `${r.name}${r.builtIn ? ' (built in)' : ''}  permissions: ${r.permissions.join(' ') || '-'}  includes: ${r.includes.join(' ') || '-'}\n`;

/** The account of `--email`, exactly (the admin search matches parts). */
async function userIdOf(run: CliRun): Promise<string> {
  const email = stringFlag(run.values, 'email', true).trim().toLowerCase();
  const { services } = await run.container();
  const user = (await services.users.findUsers(email)).find((u) => u.email === email);
  if (!user) throw Errors.notFound('User');
  return user.id;
}

export const rolesCli: CliGroup = {
  name: 'roles',
  summary: 'define roles and permissions, grant them to users (docs/roles.md)',
  commands: {
    list: {
      summary: 'every role with its permissions and included roles',
      usage: '',
      options: {},
      async run({ io, container }) {
        const { services } = await container();
        for (const r of await services.roles.list()) io.stdout.write(line(r));
        return 0;
      },
    },
    create: {
      summary: 'define a role',
      usage: '--name N [--permission orders:read ...] [--include ROLE ...] [--description D]',
      options: { name: { type: 'string' }, permission: { type: 'string', multiple: true }, include: { type: 'string', multiple: true }, description: { type: 'string' } },
      async run({ values, io, container, ctx }) {
        const { services } = await container();
        const role = await services.roles.create(
          CLI_ACTOR,
          { name: stringFlag(values, 'name', true), description: stringFlag(values, 'description'), permissions: listFlag(values, 'permission'), includes: listFlag(values, 'include') },
          ctx,
        );
        io.stdout.write(`created ${line(role)}`);
        return 0;
      },
    },
    delete: {
      summary: 'delete a custom role (its holders lose it; their sessions end)',
      usage: '--name N',
      options: { name: { type: 'string' } },
      async run({ values, io, container, ctx }) {
        const { services } = await container();
        const name = stringFlag(values, 'name', true);
        await services.roles.delete(CLI_ACTOR, name, ctx);
        io.stdout.write(`deleted role ${name}\n`);
        return 0;
      },
    },
    grant: {
      summary: 'give a user a role (takes effect at their next refresh)',
      usage: '--email E --role R',
      options: { email: { type: 'string' }, role: { type: 'string' } },
      async run(run) {
        const role = stringFlag(run.values, 'role', true);
        const { services } = await run.container();
        const access = await services.roles.grant(CLI_ACTOR, await userIdOf(run), role, run.ctx);
        run.io.stdout.write(`granted ${role}; roles: ${access.roles.join(' ')}; permissions: ${access.permissions.join(' ') || '-'}\n`);
        return 0;
      },
    },
    revoke: {
      summary: "take a role from a user (if they lose anything, their sessions end at once)",
      usage: '--email E --role R',
      options: { email: { type: 'string' }, role: { type: 'string' } },
      async run(run) {
        const role = stringFlag(run.values, 'role', true);
        const { services } = await run.container();
        const access = await services.roles.revoke(CLI_ACTOR, await userIdOf(run), role, run.ctx);
        run.io.stdout.write(`revoked ${role}; roles: ${access.roles.join(' ')}; permissions: ${access.permissions.join(' ') || '-'}\n`);
        return 0;
      },
    },
    show: {
      summary: "a user's roles and effective permissions",
      usage: '--email E',
      options: { email: { type: 'string' } },
      async run(run) {
        const { services } = await run.container();
        const access = await services.roles.userAccess(await userIdOf(run));
        run.io.stdout.write(`roles: ${access.roles.join(' ')}\npermissions: ${access.permissions.join(' ') || '-'}\n`);
        return 0;
      },
    },
  },
};
