// The `npm start` default: no DATABASE_URL → embedded PostgreSQL (PGlite) under DATA_DIR, migrations
// applied, dev signing key generated; data and keys survive a restart.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import { loadConfig } from '../../backend/src/config';
import { buildContainer } from '../../backend/src/container';
import { createLogger } from '../../backend/src/infrastructure/logger';
import { MIGRATIONS_DIR } from '../helpers/database';
import { TEST_PASSWORD, bearer } from '../helpers/app';

const dataDir = mkdtempSync(join(tmpdir(), 'auth-embedded-'));
const boot = () =>
  buildContainer(loadConfig({ DATA_DIR: dataDir, BCRYPT_COST: '4', LOG_LEVEL: 'error' }), {
    migrationsDir: MIGRATIONS_DIR,
    logger: createLogger('error'),
  });

describe('embedded PGlite default', () => {
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('when started without DATABASE_URL, then accounts, sessions and keys live under DATA_DIR and survive a restart', async () => {
    let c = await boot();
    let { url } = await c.start(0);
    let http = supertest(url);
    assert.deepEqual((await http.get('/health')).body.database, 'up');
    const reg = await http.post('/api/auth/register').send({ email: 'Embedded@Example.test', password: TEST_PASSWORD });
    assert.equal(reg.status, 201);
    const login = await http.post('/api/auth/login').send({ email: 'embedded@example.test', password: TEST_PASSWORD });
    assert.equal(login.status, 200);
    const kid = (await http.get('/.well-known/jwks.json')).body.keys[0].kid;
    await c.stop();

    const keyFile = join(dataDir, 'keys', 'jwt-signing-key.pem');
    assert.ok(existsSync(keyFile));
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);

    // The same port, as `npm start` (PORT) restarts: without PUBLIC_URL the issuer is this port's URL (issue 22).
    const port = Number(new URL(url).port);
    c = await boot();
    ({ url } = await c.start(port));
    http = supertest(url);
    try {
      assert.equal((await http.get('/.well-known/jwks.json')).body.keys[0].kid, kid);
      // The access token issued before the restart still verifies: same key, same database.
      const me = await http.get('/api/user/me').set(bearer(login.body.accessToken));
      assert.equal(me.status, 200);
      assert.equal(me.body.user.email, 'embedded@example.test');
      const refreshed = await http.post('/api/auth/refresh').send({ refreshToken: login.body.refreshToken });
      assert.equal(refreshed.status, 200);
      assert.equal(refreshed.body.sessionId, login.body.sessionId);
    } finally {
      await c.stop();
    }
  });
});
