// Issue 33: where sessions are, and the first anomaly signals. The traffic is all loopback; with TRUST_PROXY
// the X-Forwarded-For header claims public addresses whose country the bundled database knows
// (81.169.145.1 Germany, 77.88.8.8 Russia, 8.8.8.8 United States).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateTotpCode } from '../../backend/src/infrastructure/two-factor/totp';
import { bearer, freshTotpStep, registerAndLogin, TEST_PASSWORD, useTestApp } from '../helpers/app';
import { useMailbox } from '../helpers/mailbox';

const GERMANY = '81.169.145.1';
const RUSSIA = '77.88.8.8';
const USA = '8.8.8.8';
const ADMIN = { email: 'geo-admin@example.test', password: 'admin-Quartz-41-meadow' };
const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';

interface Event {
  type: string;
  metadata: Record<string, unknown>;
}
interface SessionView {
  id: string;
  lastIpAddress: string | null;
  location: { countryCode: string; country: string; city: string | null; region: string | null } | null;
}

describe('session location and anomaly signals', () => {
  const mailbox = useMailbox();
  const app = useTestApp(() => ({ env: { SMTP_URL: mailbox.url, TRUST_PROXY: 'loopback', GEO_NEW_COUNTRY_REQUIRES_2FA: 'on', TRUSTED_DEVICE_TTL: '86400', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password } }));

  const login = (email: string, ip: string, ua = FIREFOX_WINDOWS, extra: Record<string, unknown> = {}) =>
    app.http.post('/api/auth/login').set('User-Agent', ua).set('X-Forwarded-For', ip).send({ email, password: TEST_PASSWORD, ...extra });
  const sessions = async (token: string) => (await app.http.get('/api/user/sessions').set(bearer(token)).expect(200)).body.sessions as SessionView[];
  const events = async (token: string) => (await app.http.get('/api/user/security-events?limit=100').set(bearer(token)).expect(200)).body.events as Event[];

  it('when signing in from public addresses, then the session list shows their country; loopback and private addresses show none', async () => {
    const u = await registerAndLogin(app);
    const berlin = (await login(u.email, GERMANY).expect(200)).body as { sessionId: string; accessToken: string };
    const lan = (await login(u.email, '192.168.1.20').expect(200)).body as { sessionId: string };
    const list = await sessions(u.accessToken);
    assert.deepEqual(list.find((s) => s.id === berlin.sessionId)?.location, { countryCode: 'DE', country: 'Germany', city: null, region: null });
    assert.equal(list.find((s) => s.id === u.sessionId)?.location, null, 'loopback');
    assert.equal(list.find((s) => s.id === lan.sessionId)?.location, null, 'private');

    const signIn = (await events(u.accessToken)).find((e) => e.type === 'login.succeeded' && e.metadata.sessionId === berlin.sessionId);
    assert.equal(signIn?.metadata.country, 'DE');
    assert.equal(signIn?.metadata.newCountry, undefined, 'the first located sign-in has nothing to compare with');
  });

  it('when a session is used from another country, then its location follows the last-seen IP', async () => {
    const u = await registerAndLogin(app);
    const s = (await login(u.email, GERMANY).expect(200)).body as { sessionId: string; accessToken: string };
    // The stamp is written after the response, at most once a minute per session.
    await app.http.get('/api/user/me').set(bearer(s.accessToken)).set('X-Forwarded-For', RUSSIA).expect(200);
    let seen: SessionView | undefined;
    for (let i = 0; i < 50 && seen?.location?.countryCode !== 'RU'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      seen = (await sessions(u.accessToken)).find((x) => x.id === s.sessionId);
    }
    assert.equal(seen?.lastIpAddress, RUSSIA);
    assert.deepEqual(seen?.location, { countryCode: 'RU', country: 'Russia', city: null, region: null });
  });

  it('when an account signs in from a country it never used, then the sign-in is marked, and a second country within the window is impossible travel: logged, and mailed with a "this wasn\'t me" link that ends that session', async () => {
    const u = await registerAndLogin(app);
    await login(u.email, GERMANY, 'Sessionary-Android/2.1').expect(200);
    await mailbox.next(u.email, /New sign-in/);
    const moscow = (await login(u.email, RUSSIA).expect(200)).body as { sessionId: string; accessToken: string };
    // One mail for the sign-in: the impossible-travel one says more than "new device" and replaces it.
    const mail = await mailbox.next(u.email, /from Russia/);
    assert.match(mail.subject, /^Sign-in to your .+ account from Russia$/);
    assert.match(mail.text, /signed in to from Russia, though it was used from Germany at \d{4}-/);
    assert.match(mail.text, /Device: Firefox on Windows/);
    assert.match(mail.text, /IP address: 77\.88\.8\.8/);

    const list = await events(u.accessToken);
    const signIn = list.find((e) => e.type === 'login.succeeded' && e.metadata.sessionId === moscow.sessionId);
    assert.deepEqual([signIn?.metadata.country, signIn?.metadata.newCountry, signIn?.metadata.newDevice], ['RU', true, true]);
    assert.ok(list.some((e) => e.type === 'login.new_device' && e.metadata.sessionId === moscow.sessionId), 'still logged as a new device');
    const travel = list.find((e) => e.type === 'login.impossible_travel');
    assert.equal(travel?.metadata.sessionId, moscow.sessionId);
    assert.deepEqual([travel?.metadata.country, travel?.metadata.previousCountry, travel?.metadata.windowSeconds], ['RU', 'DE', 3600]);

    const report = await app.http.post('/api/auth/sign-in-report').send({ token: mail.token('/not-me') }).expect(200);
    assert.equal(report.body.sessionId, moscow.sessionId);
    assert.equal((await app.http.get('/api/user/me').set(bearer(moscow.accessToken))).body.error?.code, 'SESSION_TERMINATED');

    // Outside the window a third country is new, but not impossible travel: the ordinary new-device mail.
    app.clock.advance(2 * 3600);
    const later = (await login(u.email, USA).expect(200)).body as { sessionId: string; accessToken: string };
    const after = await events(later.accessToken);
    assert.equal(after.find((e) => e.type === 'login.succeeded' && e.metadata.sessionId === later.sessionId)?.metadata.newCountry, true);
    assert.ok(!after.some((e) => e.type === 'login.impossible_travel' && e.metadata.sessionId === later.sessionId));
    assert.match((await mailbox.next(u.email, /New sign-in/)).text, /in United States/);
  });

  it('when a known device in a known country follows a sign-in elsewhere within the window, then that is impossible travel too, and the owner is mailed', async () => {
    const u = await registerAndLogin(app);
    await login(u.email, GERMANY).expect(200);
    await mailbox.next(u.email, /New sign-in/);
    app.clock.advance(2 * 3600);
    await login(u.email, USA).expect(200);
    await mailbox.next(u.email, /New sign-in/);
    // Back in Germany ten minutes after the United States, from the very device used there before.
    app.clock.advance(600);
    const back = (await login(u.email, GERMANY).expect(200)).body as { sessionId: string; accessToken: string };
    const mail = await mailbox.next(u.email, /from Germany/);
    assert.match(mail.text, /signed in to from Germany, though it was used from United States at /);
    const list = await events(back.accessToken);
    const signIn = list.find((e) => e.type === 'login.succeeded' && e.metadata.sessionId === back.sessionId);
    assert.equal(signIn?.metadata.newCountry, undefined, 'Germany is known');
    assert.equal(signIn?.metadata.newDevice, undefined, 'the device is known');
    const travel = list.find((e) => e.type === 'login.impossible_travel' && e.metadata.sessionId === back.sessionId);
    assert.deepEqual([travel?.metadata.country, travel?.metadata.previousCountry], ['DE', 'US']);
  });

  it('when several first sign-ins from one new country run in parallel, then exactly one of them is marked as a new country', async () => {
    const u = await registerAndLogin(app);
    await login(u.email, GERMANY).expect(200);
    // Outside the impossible-travel window, so only the new-country mark is at stake.
    app.clock.advance(2 * 3600);
    const parallel = await Promise.all(Array.from({ length: 6 }, () => login(u.email, RUSSIA).expect(200)));
    const ids = new Set(parallel.map((r) => (r.body as { sessionId: string }).sessionId));
    const list = await events(u.accessToken);
    const signIns = list.filter((e) => e.type === 'login.succeeded' && ids.has(e.metadata.sessionId as string));
    assert.equal(signIns.length, 6);
    assert.equal(signIns.filter((e) => e.metadata.newCountry === true).length, 1, JSON.stringify(signIns.map((e) => e.metadata)));
    assert.ok(signIns.every((e) => e.metadata.country === 'RU'));
  });

  it('when an admin opens a user\'s sessions, then each shows its location (null for a private address), without the user\'s own fields; others get 403 and an unknown user 404', async () => {
    const u = await registerAndLogin(app);
    const berlin = (await login(u.email, GERMANY).expect(200)).body as { sessionId: string };
    const lan = (await login(u.email, '10.1.2.3').expect(200)).body as { sessionId: string };
    const admin = (await app.http.post('/api/auth/login').send(ADMIN).expect(200)).body as { accessToken: string };
    const list = (await app.http.get(`/api/admin/users/${u.userId}/sessions`).set(bearer(admin.accessToken)).expect(200)).body.sessions as (SessionView & { current?: boolean })[];
    assert.equal(list.length, 3);
    const de = list.find((s) => s.id === berlin.sessionId);
    assert.deepEqual(de?.location, { countryCode: 'DE', country: 'Germany', city: null, region: null });
    assert.equal(de?.lastIpAddress, GERMANY);
    assert.equal(list.find((s) => s.id === lan.sessionId)?.location, null);
    assert.ok(list.every((s) => !('current' in s)), 'the admin holds none of these sessions');

    const denied = await app.http.get(`/api/admin/users/${u.userId}/sessions`).set(bearer(u.accessToken)).expect(403);
    assert.equal(denied.body.error.code, 'FORBIDDEN');
    const unknown = await app.http.get('/api/admin/users/00000000-0000-4000-8000-000000000000/sessions').set(bearer(admin.accessToken)).expect(404);
    assert.equal(unknown.body.error.code, 'NOT_FOUND');
  });

  it('when GEO_NEW_COUNTRY_REQUIRES_2FA is on, then a remembered device asks for the code from a new country, and not from a known one', async () => {
    const u = await registerAndLogin(app);
    const enable = await app.http.post('/api/user/2fa/enable').set(bearer(u.accessToken)).send({ password: TEST_PASSWORD }).expect(200);
    const secret = enable.body.secret as string;
    await app.http.post('/api/user/2fa/verify').set(bearer(u.accessToken)).send({ code: generateTotpCode(secret, freshTotpStep(app)) }).expect(200);
    const step1 = await login(u.email, GERMANY).expect(200);
    assert.equal(step1.body.mfaRequired, true);
    const step2 = await app.http.post('/api/auth/login/2fa').set('User-Agent', FIREFOX_WINDOWS).set('X-Forwarded-For', GERMANY)
      .send({ mfaToken: step1.body.mfaToken, code: generateTotpCode(secret, freshTotpStep(app)), rememberDevice: true }).expect(200);
    const trustedDeviceToken = step2.body.trustedDeviceToken as string;

    const home = await login(u.email, GERMANY, FIREFOX_WINDOWS, { trustedDeviceToken }).expect(200);
    assert.equal(home.body.mfaRequired, undefined, 'a known country: the remembered device stands in for the code');
    const abroad = await login(u.email, USA, FIREFOX_WINDOWS, { trustedDeviceToken }).expect(200);
    assert.equal(abroad.body.mfaRequired, true, 'a new country: the code is asked for');
  });
});
