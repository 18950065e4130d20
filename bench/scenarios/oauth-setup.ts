// What the OAuth scenarios need on the seeded server: one confidential client registered the way an operator
// does it (`npm run cli -- clients create` on the server's DATABASE_URL, a separate process), and sessions
// opened through it by the password grant, one refresh-token chain per load connection and phase.
import { join } from 'node:path';
import { runCli } from '../../test/helpers/cli';
import { pool } from '../load';
import { benchEnv, type Seeded } from '../servers';
import { PASSWORD, log } from '../settings';

export interface OAuthClientAuth {
  clientId: string;
  /** `Basic base64(client_id:secret)` (RFC 6749 §2.3.1, client_secret_basic). */
  basic: string;
}

export const SCOPE = 'api:read';
const FORM = 'application/x-www-form-urlencoded';

export const formHeaders = (basic: string) => ({ 'content-type': FORM, authorization: basic });

async function registerClient(): Promise<{ clientId: string; secret: string }> {
  const args = ['clients', 'create', '--name', 'bench', '--client-id', 'bench-gateway'];
  for (const g of ['password', 'refresh_token', 'client_credentials']) args.push('--grant', g);
  // tokens:introspect: since issue 22 a client introspects only its own tokens without it, and the
  // introspection scenario checks the users' first-party tokens (every answer was {"active":false}).
  args.push('--scope', SCOPE, '--scope', 'tokens:introspect', '--default-scope', SCOPE);
  const res = await runCli(args, { DATABASE_URL: benchEnv.db!.url, DATA_DIR: join(benchEnv.tmp!, 'data'), LOG_LEVEL: 'warn' });
  if (res.code !== 0) throw new Error(`clients create exited ${res.code}: ${res.stderr}`);
  const out = JSON.parse(res.stdout) as { client: { clientId: string }; clientSecret: string };
  return { clientId: out.client.clientId, secret: out.clientSecret };
}

async function passwordGrant(base: string, basic: string, email: string): Promise<string> {
  const res = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: formHeaders(basic),
    body: new URLSearchParams({ grant_type: 'password', username: email, password: PASSWORD, scope: SCOPE }).toString(),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await res.json()) as { refresh_token?: string };
  if (res.status !== 200 || !body.refresh_token) throw new Error(`password grant for ${email}: ${res.status} ${JSON.stringify(body)}`);
  return body.refresh_token;
}

let registered: Promise<OAuthClientAuth> | null = null;

/** The bench client, registered once per run (the first OAuth scenario pays for it). */
export function benchClient(): Promise<OAuthClientAuth> {
  registered ??= (async () => {
    const t0 = performance.now();
    const { clientId, secret } = await registerClient();
    log(`oauth: client ${clientId} registered with the CLI in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return { clientId, basic: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}` };
  })();
  return registered;
}

/**
 * Sessions bound to the bench client, opened by the password grant: `perPhase` refresh tokens for the
 * warm-up and as many for the measured run (a request cut off when a run ends leaves its chain unusable).
 */
export async function clientChains(base: string, seeded: Seeded, perPhase: number): Promise<[string[], string[]]> {
  const { basic } = await benchClient();
  // Spread over the users so no user passes MAX_SESSIONS_PER_USER (which would evict a chain's session).
  const emails = Array.from({ length: 2 * perPhase }, (_, i) => seeded.users[(seeded.users.length - 1 - i) % seeded.users.length].email);
  const tokens = await pool(emails, 8, (email) => passwordGrant(base, basic, email));
  return [tokens.slice(0, perPhase), tokens.slice(perPhase)];
}

/** The code-flow client's redirect URI: nobody listens there, the bench reads the code from the Location. */
export const REDIRECT_URI = 'http://127.0.0.1:9/callback';
/** What a typical OpenID Connect sign-in asks: an ID token, the profile claims and a refresh token. */
export const CODE_SCOPE = 'openid profile email offline_access';

let codeRegistered: Promise<OAuthClientAuth> | null = null;

/**
 * The code-flow client (confidential, client_secret_basic, consent skipped as for a first-party app, so the
 * minting needs no consent screen), registered with the CLI once per run like the bench client.
 */
export function codeClient(): Promise<OAuthClientAuth> {
  codeRegistered ??= (async () => {
    const args = ['clients', 'create', '--name', 'bench-rp', '--client-id', 'bench-rp', '--grant', 'authorization_code', '--grant', 'refresh_token'];
    for (const s of CODE_SCOPE.split(' ')) args.push('--scope', s);
    args.push('--redirect-uri', REDIRECT_URI, '--consent', 'skip');
    const res = await runCli(args, { DATABASE_URL: benchEnv.db!.url, DATA_DIR: join(benchEnv.tmp!, 'data'), LOG_LEVEL: 'warn' });
    if (res.code !== 0) throw new Error(`clients create (code flow) exited ${res.code}: ${res.stderr}`);
    const out = JSON.parse(res.stdout) as { client: { clientId: string }; clientSecret: string };
    const { clientId } = out.client;
    return { clientId, basic: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(out.clientSecret)}`).toString('base64')}` };
  })();
  return codeRegistered;
}
