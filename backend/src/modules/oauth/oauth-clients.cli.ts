// `npm run cli -- clients create|list|show|update|rotate-secret|deactivate`: the OAuth client registry from a
// shell, over the same OAuthClientService as /api/admin/oauth-clients (audited with the CLI's context).
// Results are JSON on stdout (the client view; `clientSecret` only from create and rotate-secret), so
// scripts can read them: `npm run cli -- clients create ... | jq -r .clientSecret`.
import type { GrantType, OAuthClientPatch, TokenEndpointAuthMethod } from '../../domain/oauth/types';
import { CliUsageError, stringFlag, type CliCommand, type CliGroup, type CliRun, type CliValues } from '../../cli/command';
import { clientView } from './oauth-clients.mappers';

/** Repeatable flags; each value may also hold several space- or comma-separated items. */
function listFlag(values: CliValues, name: string): string[] | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const raw = (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
  return raw.flatMap((s) => s.split(/[\s,]+/)).filter(Boolean);
}

/** Seconds, or `default` (null: the server default). */
function ttlFlag(values: CliValues, name: string): number | null | undefined {
  const v = stringFlag(values, name);
  if (v === null) return undefined;
  if (v === 'default') return null;
  if (!/^\d{1,9}$/.test(v)) throw new CliUsageError(`--${name} must be a number of seconds or "default"`);
  return Number(v);
}

function intFlag(values: CliValues, name: string): number | undefined {
  const v = stringFlag(values, name);
  if (v === null) return undefined;
  if (!/^\d{1,9}$/.test(v)) throw new CliUsageError(`--${name} must be a number of seconds`);
  return Number(v);
}

const print = (io: CliRun['io'], value: unknown) => io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
const actorOf = (run: CliRun) => ({ userId: null, ctx: run.ctx });

const settingFlags = {
  grant: { type: 'string', multiple: true },
  scope: { type: 'string', multiple: true },
  'default-scope': { type: 'string', multiple: true },
  'redirect-uri': { type: 'string', multiple: true },
  'access-ttl': { type: 'string' },
  'refresh-ttl': { type: 'string' },
  name: { type: 'string' },
  'post-logout-redirect-uri': { type: 'string', multiple: true },
  'backchannel-logout-uri': { type: 'string' },
  'auth-method': { type: 'string' },
  consent: { type: 'string' },
  'logo-uri': { type: 'string' },
  'client-uri': { type: 'string' },
} as const;
const SETTINGS_USAGE =
  '[--grant authorization_code|password|refresh_token|client_credentials|urn:ietf:params:oauth:grant-type:device_code]... [--scope S]... [--default-scope S]... [--redirect-uri U]... [--access-ttl SECONDS|default] [--refresh-ttl SECONDS|default] [--post-logout-redirect-uri U]... [--backchannel-logout-uri U|none] [--auth-method client_secret_basic|client_secret_post|none|default] [--consent required|skip] [--logo-uri U|none] [--client-uri U|none]';

/** A URL flag where `none` clears the value. */
function urlFlag(values: CliValues, name: string): string | null | undefined {
  const v = stringFlag(values, name);
  if (v === null) return undefined;
  return v === 'none' ? null : v;
}

/** The authorization-code registry fields given on the command line (create and update alike). */
function oidcFlags(values: CliValues): OAuthClientPatch {
  const out: OAuthClientPatch = {};
  const post = listFlag(values, 'post-logout-redirect-uri');
  if (post) out.postLogoutRedirectUris = post;
  const bcl = urlFlag(values, 'backchannel-logout-uri');
  if (bcl !== undefined) out.backchannelLogoutUri = bcl;
  const logo = urlFlag(values, 'logo-uri');
  if (logo !== undefined) out.logoUri = logo;
  const uri = urlFlag(values, 'client-uri');
  if (uri !== undefined) out.clientUri = uri;
  const method = stringFlag(values, 'auth-method');
  if (method !== null) {
    if (!['client_secret_basic', 'client_secret_post', 'none', 'default'].includes(method)) throw new CliUsageError('--auth-method must be client_secret_basic, client_secret_post, none or default');
    out.tokenEndpointAuthMethod = method === 'default' ? null : (method as TokenEndpointAuthMethod);
  }
  const consent = stringFlag(values, 'consent');
  if (consent !== null) {
    if (consent !== 'required' && consent !== 'skip') throw new CliUsageError('--consent must be required or skip');
    out.requireConsent = consent === 'required';
  }
  return out;
}

