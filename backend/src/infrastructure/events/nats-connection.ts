// How every NATS connection of the server is opened (the request/reply and revocation connection, the outbox
// relay): servers, credentials and TLS from config.nats, in one place, so no connection forgets them.
// nats.js ignores credentials written into a server URL (`nats://user:pass@host`); they are taken out of
// NATS_URL here and passed as options, so the URL form works as operators expect.
import { readFileSync } from 'node:fs';
import { credsAuthenticator, nkeyAuthenticator, type ConnectionOptions, type NatsConnection } from 'nats';

/**
 * Drains a connection (what is in flight is delivered) and makes sure it ends closed. A drain begun while the
 * client is between reconnect attempts resolves without closing it (nats.js 2.x), and one begun while NATS is
 * unreachable waits for it: either way the connection would reconnect for ever and keep the process alive.
 * So the drain gets `drainMs`, and a connection still open after it is closed.
 */
export async function closeNatsConnection(nc: NatsConnection, drainMs = 2_000): Promise<void> {
  if (nc.isClosed()) return;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => (timer = setTimeout(resolve, drainMs)));
  await Promise.race([nc.drain().catch(() => undefined), timedOut]);
  clearTimeout(timer);
  if (!nc.isClosed()) await nc.close().catch(() => undefined);
}

/** config.nats: the connection settings (see config.ts for their variables). */
export interface NatsConnectionSettings {
  url: string | null;
  user: string | null;
  password: string | null;
  token: string | null;
  nkeySeed: string | null;
  credsFile: string | null;
  tlsCaFile: string | null;
  tlsCertFile: string | null;
  tlsKeyFile: string | null;
  tlsRequired: boolean;
}

/** NATS_URL (one URL or a comma-separated list) without credentials, and the credentials it carried. */
export function splitNatsUrl(raw: string): { servers: string[]; user: string | null; password: string | null } {
  let user: string | null = null;
  let password: string | null = null;
  const servers = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((server) => {
      const m = /^([a-z][a-z0-9+.-]*:\/\/)?([^@/]*)@(.*)$/i.exec(server);
      if (!m) return server;
      const [, scheme = '', userinfo = '', rest = ''] = m;
      const colon = userinfo.indexOf(':');
      user ??= decodeURIComponent(colon < 0 ? userinfo : userinfo.slice(0, colon));
      if (colon >= 0) password ??= decodeURIComponent(userinfo.slice(colon + 1));
      return `${scheme}${rest}`;
    });
  return { servers, user, password };
}

/**
 * The nats.js options for one connection named `name`. Exactly one way to authenticate is used: a `.creds`
 * file, an NKey seed, a token, or user/password (NATS_USER/NATS_PASSWORD, else the URL's); settings that
 * name more than one are refused here (natsSettingsProblem), so the server does not start with them. Any TLS setting makes the client insist on TLS.
 */
export function natsConnectionOptions(settings: NatsConnectionSettings, name: string): ConnectionOptions {
  if (!settings.url) throw new Error('NATS_URL is not set');
  const problem = natsSettingsProblem(settings);
  if (problem) throw new Error(problem);
  const { servers, user: urlUser, password: urlPassword } = splitNatsUrl(settings.url);
  const options: ConnectionOptions = { servers, name };
  if (settings.credsFile) {
    const file = settings.credsFile;
    // Read on every (re)connect, so a rotated file is picked up without a restart.
    options.authenticator = credsAuthenticator(() => readFileSync(file));
  } else if (settings.nkeySeed) {
    options.authenticator = nkeyAuthenticator(new TextEncoder().encode(settings.nkeySeed));
  } else if (settings.token) {
    options.token = settings.token;
  } else if (settings.user ?? urlUser) {
    const user = (settings.user ?? urlUser)!;
    const pass = settings.user ? settings.password : urlPassword;
    // A URL with only a user part (`nats://s3cr3t@host`) is NATS's token form.
    if (pass === null && !settings.user) options.token = user;
    else {
      options.user = user;
      if (pass !== null) options.pass = pass;
    }
  }
  if (settings.tlsRequired || settings.tlsCaFile || settings.tlsCertFile || settings.tlsKeyFile) {
    options.tls = {
      ...(settings.tlsCaFile ? { caFile: settings.tlsCaFile } : {}),
      ...(settings.tlsCertFile ? { certFile: settings.tlsCertFile } : {}),
      ...(settings.tlsKeyFile ? { keyFile: settings.tlsKeyFile } : {}),
    };
  }
  return options;
}

/** Why a set of NATS settings cannot work, or null (natsConnectionOptions refuses to connect with them). */
export function natsSettingsProblem(settings: NatsConnectionSettings): string | null {
  const urlUser = settings.url ? splitNatsUrl(settings.url).user : null;
  const methods = [
    settings.credsFile && 'NATS_CREDS_FILE',
    settings.nkeySeed && 'NATS_NKEY_SEED',
    settings.token && 'NATS_TOKEN',
    (settings.user || urlUser) && (settings.user ? 'NATS_USER' : 'credentials in NATS_URL'),
  ].filter(Boolean);
  if (methods.length > 1) return `NATS authentication: set only one of ${methods.join(', ')}`;
  if (settings.password && !settings.user) return 'NATS_PASSWORD needs NATS_USER';
  if (!!settings.tlsCertFile !== !!settings.tlsKeyFile) return 'NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE go together';
  return null;
}
