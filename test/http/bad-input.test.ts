// Bad input of every shape, at every endpoint, gets a 4xx in the contract's error shape: never a 500,
// never a stack trace.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, registerAndLogin, useTestApp } from '../helpers/app';

const ENDPOINTS: [method: 'post' | 'get' | 'delete', path: string][] = [
  ['post', '/api/auth/register'],
  ['post', '/api/auth/login'],
  ['post', '/api/auth/login/2fa'],
  ['post', '/api/auth/refresh'],
  ['post', '/api/auth/logout'],
  ['post', '/api/auth/logout-all'],
  ['get', '/api/auth/validate'],
  ['get', '/api/user/me'],
  ['post', '/api/user/change-password'],
  ['get', '/api/user/sessions'],
  ['delete', '/api/user/sessions/not-a-uuid'],
  ['delete', '/api/user/sessions/00000000-0000-0000-0000-000000000000'],
  ['post', '/api/user/2fa/enable'],
  ['post', '/api/user/2fa/verify'],
  ['post', '/api/user/2fa/disable'],
  ['post', '/api/user/2fa/backup-codes'],
  ['get', '/api/user/security-events?limit=abc&before=%%%'],
  ['get', '/api/admin/registrations?status=weird'],
  ['post', '/api/admin/registrations/not-a-uuid/approve'],
  ['post', '/api/admin/users/00000000-0000-0000-0000-000000000000/revoke-sessions'],
];

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

describe('bad input never yields a 500', () => {
  const app = useTestApp();
  let token: string;
  before(async () => {
    token = (await registerAndLogin(app)).accessToken;
  });

  it('when every endpoint gets malformed bodies with and without a token, then each answer is a contract-shaped 2xx/4xx', async () => {
    for (const [method, path] of ENDPOINTS) {
      for (const auth of [false, true]) {
        for (const body of BODIES) {
          let req = app.http[method](path).set('Content-Type', 'application/json');
          if (auth) req = req.set(bearer(token));
          const res = await req.send(JSON.stringify(body));
          const where = `${method.toUpperCase()} ${path} auth=${auth} body=${JSON.stringify(body)?.slice(0, 80)}`;
          assert.ok(res.status < 500, `${where} → ${res.status} ${JSON.stringify(res.body)}`);
          if (res.status >= 400) {
            assert.match(res.body?.error?.code ?? '', /^[A-Z_]+$/, where);
            assert.doesNotMatch(res.text, /at .+\.(ts|js):\d+/, `${where}: stack trace in body`);
          }
        }
      }
    }
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