const create: CliCommand = {
  summary: 'register a client; prints it with its secret (confidential clients), shown this once',
  usage: `--name N [--client-id ID] [--type confidential|public] ${SETTINGS_USAGE}`,
  options: { ...settingFlags, 'client-id': { type: 'string' }, type: { type: 'string' } },
  async run(run) {
    const { values } = run;
    const type = stringFlag(values, 'type');
    if (type !== null && type !== 'confidential' && type !== 'public') throw new CliUsageError('--type must be confidential or public');
    const grantTypes = listFlag(values, 'grant');
    if (!grantTypes?.length) throw new CliUsageError('--grant is required (repeat it for several grants)');
    const { services } = await run.container();
    const { client, secret } = await services.oauthClients.create(
      {
        name: stringFlag(values, 'name', true),
        clientId: stringFlag(values, 'client-id') ?? undefined,
        type: type ?? undefined,
        grantTypes: grantTypes as GrantType[],
        allowedScopes: listFlag(values, 'scope'),
        defaultScopes: listFlag(values, 'default-scope'),
        redirectUris: listFlag(values, 'redirect-uri'),
        accessTokenTtl: ttlFlag(values, 'access-ttl'),
        refreshTokenTtl: ttlFlag(values, 'refresh-ttl'),
        ...oidcFlags(values),
      },
      actorOf(run),
    );
    print(run.io, { client: clientView(client), clientSecret: secret });
    if (secret) run.io.stderr.write('The client secret is shown only now: store it in your secret manager.\n');
    return 0;
  },
};

const list: CliCommand = {
  summary: 'list every client (never a secret)',
  usage: '',
  options: {},
  async run(run) {
    const { services } = await run.container();
    print(run.io, { clients: (await services.oauthClients.list()).map(clientView) });
    return 0;
  },
};

const show: CliCommand = {
  summary: 'show one client (never its secret)',
  usage: '--client-id ID',
  options: { 'client-id': { type: 'string' } },
  async run(run) {
    const clientId = stringFlag(run.values, 'client-id', true);
    const { services } = await run.container();
    print(run.io, { client: clientView(await services.oauthClients.show(clientId)) });
    return 0;
  },
};

const update: CliCommand = {
  summary: 'change a client: the lists given replace the current ones; --activate re-activates it',
  usage: `--client-id ID [--name N] ${SETTINGS_USAGE} [--activate]`,
  options: { ...settingFlags, 'client-id': { type: 'string' }, activate: { type: 'boolean' } },
  async run(run) {
    const { values } = run;
    const clientId = stringFlag(values, 'client-id', true);
    const patch: OAuthClientPatch = {};
    const name = stringFlag(values, 'name');
    if (name !== null) patch.name = name;
    const grants = listFlag(values, 'grant');
    if (grants) patch.grantTypes = grants as GrantType[];
    const scopes = listFlag(values, 'scope');
    if (scopes) patch.allowedScopes = scopes;
    const defaults = listFlag(values, 'default-scope');
    if (defaults) patch.defaultScopes = defaults;
    const uris = listFlag(values, 'redirect-uri');
    if (uris) patch.redirectUris = uris;
    const access = ttlFlag(values, 'access-ttl');
    if (access !== undefined) patch.accessTokenTtl = access;
    const refresh = ttlFlag(values, 'refresh-ttl');
    if (refresh !== undefined) patch.refreshTokenTtl = refresh;
    if (values.activate === true) patch.active = true;
    Object.assign(patch, oidcFlags(values));
    if (Object.keys(patch).length === 0) throw new CliUsageError('nothing to change');
    const { services } = await run.container();
    print(run.io, { client: clientView(await services.oauthClients.update(clientId, patch, actorOf(run))) });
    return 0;
  },
};

const rotateSecret: CliCommand = {
  summary: 'issue a new secret; the old one keeps working for the overlap (default OAUTH_SECRET_ROTATION_OVERLAP)',
  usage: '--client-id ID [--overlap SECONDS]   (--overlap 0 ends the old secret at once, e.g. after a leak)',
  options: { 'client-id': { type: 'string' }, overlap: { type: 'string' } },
  async run(run) {
    const clientId = stringFlag(run.values, 'client-id', true);
    const overlap = intFlag(run.values, 'overlap');
    const { services } = await run.container();
    const { client, secret } = await services.oauthClients.rotateSecret(clientId, actorOf(run), overlap);
    print(run.io, { client: clientView(client), clientSecret: secret });
    run.io.stderr.write('The new client secret is shown only now: store it in your secret manager.\n');
    return 0;
  },
};

const deactivate: CliCommand = {
  summary: 'deactivate a client: it can no longer authenticate, and its sessions and tokens end at once',
  usage: '--client-id ID',
  options: { 'client-id': { type: 'string' } },
  async run(run) {
    const clientId = stringFlag(run.values, 'client-id', true);
    const { services } = await run.container();
    const { client, sessionsRevoked } = await services.oauthClients.deactivate(clientId, actorOf(run));
    print(run.io, { client: clientView(client), sessionsRevoked });
    return 0;
  },
};

export const oauthClientsCli: CliGroup = {
  name: 'clients',
  summary: 'manage OAuth clients (the same registry as /api/admin/oauth-clients)',
  commands: { create, list, show, update, 'rotate-secret': rotateSecret, deactivate },
};
