// Password and code checks outside login (change-password, 2FA disable, backup-code regeneration) count
// toward the same lockout as login failures, and are audited: a stolen session cannot guess the password
// 14,400 times a day through them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateTotpCode } from '../../backend/src/infrastructure/two-factor/totp';
import { STRONG_PASSWORD, bearer, registerAndLogin, startTestApp, type TestApp } from '../helpers/app';

type Res = { status: number; body: { error?: { code?: string } }; headers: Record<string, string | undefined> };

function assertLocked(res: Res): void {
  assert.equal(res.status, 423, JSON.stringify(res.body));
  assert.equal(res.body.error?.code, 'ACCOUNT_LOCKED');
  assert.match(res.headers['retry-after'] ?? '', /^\d+$/);
}

describe('re-authentication failures count toward lockout (LOGIN_MAX_FAILURES=3)', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ env: { LOGIN_MAX_FAILURES: '3', LOGIN_LOCK_SECONDS: '60' } });
  });
  after(async () => {
    await app?.close();
  });

  const events = async (token: string) =>
    ((await app.http.get('/api/user/security-events?limit=100').set(bearer(token))).body.events as { type: string; metadata: Record<string, unknown> }[]);

  it('when change-password gets 3 wrong current passwords, then the 4th call and login are 423 ACCOUNT_LOCKED with Retry-After, and each failure is audited', async () => {
    const u = await registerAndLogin(app);
    for (let i = 0; i < 3; i++) {
      const res = await app.http.post('/api/user/change-password').set(bearer(u.accessToken)).send({ currentPassword: `wrong-Guess-${i}-qwerty`, newPassword: 'new-Cobalt-55-river' });
      assert.equal(res.status, 401, JSON.stringify(res.body));
    }
    assertLocked(await app.http.post('/api/user/change-password').set(bearer(u.accessToken)).send({ currentPassword: STRONG_PASSWORD, newPassword: 'new-Cobalt-55-river' }));
    assertLocked(await app.http.post('/api/auth/login').send({ email: u.email, password: STRONG_PASSWORD }));
    const list = await events(u.accessToken);
    const failures = list.filter((e) => e.type === 'reauth.failed');
    assert.equal(failures.length, 3, JSON.stringify(list));
    assert.ok(failures.every((e) => e.metadata.context === 'change_password' && e.metadata.factor === 'password'));
    assert.ok(list.some((e) => e.type === 'account.locked'));
  });

  it('when 2fa/disable and 2fa/backup-codes get wrong passwords or wrong codes, then they count together and lock the account', async () => {
    const u = await registerAndLogin(app);
    const enable = await app.http.post('/api/user/2fa/enable').set(bearer(u.accessToken)).send({ password: STRONG_PASSWORD });
    assert.equal(enable.status, 200, JSON.stringify(enable.body));
    const verify = await app.http.post('/api/user/2fa/verify').set(bearer(u.accessToken)).send({ code: generateTotpCode(enable.body.secret, app.clock.now()) });
    assert.equal(verify.status, 200, JSON.stringify(verify.body));

    const wrongPassword = await app.http.post('/api/user/2fa/backup-codes').set(bearer(u.accessToken)).send({ password: 'wrong-Guess-1-qwerty' });
    assert.equal(wrongPassword.status, 401);
    const wrongDisablePassword = await app.http.post('/api/user/2fa/disable').set(bearer(u.accessToken)).send({ password: 'wrong-Guess-2-qwerty', code: '000000' });
    assert.equal(wrongDisablePassword.status, 401);
    const wrongCode = await app.http.post('/api/user/2fa/disable').set(bearer(u.accessToken)).send({ password: STRONG_PASSWORD, code: 'zzzzz-zzzzz' });
    assert.equal(wrongCode.status, 401);
    assert.equal(wrongCode.body.error.code, 'MFA_INVALID_CODE');
    assertLocked(await app.http.post('/api/user/2fa/backup-codes').set(bearer(u.accessToken)).send({ password: STRONG_PASSWORD }));
    const list = await events(u.accessToken);
    const contexts = list.filter((e) => e.type === 'reauth.failed').map((e) => `${String(e.metadata.context as string)}:${String(e.metadata.factor as string)}`).sort();
    assert.deepEqual(contexts, ['2fa_backup_codes:password', '2fa_disable:backup_code', '2fa_disable:password']);
  });

  it('when the right current password follows 2 failures, then the counter resets like a successful login', async () => {
    const u = await registerAndLogin(app);
    for (let i = 0; i < 2; i++) {
      await app.http.post('/api/user/change-password').set(bearer(u.accessToken)).send({ currentPassword: `wrong-Guess-${i}-qwerty`, newPassword: 'new-Cobalt-55-river' });
    }
    const ok = await app.http.post('/api/user/change-password').set(bearer(u.accessToken)).send({ currentPassword: STRONG_PASSWORD, newPassword: 'new-Cobalt-55-river' });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    for (let i = 0; i < 2; i++) {
      assert.equal((await app.http.post('/api/auth/login').send({ email: u.email, password: `wrong-Guess-${i}-qwerty` })).status, 401);
    }
    assert.equal((await app.http.post('/api/auth/login').send({ email: u.email, password: 'new-Cobalt-55-river' })).status, 200);
  });
});
