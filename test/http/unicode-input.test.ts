// Invalid Unicode in request bodies, and one account per email however its Unicode is written.
// A lone UTF-16 surrogate (`\ud800`) is legal JSON text but not a Unicode string: it must be a 400 anywhere
// in a body (values, keys, nested), never a 500 from a library that chokes on it later.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { STRONG_PASSWORD, bearer, registerAndLogin, startTestApp, uniqueEmail, type TestApp } from '../helpers/app';
import { ZERO_UUID, concretePaths, documentedOperations, readsBody, type Method } from '../helpers/openapi-routes';

const ADMIN_EMAIL = 'unicode-admin@example.test';
const ADMIN_PASSWORD = 'admin-Quartz-88-meadow';

/**
 * Every route in docs/openapi.yaml that reads a body (JSON, or a form for /oauth/*) or could (every POST,
 * PATCH, PUT and DELETE: the body parser runs before the route), and a path no route has; path parameters
 * are an unknown UUID.
 */
const ROUTES: [method: Method, path: string, anonymous: boolean][] = [
  ...documentedOperations()
    .filter((op) => readsBody(op) || op.method !== 'get')
    .map((op) => [op.method, concretePaths(op, [ZERO_UUID])[0], op.anonymous] as [Method, string, boolean]),
  ['post', '/api/no-such-route', true],
];

const FIELDS = ['email', 'password', 'username', 'deviceName', 'refreshToken', 'mfaToken', 'code', 'backupCode', 'currentPassword', 'newPassword'];

/** JSON texts (escapes written out, as a client would send them) with invalid Unicode in various places. */
const BAD_JSON: string[] = [
  ...['\\ud800', '\\udfff', '\\udc00\\ud800', 'x\\ud83d', '\\ud83dx'].flatMap((s) =>
    FIELDS.map((f) => `{"${f}":"a${s}b@example.com","password":"${STRONG_PASSWORD}","email":"ok@example.com","${f}":"a${s}b@example.com"}`),
  ),
  `{"email":"a\\ud800b@example.com","password":"${STRONG_PASSWORD}"}`,
  `{"a\\ud800":"key with a lone surrogate"}`,
  `{"nested":{"deeper":[1,{"x":"\\udbff"}]}}`,
  `[${'['.repeat(40)}"\\ud800"${']'.repeat(40)}]`,
  `"\\ud800"`,
  `{"email":"nul\\u0000@example.com","password":"x"}`,
];

/** Bodies that are not UTF-8 at all (lone continuation byte, overlong, truncated sequence, CESU-8 surrogate). */
const BAD_BYTES: Buffer[] = [
  Buffer.from([0x7b, 0x22, 0x65, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]),
  Buffer.from([0x7b, 0x22, 0x65, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0x22, 0x7d]),
  Buffer.from([0x7b, 0x22, 0x65, 0x22, 0x3a, 0x22, 0xe2, 0x82, 0x22, 0x7d]),
  Buffer.from([0x7b, 0x22, 0x65, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]),
];

describe('invalid Unicode in bodies', () => {
  let app: TestApp;
  let userToken: string;
  let adminToken: string;
  before(async () => {
    app = await startTestApp({ env: { ADMIN_EMAIL, ADMIN_PASSWORD } });
    userToken = (await registerAndLogin(app)).accessToken;
    adminToken = (await app.http.post('/api/auth/login').send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD })).body.accessToken;
  });
  after(async () => {
    await app?.close();
  });

  it('when the register email holds a lone surrogate ("a\\ud800b@example.com"), then 400 VALIDATION_ERROR, not 500', async () => {
    const res = await app.http
      .post('/api/auth/register')
      .set('Content-Type', 'application/json')
      .send(`{"email":"a\\ud800b@example.com","password":"${STRONG_PASSWORD}"}`);
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'VALIDATION_ERROR');
    assert.deepEqual(res.body.error.details, [{ field: 'email', message: 'must be valid Unicode text (no lone surrogates)' }]);
  });

  it('when the routes come from docs/openapi.yaml, then the newer body-reading routes are among them', () => {
    const paths = ROUTES.map(([method, path]) => `${method} ${path}`);
    assert.ok(!paths.some((p) => p.startsWith('get ')));
    for (const route of ['post /oauth/token', 'post /oauth/introspect', 'post /api/admin/oauth-clients', `patch /api/admin/oauth-clients/${ZERO_UUID}`, 'delete /api/user/sessions/others', 'post /api/auth/logout-all']) {
      assert.ok(paths.includes(route), route);
    }
  });

  it('when every body-reading route gets invalid Unicode as the caller it serves (and a few bodies without a token), then never a 5xx and always the error shape', async () => {
    const failures: string[] = [];
    let sent = 0;
    const bodies: [type: string, body: string | Buffer][] = [
      ...BAD_JSON.map((b) => ['application/json', b] as [string, string]),
      ...BAD_BYTES.map((b) => ['application/json; charset=utf-8', b] as [string, Buffer]),
      ['application/x-www-form-urlencoded', 'grant_type=password&username=a%ED%A0%80b%40example.com&password=x&client_id=c'],
      ['application/x-www-form-urlencoded', 'grant_type=refresh_token&refresh_token=%F0%9F&client_id=%C0%AF'],
    ];
    // Without a token a protected route refuses at once: one body of each kind is enough there.
    const few = [bodies[0], bodies[BAD_JSON.length], bodies[bodies.length - 1]];
    for (const [method, path, anonymous] of ROUTES) {
      const callers: [token: string | null, bodies: typeof bodies][] = anonymous
        ? [[null, bodies]]
        : [[path.startsWith('/api/admin/') ? adminToken : userToken, bodies], [null, few]];
      for (const [token, sending] of callers) {
        for (const [type, body] of sending) {
          let req = app.http[method](path).set('Content-Type', type).set('Origin', app.url);
          if (token) req = req.set(bearer(token));
          const res = await req.send(body);
          sent += 1;
          // The browser endpoints of the code flow answer a person: an HTML page, never JSON (nor a redirect).
          const page = path === '/oauth/authorize' || path === '/oauth/end-session';
          const shapeOk = page
            ? /^text\/html/.test(res.headers['content-type'] ?? '')
            : path.startsWith('/oauth/') ? typeof res.body.error === 'string' : typeof res.body.error?.code === 'string';
          if (res.status >= 500 || (res.status >= 400 && !shapeOk)) {
            failures.push(`${method.toUpperCase()} ${path} [${type}] ${String(body).slice(0, 60)} → ${res.status} ${JSON.stringify(res.body).slice(0, 120)}`);
          }
        }
      }
    }
    assert.ok(sent > 1000, `only ${sent} requests`);
    assert.deepEqual(failures, []);
    assert.ok(!app.logs.some((l) => /unhandled error/.test(l)), 'an unhandled error was logged');
  });
});

