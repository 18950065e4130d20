// A real upstream OpenID Provider for the federation tests: panva's oidc-provider (a certified OP, test peer
// only) on a loopback port, with its development login and consent pages. An account's login name decides
// what its id_token says: `ada@example.com` has that email, verified; `unverified:ada@example.com` has it
// with email_verified false. `sub` is the login name. The provider is made once the relying party's redirect
// URI is known (the app listens on a port chosen at start), the server (and so the issuer) before that.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export const UPSTREAM_CLIENT_ID = 'sessionary';
export const UPSTREAM_CLIENT_SECRET = 'upstream-test-secret';

export interface UpstreamIdp {
  readonly issuer: string;
  /** Registers the relying party with these redirect URIs (call once the app's URL is known). */
  register(redirectUris: string[]): void;
  close(): Promise<void>;
}

function claimsOf(login: string) {
  const unverified = login.startsWith('unverified:');
  const email = unverified ? login.slice('unverified:'.length) : login;
  return { sub: login, email, email_verified: !unverified };
}

export async function startUpstreamIdp(): Promise<UpstreamIdp> {
  let provider: Provider | null = null;
  const server: Server = createServer((req, res) => {
    if (!provider) {
      res.writeHead(503).end('upstream not configured yet');
      return;
    }
    void provider.callback()(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    register(redirectUris) {
      provider = new Provider(issuer, {
        clients: [{ client_id: UPSTREAM_CLIENT_ID, client_secret: UPSTREAM_CLIENT_SECRET, redirect_uris: redirectUris, token_endpoint_auth_method: 'client_secret_post' }],
        claims: { openid: ['sub'], email: ['email', 'email_verified'] },
        // The email claims in the id_token itself (as Google and Microsoft send them), not only at userinfo.
        conformIdTokenClaims: false,
        features: { devInteractions: { enabled: true } },
        pkce: { required: () => true },
        cookies: { keys: ['upstream-test-cookie-key'] },
        findAccount: (_ctx: unknown, id: string) => ({ accountId: id, claims: () => claimsOf(id) }),
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        // Kept-alive connections (the app's fetches) would hold close() open: cut them, the test is over.
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** name → value; enough for one origin's cookies in a test (paths are not told apart). */
export class CookieJar {
  private readonly values = new Map<string, string>();

  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const gone = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=.*1970/i.test(a));
      if (gone || value === '') this.values.delete(name);
      else this.values.set(name, value);
    }
  }

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  header(): string {
    return [...this.values].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** fetch without following redirects, sending and keeping `jar`'s cookies. */
export async function jarFetch(jar: CookieJar, url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const cookie = jar.header();
  if (cookie) headers.set('cookie', cookie);
  const res = await fetch(url, { ...init, headers, redirect: 'manual' });
  jar.take(res);
  return res;
}

/**
 * Plays the person at the upstream: from the authorization URL through its login and consent pages (or the
 * "abort" link, which answers access_denied) until the upstream redirects back to `appOrigin`; returns that
 * callback URL. `login` is the account's login name (see above), or 'abort'.
 */
export async function throughUpstream(authorizationUrl: string, login: string, appOrigin: string, jar = new CookieJar()): Promise<string> {
  let url = authorizationUrl;
  for (let step = 0; step < 20; step++) {
    if (url.startsWith(appOrigin)) return url;
    const res = await jarFetch(jar, url);
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      url = new URL(location, url).href;
      continue;
    }
    const html = await res.text();
    const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
    if (res.status !== 200 || !prompt) throw new Error(`upstream answered ${res.status} at ${url}: ${html.slice(0, 300)}`);
    if (login === 'abort') {
      url = `${url.replace(/\/$/, '')}/abort`;
      continue;
    }
    const form: Record<string, string> = prompt === 'login' ? { prompt, login, password: 'anything' } : { prompt };
    const post = await jarFetch(jar, url, { method: 'POST', body: new URLSearchParams(form), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const next = post.headers.get('location');
    if (!next) throw new Error(`upstream ${prompt} step answered ${post.status}: ${(await post.text()).slice(0, 300)}`);
    url = new URL(next, url).href;
  }
  throw new Error('the upstream never redirected back');
}
