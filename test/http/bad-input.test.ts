// Bad input of every shape, at every endpoint, gets a 4xx in the contract's error shape: never a 500,
// never a stack trace.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, registerAndLogin, useTestApp } from '../helpers/app';
import { ZERO_UUID, concretePaths, documentedOperations, isJsonRoute, type Method } from '../helpers/openapi-routes';

const ADMIN_EMAIL = 'bad-input-admin@example.test';
const ADMIN_PASSWORD = 'admin-Quartz-88-meadow';

/**
 * Every JSON route in docs/openapi.yaml (the /oauth form routes are fuzzed with forms in unicode-input.test.ts).
 * Every body goes to each route as the caller it serves (with a token unless the route is public) with path
 * parameters as an unknown UUID; a few more requests cover the other shapes (no token at a protected
 * route, a non-UUID path parameter, junk query parameters) without sending every body again.
 */
interface Case {
  method: Method;
  path: string;
  auth: boolean;
  bodies: 'all' | 'few';
}
const CASES: Case[] = documentedOperations()
  .filter(isJsonRoute)
  .filter((op) => !op.template.startsWith('/oauth/'))
  .flatMap((op) => {
    const [path] = concretePaths(op, [ZERO_UUID]) as [string];
    const cases: Case[] = [{ method: op.method, path, auth: !op.anonymous, bodies: 'all' }];
    if (!op.anonymous) cases.push({ method: op.method, path, auth: false, bodies: 'few' });
    if (op.pathParams.length > 0) cases.push({ method: op.method, path: concretePaths(op, ['not-a-uuid'])[0], auth: !op.anonymous, bodies: 'few' });
    if (op.queryParams.length > 0) cases.push({ method: op.method, path: `${path}?${op.queryParams.map((name) => `${name}=abc%%%`).join('&')}`, auth: !op.anonymous, bodies: 'few' });
    return cases;
  });

const BODIES: unknown[] = [
  null,
  [],
  [1, 2],
  'just a string',
  42,
  {},
  { email: 123, password: ['a'], username: { x: 1 } },
  { email: 'x'.repeat(5000) + '@example.test', password: 'y'.repeat(5000) },
  { email: 'not-an-email', password: '' },
  { email: '😀@😀.😀', password: '😀'.repeat(200), deviceName: '😀'.repeat(500) },
  { refreshToken: { $ne: null }, mfaToken: true, code: 123456, backupCode: [] },
  { currentPassword: null, newPassword: 7 },
  { email: "' OR 1=1 --", password: "'; DROP TABLE \"User\"; --" },
  { __proto__: { admin: true }, constructor: { prototype: { role: 'admin' } } },
];

/** The shapes that most often trip a handler: no object at all, the wrong container, the wrong types. */
const FEW_BODIES: unknown[] = [null, [1, 2], { email: 123, password: ['a'], username: { x: 1 } }];

describe('bad input never yields a 500', () => {
  const app = useTestApp({ env: { ADMIN_EMAIL, ADMIN_PASSWORD } });

  it('when the list is derived from docs/openapi.yaml, then it has the newer routes too', () => {
    const paths = new Set(CASES.map((c) => c.path.split('?')[0]));
    for (const p of ['/api/auth/register', '/api/user/sessions/others', '/api/admin/oauth-clients', '/api/admin/users', `/api/admin/oauth-clients/${ZERO_UUID}/rotate-secret`]) {
      assert.ok(paths.has(p), p);
    }
    assert.ok(!paths.has('/api/user/session-events'), 'event streams are left out: a request would wait for ever');
  });

  it('when every JSON route gets malformed bodies, then each answer is a contract-shaped 2xx/4xx', async () => {
    const failures: string[] = [];
    let token = '';
    let tokenFor = '';
    for (const { method, path, auth, bodies } of CASES) {
      // A fresh token for each route: an earlier route may have signed its user out (logout-all, sessions/others).
      if (auth && tokenFor !== `${method} ${path}`) {
        token = path.startsWith('/api/admin/')
          ? (await app.http.post('/api/auth/login').send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD })).body.accessToken
          : (await registerAndLogin(app)).accessToken;
        tokenFor = `${method} ${path}`;
      }
      for (const body of bodies === 'all' ? BODIES : FEW_BODIES) {
        let req = app.http[method](path).set('Content-Type', 'application/json');
        if (auth) req = req.set(bearer(token));
        const res = await req.send(JSON.stringify(body));
        const where = `${method.toUpperCase()} ${path} auth=${auth} body=${JSON.stringify(body)?.slice(0, 80)}`;
        if (res.status >= 500) failures.push(`${where} → ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`);
        else if (res.status >= 400 && !/^[A-Z_]+$/.test(res.body?.error?.code ?? '')) failures.push(`${where} → ${res.status} without an error code`);
        else if (/at .+\.(ts|js):\d+/.test(res.text)) failures.push(`${where}: stack trace in body`);
      }
    }
    assert.deepEqual(failures, []);
  });

  it('when the body is not JSON at all or claims another type, then 4xx', async () => {
    for (const [type, payload] of [
      ['application/json', '{"email": '],
      ['application/json', '\u0000\u0001'],
      ['text/plain', 'email=a&password=b'],
      ['application/x-www-form-urlencoded', 'email=a&password=b'],
      ['application/json; charset=utf-16', '{}'],
    ] as const) {
      const res = await app.http.post('/api/auth/login').set('Content-Type', type).send(payload);
      assert.ok(res.status >= 400 && res.status < 500, `${type} ${JSON.stringify(payload)} → ${res.status}`);
      assert.ok(res.body.error?.code, `${type}: contract error shape`);
    }
  });
});