describe('emails are one account whatever their Unicode form', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => {
    await app?.close();
  });

  it('when an address is registered in NFC, then its NFD form is EMAIL_TAKEN and logs in to the same account', async () => {
    const tag = uniqueEmail('x').split('@')[0];
    const nfc = `jos\u00e9.${tag}@example.test`;
    const nfd = nfc.normalize('NFD');
    assert.notEqual(nfc, nfd);
    const reg = await app.http.post('/api/auth/register').send({ email: nfc, password: STRONG_PASSWORD });
    assert.equal(reg.status, 201, JSON.stringify(reg.body));
    const twin = await app.http.post('/api/auth/register').send({ email: nfd.toUpperCase(), password: STRONG_PASSWORD });
    assert.equal(twin.status, 409, JSON.stringify(twin.body));
    assert.equal(twin.body.error.code, 'EMAIL_TAKEN');
    const login = await app.http.post('/api/auth/login').send({ email: nfd, password: STRONG_PASSWORD });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    assert.equal(login.body.user.id, reg.body.user.id);
    assert.equal(login.body.user.email, nfc);
  });

  it('when the domain is internationalised, then its Unicode, upper-case, NFD and punycode forms are one account, stored as the A-label', async () => {
    const local = uniqueEmail('ada').split('@')[0];
    const reg = await app.http.post('/api/auth/register').send({ email: `${local}@B\u00dcCHER.example`, password: STRONG_PASSWORD });
    assert.equal(reg.status, 201, JSON.stringify(reg.body));
    assert.equal(reg.body.user.email, `${local}@xn--bcher-kva.example`);
    for (const form of [`${local}@b\u00fccher.example`, `${local}@bu\u0308cher.example`, `${local}@xn--bcher-kva.example`, `${local}@XN--BCHER-KVA.EXAMPLE`]) {
      const twin = await app.http.post('/api/auth/register').send({ email: form, password: STRONG_PASSWORD });
      assert.equal(twin.status, 409, `${form}: ${JSON.stringify(twin.body)}`);
      const login = await app.http.post('/api/auth/login').send({ email: form, password: STRONG_PASSWORD });
      assert.equal(login.status, 200, `${form}: ${JSON.stringify(login.body)}`);
      assert.equal(login.body.user.id, reg.body.user.id);
    }
  });

  it('when the domain cannot be converted by IDNA, then register is 400 VALIDATION_ERROR on email', async () => {
    const res = await app.http.post('/api/auth/register').send({ email: `${uniqueEmail('x').split('@')[0]}@xn--a.example`, password: STRONG_PASSWORD });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.error.details[0].field, 'email');
  });
});

describe('per-account rate limit and Unicode spellings', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ env: { RATE_LIMIT_ACCOUNT_PER_MIN: '3' } });
  });
  after(async () => {
    await app?.close();
  });

  it('when login attempts alternate NFC, NFD, upper-case and punycode spellings of one address, then they share one bucket', async () => {
    const local = `jos\u00e9.${uniqueEmail('rl').split('@')[0]}`;
    const forms = [`${local}@b\u00fccher.example`, `${local.normalize('NFD')}@bu\u0308cher.example`, `${local.toUpperCase()}@B\u00dcCHER.EXAMPLE`, `${local}@xn--bcher-kva.example`];
    const statuses: number[] = [];
    for (const email of forms) statuses.push((await app.http.post('/api/auth/login').send({ email, password: 'wrong-Guess-1-qwerty' })).status);
    assert.deepEqual(statuses, [401, 401, 401, 429]);
  });
});
