// Issue 14, "Trusted devices for 2FA": "remember this device" at the 2FA step gives a device-bound token
// (JSON field for apps, HttpOnly cookie for the browser) that skips the second factor on that device only,
// within TRUSTED_DEVICE_TTL; devices are listed and revocable; a password change, disabling 2FA or an admin
// 2FA reset forgets them all.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { generateTotpCode } from '../../backend/src/infrastructure/two-factor/totp';
import { bearer, claimsOf, freshTotpStep, registerAndLogin, TEST_PASSWORD, useTestApp } from '../helpers/app';

const ADMIN = { email: 'trusted-admin@example.test', password: 'admin-Quartz-41-meadow' };

describe('trusted devices for 2FA', () => {
  let db: pg.Client;
  after(async () => {
    await db?.end();
  });
  const app = useTestApp({ env: { TRUSTED_DEVICE_TTL: '86400', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password } });
  before(async () => {
    db = new pg.Client({ connectionString: app.database.url });
    await db.connect();
  });

  /** A user with 2FA on; returns the secret and a session token. */
  async function enrolled() {
    const s = await registerAndLogin(app);
    const enable = await app.http.post('/api/user/2fa/enable').set(bearer(s.accessToken)).send({ password: TEST_PASSWORD });
    assert.equal(enable.status, 200, JSON.stringify(enable.body));
    const verify = await app.http.post('/api/user/2fa/verify').set(bearer(s.accessToken)).send({ code: generateTotpCode(enable.body.secret, freshTotpStep(app)) });
    assert.equal(verify.status, 200, JSON.stringify(verify.body));
    return { ...s, secret: enable.body.secret as string };
  }

  async function signInWithCode(u: { email: string; secret: string }, body: Record<string, unknown> = {}, ua = 'Sessionary-Android/2.1') {
    const step1 = await app.http.post('/api/auth/login').set('User-Agent', ua).send({ email: u.email, password: TEST_PASSWORD });
    assert.equal(step1.body.mfaRequired, true, JSON.stringify(step1.body));
    const step2 = await app.http.post('/api/auth/login/2fa').set('User-Agent', ua).send({ mfaToken: step1.body.mfaToken, code: generateTotpCode(u.secret, freshTotpStep(app)), ...body });
    assert.equal(step2.status, 200, JSON.stringify(step2.body));
    return step2.body as { accessToken: string; sessionId: string; trustedDeviceToken?: string; trustedDeviceExpiresAt?: string };
  }

  const login = (u: { email: string }, trustedDeviceToken?: string, password = TEST_PASSWORD) =>
    app.http.post('/api/auth/login').set('User-Agent', 'Sessionary-Android/2.1').send({ email: u.email, password, ...(trustedDeviceToken ? { trustedDeviceToken } : {}) });

  it('when the 2FA step asks to remember the device, then that token skips the second factor (aal 2) for that account only, and only with the right password', async () => {
    const u = await enrolled();
    const remembered = await signInWithCode(u, { rememberDevice: true });
    assert.equal(typeof remembered.trustedDeviceToken, 'string');
    const ttl = Date.parse(remembered.trustedDeviceExpiresAt!) - app.clock.now().getTime();
    assert.ok(ttl > 86_000_000 && ttl <= 86_400_000, `lifetime ${ttl} ms`);
    const stored = await db.query('SELECT "tokenHash" FROM "TrustedDevice" WHERE "userId" = $1', [u.userId]);
    assert.equal(stored.rowCount, 1);
    assert.notEqual(stored.rows[0].tokenHash, remembered.trustedDeviceToken, 'only a hash is stored');

    const skipped = await login(u, remembered.trustedDeviceToken);
    assert.equal(skipped.status, 200, JSON.stringify(skipped.body));
    assert.equal(skipped.body.mfaRequired, undefined);
    assert.equal(claimsOf(skipped.body.accessToken).aal, 2);

    assert.equal((await login(u)).body.mfaRequired, true, 'without the token the code is asked for');
    assert.equal((await login(u, 'x'.repeat(43))).body.mfaRequired, true, 'an unknown token is ignored');
    assert.equal((await login(u, remembered.trustedDeviceToken, 'wrong-Guess-1-qwerty')).status, 401, 'the password is still checked');
    const other = await enrolled();
    assert.equal((await login(other, remembered.trustedDeviceToken)).body.mfaRequired, true, "another account's device token does nothing");
    // Without rememberDevice no token is handed out.
    assert.equal((await signInWithCode(u)).trustedDeviceToken, undefined);
  });

  it('when the lifetime has passed, then the device asks for the code again', async () => {
    const u = await enrolled();
    const { trustedDeviceToken } = await signInWithCode(u, { rememberDevice: true });
    app.clock.advance(86_401);
    assert.equal((await login(u, trustedDeviceToken)).body.mfaRequired, true);
  });

  it('when devices are listed and one is forgotten, then it asks for the code again while the other still skips it', async () => {
    const u = await enrolled();
    const phone = await signInWithCode(u, { rememberDevice: true });
    const tablet = await signInWithCode(u, { rememberDevice: true }, 'Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1');
    const list = await app.http.get('/api/user/trusted-devices').set(bearer(phone.accessToken));
    assert.equal(list.status, 200);
    assert.equal(list.body.devices.length, 2);
    assert.ok(!JSON.stringify(list.body).includes('tokenHash'));
    const mine = list.body.devices.find((d: { current: boolean }) => d.current);
    assert.ok(list.body.devices.every((d: { os: string | null }) => typeof d.os === 'string' || d.os === null), JSON.stringify(list.body));
    assert.ok(mine, 'the device this session signed in through is marked current');
    const ipad = list.body.devices.find((d: { id: string }) => d.id !== mine.id);
    assert.ok(ipad, JSON.stringify(list.body));

    assert.equal((await app.http.delete(`/api/user/trusted-devices/${ipad.id}`).set(bearer(phone.accessToken))).status, 204);
    assert.equal((await app.http.delete(`/api/user/trusted-devices/${ipad.id}`).set(bearer(phone.accessToken))).status, 404);
    assert.equal((await app.http.delete('/api/user/trusted-devices/not-a-uuid').set(bearer(phone.accessToken))).status, 404);
    assert.equal((await login(u, tablet.trustedDeviceToken)).body.mfaRequired, true);
    assert.equal((await login(u, phone.trustedDeviceToken)).status, 200);
    assert.equal((await login(u, phone.trustedDeviceToken)).body.mfaRequired, undefined);

    const intruder = await registerAndLogin(app);
    assert.equal((await app.http.delete(`/api/user/trusted-devices/${mine.id}`).set(bearer(intruder.accessToken))).status, 404, "another user's device is NOT_FOUND");
    const all = await app.http.delete('/api/user/trusted-devices').set(bearer(phone.accessToken));
    assert.deepEqual(all.body, { forgotten: 1 });
    assert.equal((await login(u, phone.trustedDeviceToken)).body.mfaRequired, true);
  });

  it('when the password changes, 2FA is disabled, or an admin resets 2FA, then every trusted device is forgotten', async () => {
    // Password change.
    const a = await enrolled();
    const aDevice = await signInWithCode(a, { rememberDevice: true });
    const changed = await app.http.post('/api/user/change-password').set(bearer(aDevice.accessToken)).send({ currentPassword: TEST_PASSWORD, newPassword: 'new-Cobalt-55-river' });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.equal((await login(a, aDevice.trustedDeviceToken, 'new-Cobalt-55-river')).body.mfaRequired, true);

    // Disabling 2FA (then enrolling again: the old device is still forgotten).
    const b = await enrolled();
    const bDevice = await signInWithCode(b, { rememberDevice: true });
    const disabled = await app.http.post('/api/user/2fa/disable').set(bearer(bDevice.accessToken)).send({ password: TEST_PASSWORD, code: generateTotpCode(b.secret, freshTotpStep(app)) });
    assert.equal(disabled.status, 200, JSON.stringify(disabled.body));
    assert.equal((await db.query('SELECT 1 FROM "TrustedDevice" WHERE "userId" = $1', [b.userId])).rowCount, 0);

    // Admin reset.
    const c = await enrolled();
    const cDevice = await signInWithCode(c, { rememberDevice: true });
    const admin = await app.http.post('/api/auth/login').send(ADMIN);
    assert.equal(admin.status, 200, JSON.stringify(admin.body));
    assert.equal((await app.http.post(`/api/admin/users/${c.userId}/reset-2fa`).set(bearer(admin.body.accessToken))).status, 200);
    assert.equal((await db.query('SELECT 1 FROM "TrustedDevice" WHERE "userId" = $1', [c.userId])).rowCount, 0);
    const events = await app.http.get('/api/user/security-events').set(bearer(cDevice.accessToken));
    const forgotten = events.body.events.filter((e: { type: string }) => e.type === '2fa.trusted_devices_forgotten');
    assert.deepEqual(forgotten.map((e: { metadata: { reason: string; count: number } }) => [e.metadata.reason, e.metadata.count]), [['admin_2fa_reset', 1]]);
  });

  it('when the browser flow remembers the device, then the token is only in an HttpOnly cookie and the next browser sign-in skips the code', async () => {
    const u = await enrolled();
    const origin = { Origin: app.url };
    const step1 = await app.http.post('/api/auth/browser/login').set(origin).send({ email: u.email, password: TEST_PASSWORD });
    assert.equal(step1.body.mfaRequired, true);
    const step2 = await app.http.post('/api/auth/browser/login/2fa').set(origin).send({ mfaToken: step1.body.mfaToken, code: generateTotpCode(u.secret, freshTotpStep(app)), rememberDevice: true });
    assert.equal(step2.status, 200, JSON.stringify(step2.body));
    assert.equal(step2.body.trustedDeviceToken, undefined, 'never in the body');
    const cookies = ([] as string[]).concat(step2.headers['set-cookie'] ?? []);
    const device = cookies.find((c) => c.startsWith('sessionary_device='));
    assert.ok(device, JSON.stringify(cookies));
    assert.match(device, /HttpOnly/i);
    assert.match(device, /SameSite=Strict/i);
    assert.match(device, /Path=\/api\/auth\/browser/);
    const again = await app.http.post('/api/auth/browser/login').set(origin).set('Cookie', device.split(';')[0]).send({ email: u.email, password: TEST_PASSWORD });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.mfaRequired, undefined);
    assert.equal(typeof again.body.accessToken, 'string');
  });
});
