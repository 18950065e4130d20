// Issue 22: what an adversarial review and stock OAuth clients found in the authorization server — a client
// deactivated by PATCH kept its users' tokens (item 6), any client could introspect any other's tokens (7), a
// user could be granted a service scope (8), no RFC 6750 challenge on the API's 401/403 (13), and
// error_description / token_type_hint / the introspection example off the RFCs (14).
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { TEST_PASSWORD, basic, bearer, registerAndLogin, useTestApp } from '../helpers/app';
import { canReadRevocations } from '../../backend/src/modules/revocations/revocations.routes';

const ADMIN_EMAIL = 'conformance.admin@example.test';
const ADMIN_PASSWORD = 'admin-Saffron-27-lantern';
/** RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E. */
const DESCRIPTION_CHARS = /^[\x20-\x21\x23-\x5B\x5D-\x7E]*$/;

type Res = { status: number; body: any; headers: Record<string, string | undefined> };  
type Client = { clientId: string; secret: string | null };

describe('OAuth conformance and hardening (issue 22)', () => {
  const app = useTestApp({ env: { ADMIN_EMAIL, ADMIN_PASSWORD } });
  let adminToken: string;
  /** A resource server allowed to introspect every token. */
  let introspector: Client;
  /** A confidential client without that permission. */
  let other: Client;

  const post = (path: string, fields: Record<string, string>, auth?: string) => {
    const req = app.http.post(path).type('form');
    if (auth) req.set('Authorization', auth);
    return req.send(fields) as unknown as Promise<Res>;
  };
  const token = (fields: Record<string, string>, c?: Client) =>
    c?.secret ? post('/oauth/token', fields, basic(c.clientId, c.secret)) : post('/oauth/token', c ? { ...fields, client_id: c.clientId } : fields);
  /** Introspects on the fast path and through Express (a query string), asserts both agree, returns the body. */
  async function introspect(c: Client, tok: string, extra: Record<string, string> = {}): Promise<any> {  
    const fast = await post('/oauth/introspect', { token: tok, ...extra }, basic(c.clientId, c.secret!));
    const express = await post('/oauth/introspect?via=express', { token: tok, ...extra }, basic(c.clientId, c.secret!));
    assert.equal(fast.status, 200, JSON.stringify(fast.body));
    assert.deepEqual(express.body, fast.body, 'the fast path and Express answer alike');
    return fast.body;
  }

  async function createClient(body: Record<string, unknown>): Promise<Client> {
    const res = await app.http.post('/api/admin/oauth-clients').set(bearer(adminToken)).send(body);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return { clientId: res.body.client.clientId, secret: res.body.clientSecret };
  }

  async function passwordGrant(c: Client, extra: Record<string, string> = {}) {
    const u = await registerAndLogin(app);
    const res = await token({ grant_type: 'password', username: u.email, password: TEST_PASSWORD, ...extra }, c);
    return { user: u, res };
  }

  before(async () => {
    const login = await app.http.post('/api/auth/login').send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    adminToken = login.body.accessToken;
    introspector = await createClient({ name: 'gateway', grantTypes: ['client_credentials'], allowedScopes: ['tokens:introspect'] });
    other = await createClient({ name: 'other service', grantTypes: ['client_credentials'], allowedScopes: ['api:read'] });
  });

  it('when a client is deactivated by PATCH active:false, then its sessions end as with /deactivate, and re-activating it revives no refresh token', async () => {
    const c = await createClient({ name: 'patched off', grantTypes: ['password', 'refresh_token'] });
    const { res } = await passwordGrant(c);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const { access_token: access, refresh_token: refresh } = res.body;
    assert.equal((await app.http.get('/api/user/me').set(bearer(access))).status, 200);

    const off = await app.http.patch(`/api/admin/oauth-clients/${c.clientId}`).set(bearer(adminToken)).send({ active: false });
    assert.equal(off.status, 200, JSON.stringify(off.body));
    assert.equal(off.body.client.active, false);
    const me = await app.http.get('/api/user/me').set(bearer(access));
    assert.equal(me.status, 401);
    assert.equal(me.body.error.code, 'SESSION_TERMINATED');

    const on = await app.http.patch(`/api/admin/oauth-clients/${c.clientId}`).set(bearer(adminToken)).send({ active: true });
    assert.equal(on.status, 200, JSON.stringify(on.body));
    const again = await token({ grant_type: 'refresh_token', refresh_token: refresh }, c);
    assert.equal(again.status, 400, JSON.stringify(again.body));
    assert.equal(again.body.error, 'invalid_grant');
    assert.deepEqual(await introspect(introspector, refresh), { active: false });
    assert.equal((await app.http.get('/api/user/me').set(bearer(access))).status, 401, 'the old access token stays refused');
  });

  it('when a client introspects a token of another client or of no client, then active:false; its own tokens, and any token for a client holding tokens:introspect, are answered', async () => {
    const owner = await createClient({ name: 'token owner', grantTypes: ['password', 'refresh_token', 'client_credentials'] });
    const { res } = await passwordGrant(owner);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const cc = await token({ grant_type: 'client_credentials' }, owner);
    assert.equal(cc.status, 200, JSON.stringify(cc.body));
    const { accessToken: firstParty } = await registerAndLogin(app);

    for (const t of [res.body.access_token, res.body.refresh_token, cc.body.access_token, firstParty]) {
      assert.deepEqual(await introspect(other, t), { active: false }, 'another client learns nothing');
    }
    for (const t of [res.body.access_token, res.body.refresh_token, cc.body.access_token]) {
      assert.equal((await introspect(owner, t)).active, true, 'a client learns about its own tokens');
      assert.equal((await introspect(introspector, t)).active, true, 'tokens:introspect may introspect any client\'s tokens');
    }
    assert.equal((await introspect(introspector, firstParty)).active, true, '...and first-party users\' tokens');
  });

  it('when a user asks for a service scope through the password grant, then invalid_scope; default service scopes are left out; a user token never reads the revocation feed by scope', async () => {
    const c = await createClient({
      name: 'mixed', grantTypes: ['password', 'refresh_token', 'client_credentials'],
      allowedScopes: ['read', 'revocations:read', 'tokens:introspect'], defaultScopes: ['read', 'revocations:read'],
    });
    for (const scope of ['revocations:read', 'read tokens:introspect']) {
      const { res } = await passwordGrant(c, { scope });
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.error, 'invalid_scope');
    }
    const { res } = await passwordGrant(c);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.scope, 'read', 'the default service scope is not granted to a user');
    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: res.body.refresh_token }, c);
    assert.equal(refreshed.body.scope, 'read');
    // The same client still gets it for itself (client_credentials).
    const cc = await token({ grant_type: 'client_credentials', scope: 'revocations:read' }, c);
    assert.equal(cc.body.scope, 'revocations:read');
    // A user's token is judged by role, never by a service scope it might carry (sessions from before the fix).
    assert.equal(canReadRevocations({ sub: 'u', sid: '7d9f2b7e-4c4a-4a55-9a35-3b1b0f0c2d11', role: 'user', scope: 'revocations:read' } as never), false);
    assert.equal(canReadRevocations({ sub: c.clientId, sid: 'cc:7d9f2b7e-4c4a-4a55-9a35-3b1b0f0c2d11', client_id: c.clientId, scope: 'revocations:read' } as never), true);
  });

  it('when the API refuses a bearer request, then WWW-Authenticate: Bearer with error and scope (RFC 6750 §3), alike on the fast path and in Express', async () => {
    const { accessToken } = await registerAndLogin(app);
    const cases: [string, string | null, number, RegExp][] = [
      ['/api/user/me', null, 401, /^Bearer realm="sessionary"$/],
      ['/api/user/me', 'not-a-token', 401, /^Bearer realm="sessionary", error="invalid_token", error_description="[^"]+"$/],
      ['/api/user/sessions', 'a.b.c', 401, /error="invalid_token"/],
    ];
    for (const [path, tok, status, challenge] of cases) {
      const fast = await app.http.get(path).set(tok ? bearer(tok) : {});
      const express = await app.http.get(`${path}?via=express`).set(tok ? bearer(tok) : {});
      assert.equal(fast.status, status, `${path} ${tok}`);
      assert.match(fast.headers['www-authenticate'] ?? '', challenge, `${path} ${tok}`);
      assert.equal(express.headers['www-authenticate'], fast.headers['www-authenticate'], `${path}: the same challenge from Express`);
    }
    const admin = await app.http.get('/api/admin/users').set(bearer(accessToken));
    assert.equal(admin.status, 403);
    assert.match(admin.headers['www-authenticate'] ?? '', /^Bearer realm="sessionary", error="insufficient_scope"/);
    const feed = await app.http.get('/api/revocations/stream').set(bearer(accessToken));
    assert.equal(feed.status, 403);
    assert.match(feed.headers['www-authenticate'] ?? '', /error="insufficient_scope".*scope="revocations:read"/);
    const expired = await app.http.post('/api/auth/logout').set(bearer('x'));
    assert.match(expired.headers['www-authenticate'] ?? '', /error="invalid_token"/);
    // Not bearer-protected: a wrong password or mfaToken is no token challenge.
    const login = await app.http.post('/api/auth/login').send({ email: ADMIN_EMAIL, password: 'wrong-password-here-1' });
    assert.equal(login.status, 401);
    assert.equal(login.headers['www-authenticate'], undefined);
  });

  it('when a client sends quotes, backslashes, controls or non-ASCII, then error_description keeps to RFC 6749 §5.2\'s characters', async () => {
    const answers = [
      await token({ grant_type: 'x"y\\z\u00e9\u2028' }, other),
      await token({ grant_type: 'client_credentials', scope: 'ok "quoted" caf\u00e9' }, other),
      await post('/oauth/token', { grant_type: 'client_credentials', client_id: 'no"such\\client' }),
      await post('/oauth/no"where\\', { token: 'x' }),
    ];
    for (const a of answers) {
      assert.ok(a.status >= 400 && a.status < 500, JSON.stringify(a.body));
      assert.equal(typeof a.body.error_description, 'string');
      assert.match(a.body.error_description, DESCRIPTION_CHARS, JSON.stringify(a.body));
    }
    assert.equal(answers[0].body.error, 'unsupported_grant_type');
  });

  it('when token_type_hint is unknown or wrong, then it is ignored and every type is searched (RFC 7009 §2.1, RFC 7662 §2.1)', async () => {
    const owner = await createClient({ name: 'hinted', grantTypes: ['password', 'refresh_token'] });
    const { res } = await passwordGrant(owner);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal((await introspect(introspector, res.body.refresh_token, { token_type_hint: 'something_else' })).active, true);
    assert.equal((await introspect(introspector, res.body.refresh_token, { token_type_hint: 'access_token' })).token_type, 'refresh_token');
    const revoked = await post('/oauth/revoke', { token: res.body.refresh_token, token_type_hint: 'id_token' }, basic(owner.clientId, owner.secret!));
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    assert.deepEqual(await introspect(introspector, res.body.refresh_token), { active: false }, 'revoked despite the unknown hint');
  });

  it('when the OpenAPI document shows an active client_credentials introspection, then its sub is the client id, as the server answers', async () => {
    const doc = parse(readFileSync(new URL('../../docs/openapi.yaml', import.meta.url), 'utf8'));
    const example = doc.paths['/oauth/introspect'].post.responses['200'].content['application/json'].examples.active.value;
    const cc = await token({ grant_type: 'client_credentials' }, introspector);
    const real = await introspect(introspector, cc.body.access_token);
    assert.equal(real.sub, introspector.clientId);
    assert.equal(example.sub, example.client_id, 'a client_credentials token\'s sub is its client_id');
    assert.deepEqual(Object.keys(example).sort(), Object.keys(real).sort());
  });
});
