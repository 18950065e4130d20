// ADMIN_EMAIL bootstrap against PostgreSQL across restarts: it creates the admin when the email is free, and
// never elevates or activates an account whose password it did not set (someone may have registered the
// operator's email first). An ADMIN_PASSWORD that is not applied is reported in the log.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_PASSWORD, bearer, uniqueEmail, useTestApps, type TestApp } from '../helpers/app';

const OPERATOR_PASSWORD = 'operator-Granite-42-harbour';

function logLines(app: TestApp): { level: string; message: string; [k: string]: unknown }[] {
  return app.logs.map((l) => JSON.parse(l));
}

describe('ADMIN_EMAIL bootstrap', () => {
  // Restarts share the suite's database; every instance still open is closed after the suite.
  const apps = useTestApps();
  const start = (env: Record<string, string> = {}) => apps.start({ env });
  const stop = (app: TestApp) => app.close();

  it('when someone registered the ADMIN_EMAIL first, then a restart with ADMIN_EMAIL leaves that account a user, its tokens keep role user, and an error line says why', async () => {
    const email = uniqueEmail('boss');
    const before = await start();
    const reg = await before.http.post('/api/auth/register').send({ email, password: TEST_PASSWORD });
    assert.equal(reg.status, 201);
    const login = await before.http.post('/api/auth/login').send({ email, password: TEST_PASSWORD });
    assert.equal(login.status, 200);
    await stop(before);

    const app = await start({ ADMIN_EMAIL: email, ADMIN_PASSWORD: OPERATOR_PASSWORD });
    const refreshed = await app.http.post('/api/auth/refresh').send({ refreshToken: login.body.refreshToken });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    assert.equal(refreshed.body.user.role, 'user');
    const attacker = await app.http.post('/api/auth/login').send({ email, password: TEST_PASSWORD });
    assert.equal(attacker.status, 200);
    assert.equal(attacker.body.user.role, 'user');
    const admin = await app.http.get('/api/admin/registrations').set(bearer(attacker.body.accessToken));
    assert.equal(admin.status, 403);
    // The operator's password was not set on the account either.
    const operator = await app.http.post('/api/auth/login').send({ email, password: OPERATOR_PASSWORD });
    assert.equal(operator.status, 401);

    const refused = logLines(app).find((l) => l.level === 'error' && /ADMIN_EMAIL/.test(l.message));
    assert.ok(refused, `no error line about ADMIN_EMAIL in ${JSON.stringify(logLines(app).map((l) => l.message))}`);
    assert.match(refused.message, /not (elevated|promoted)/);
    assert.equal(refused.userId, reg.body.user.id);
    assert.ok(!logLines(app).some((l) => /admin account (ensured|created)/.test(l.message)));
    const events = await app.http.get('/api/user/security-events').set(bearer(attacker.body.accessToken));
    assert.ok(events.body.events.some((e: { type: string }) => e.type === 'admin.bootstrap_refused'), JSON.stringify(events.body));
    await stop(app);
  });

  it('when a pending registration holds the ADMIN_EMAIL in approval mode, then bootstrap neither activates nor promotes it', async () => {
    const email = uniqueEmail('pending-boss');
    const before = await start({ REGISTRATION_MODE: 'approval' });
    const reg = await before.http.post('/api/auth/register').send({ email, password: TEST_PASSWORD });
    assert.equal(reg.status, 202);
    await stop(before);

    const app = await start({ REGISTRATION_MODE: 'approval', ADMIN_EMAIL: email, ADMIN_PASSWORD: OPERATOR_PASSWORD });
    const res = await app.http.post('/api/auth/login').send({ email, password: TEST_PASSWORD });
    assert.equal(res.status, 403, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'ACCOUNT_PENDING');
    assert.ok(logLines(app).some((l) => l.level === 'error' && /ADMIN_EMAIL/.test(l.message)));
    await stop(app);
  });

  it('when the email is free, then the admin is created; a restart with another ADMIN_PASSWORD keeps the old one and logs a warning that it was ignored', async () => {
    const email = uniqueEmail('root');
    // A loopback issuer: the test apps' http://auth.test draws the start-up warning about a non-https issuer,
    // and this test holds the bootstrap to "no warning at all" on a clean restart.
    const issuer = { JWT_ISSUER: 'http://localhost' };
    const first = await start({ ...issuer, ADMIN_EMAIL: email, ADMIN_PASSWORD: OPERATOR_PASSWORD });
    const login = await first.http.post('/api/auth/login').send({ email, password: OPERATOR_PASSWORD });
    assert.equal(login.status, 200);
    assert.equal(login.body.user.role, 'admin');
    assert.ok(logLines(first).some((l) => l.level === 'info' && /admin account created/.test(l.message)));
    await stop(first);

    // Same password: nothing to report beyond an info line.
    const same = await start({ ...issuer, ADMIN_EMAIL: email, ADMIN_PASSWORD: OPERATOR_PASSWORD });
    assert.ok(!logLines(same).some((l) => l.level === 'warn' || l.level === 'error'), JSON.stringify(logLines(same)));
    await stop(same);

    const other = await start({ ...issuer, ADMIN_EMAIL: email, ADMIN_PASSWORD: 'another-Basalt-17-orchard' });
    const warning = logLines(other).find((l) => l.level === 'warn' && /ADMIN_PASSWORD/.test(l.message));
    assert.ok(warning, JSON.stringify(logLines(other).map((l) => l.message)));
    assert.match(warning.message, /ignored/);
    assert.equal((await other.http.post('/api/auth/login').send({ email, password: 'another-Basalt-17-orchard' })).status, 401);
    assert.equal((await other.http.post('/api/auth/login').send({ email, password: OPERATOR_PASSWORD })).status, 200);
    await stop(other);
  });

  it('when ADMIN_PASSWORD is too weak for the password policy, then no admin is created and an error line says so', async () => {
    const email = uniqueEmail('weak');
    const app = await start({ ADMIN_EMAIL: email, ADMIN_PASSWORD: 'password' });
    assert.equal((await app.http.post('/api/auth/login').send({ email, password: 'password' })).status, 401);
    assert.ok(logLines(app).some((l) => l.level === 'error' && /ADMIN_PASSWORD/.test(l.message)), JSON.stringify(logLines(app).map((l) => l.message)));
    await stop(app);
  });

  it('when only one of ADMIN_EMAIL and ADMIN_PASSWORD is set, then a warning says the other is missing', async () => {
    const app = await start({ ADMIN_EMAIL: uniqueEmail('half') });
    assert.ok(logLines(app).some((l) => l.level === 'warn' && /ADMIN_PASSWORD/.test(l.message)), JSON.stringify(logLines(app).map((l) => l.message)));
    await stop(app);
  });
});
