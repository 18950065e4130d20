// The authorization code flow driven over HTTP, the way the account web app drives it in a browser: start at
// /oauth/authorize, follow to the web app's handle, ask for the next step with the web app's bearer token,
// answer the consent screen from this origin. Used by test/http/oidc-*.test.ts.
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { bearer, type TestApp } from './app';

export const ADMIN_EMAIL = 'oidc.admin@example.test';
export const ADMIN_PASSWORD = 'admin-Juniper-58-orchard';
/** A redirect URI nobody listens on: the tests read the Location, never follow it. */
export const REDIRECT_URI = 'http://127.0.0.1:9/callback';
export const POST_LOGOUT_URI = 'http://127.0.0.1:9/signed-out';

/** The server with its development issuer (http://localhost:<port>), as stock clients discover it. */
export const oidcEnv = { ADMIN_EMAIL, ADMIN_PASSWORD, JWT_ISSUER: '', JWT_AUDIENCE: '' };

export const issuerOf = (app: TestApp) => new URL(`http://localhost:${new URL(app.url).port}`);

export async function adminToken(app: TestApp): Promise<string> {
  const login = await app.http.post('/api/auth/login').send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
  assert.equal(login.status, 200, JSON.stringify(login.body));
  return login.body.accessToken;
}

export async function registerClient(app: TestApp, body: Record<string, unknown>): Promise<{ id: string; secret: string | null }> {
  const res = await app.http.post('/api/admin/oauth-clients').set(bearer(await adminToken(app))).send(body);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { id: res.body.client.clientId, secret: res.body.clientSecret };
}

/** A public client of the code flow (PKCE, auth method none), allowed to refresh. */
export const publicCodeClient = (name = 'RP app', extra: Record<string, unknown> = {}) => ({
  name,
  type: 'public',
  grantTypes: ['authorization_code', 'refresh_token'],
  redirectUris: [REDIRECT_URI],
  postLogoutRedirectUris: [POST_LOGOUT_URI],
  clientUri: 'https://rp.example/',
  ...extra,
});

export async function pkce() {
  const verifier = client.randomPKCECodeVerifier();
  return { verifier, challenge: await client.calculatePKCECodeChallenge(verifier) };
}

/** GET the authorization URL without following redirects. */
export function openAuthorization(url: URL | string): Promise<Response> {
  return fetch(url, { redirect: 'manual' });
}

/** The web app's handle from /oauth/authorize's 303 to /authorize?request=… */
export function handleOf(res: Response): string {
  assert.equal(res.status, 303, `expected the redirect to the web app, got ${res.status}`);
  const location = res.headers.get('location')!;
  assert.match(location, /^\/authorize\?request=/, location);
  return new URL(location, 'http://x').searchParams.get('request')!;
}

/** The client's redirect: its query parameters. */
export function callbackParams(location: string): URLSearchParams {
  assert.ok(location.startsWith(REDIRECT_URI) || location.startsWith('http://127.0.0.1:'), location);
  return new URL(location).searchParams;
}

export const originOf = (app: TestApp) => new URL(app.url).origin;

export async function nextStep(app: TestApp, handle: string, accessToken: string) {
  const res = await app.http.get(`/api/oauth/authorization/${encodeURIComponent(handle)}`).set(bearer(accessToken));
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body as { step: 'login' } | { step: 'consent'; client: { name: string; clientUri: string | null }; scopes: string[] } | { step: 'redirect'; redirectTo: string };
}

export async function decide(app: TestApp, handle: string, accessToken: string, approve: boolean): Promise<string> {
  const res = await app.http.post(`/api/oauth/authorization/${encodeURIComponent(handle)}/decision`).set(bearer(accessToken)).set('Origin', originOf(app)).send({ approve });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.redirectTo;
}

/** Sign-in already done (accessToken of the web app's session): consent if asked, then the client's redirect URL. */
export async function approveAll(app: TestApp, authorizationUrl: URL | string, accessToken: string): Promise<string> {
  const handle = handleOf(await openAuthorization(authorizationUrl));
  const step = await nextStep(app, handle, accessToken);
  if (step.step === 'redirect') return step.redirectTo;
  assert.equal(step.step, 'consent');
  return decide(app, handle, accessToken, true);
}
