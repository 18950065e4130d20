// `npm run cli -- clients ...` run in-process through the CLI's main() (as `npm run cli` would, same environment rules) against a fresh, empty
// PostgreSQL database (DATABASE_URL): the CLI migrates it, registers clients, and a server started on that
// database then issues tokens for them. Exit codes, JSON output, and that secrets appear only when issued.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startTestApp } from '../helpers/app';
import { createEmptyDatabase, type TestDatabase } from '../helpers/database';
import { runCliInProcess } from '../helpers/cli';


// In-process through the CLI's main() (admin-cli.test.ts keeps the process-level smoke test).
const cli = runCliInProcess;

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('clients CLI on a fresh DATABASE_URL', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  before(async () => {
    db = await createEmptyDatabase();
    env = { DATABASE_URL: db.url, ACCESS_TOKEN_TTL: '900' };
  });
  after(async () => {
    await db?.drop();
  });

  /** Token requests through a server started on the CLI's database (its client cache starts empty). */
  async function withServer(fn: (tokenFor: (id: string, secret: string, scope?: string) => Promise<{ status: number; body: any }>) => Promise<void>) {
    const app = await startTestApp({ database: db });
    try {
      await fn(async (id, secret, scope) => {
        const res = await app.http.post('/oauth/token').set('Authorization', basic(id, secret)).type('form').send({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) });
        return { status: res.status, body: res.body };
      });
    } finally {
      await app.close();
    }
  }

  it('when the clients commands run, then create prints the secret once, list/show never do, and a server issues tokens with the scope', async () => {
    const created = await cli(['clients', 'create', '--name', 'gateway', '--grant', 'client_credentials', '--scope', 'api:read'], env);
    assert.equal(created.code, 0, created.stderr);
    const out = JSON.parse(created.stdout);
    const clientId = out.client.clientId as string;
    const secret = out.clientSecret as string;
    assert.match(clientId, /^gateway-[a-z0-9]{8}$/);
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(out.client.allowedScopes, ['api:read']);
    assert.deepEqual(out.client.grantTypes, ['client_credentials']);
    assert.equal(out.client.type, 'confidential');
    assert.match(created.stderr, /shown only now/);

    const listed = await cli(['clients', 'list'], env);
    assert.equal(listed.code, 0, listed.stderr);
    const ids = JSON.parse(listed.stdout).clients.map((c: { clientId: string }) => c.clientId);
    // The fresh install's first-party client exists too.
    assert.deepEqual(ids.sort(), [clientId, 'web'].sort());
    const shown = await cli(['clients', 'show', '--client-id', clientId], env);
    assert.equal(shown.code, 0, shown.stderr);
    for (const text of [listed.stdout, shown.stdout]) {
      assert.ok(!text.includes(secret));
      assert.doesNotMatch(text, /clientSecret|secretHash/);
    }

    const updated = await cli(['clients', 'update', '--client-id', clientId, '--scope', 'api:read api:write', '--default-scope', 'api:read', '--access-ttl', '300'], env);
    assert.equal(updated.code, 0, updated.stderr);
    assert.deepEqual(JSON.parse(updated.stdout).client.allowedScopes, ['api:read', 'api:write']);
    assert.equal(JSON.parse(updated.stdout).client.accessTokenTtl, 300);

    await withServer(async (tokenFor) => {
      const res = await tokenFor(clientId, secret);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.scope, 'api:read');
      assert.equal(res.body.expires_in, 300);
      assert.equal((await tokenFor(clientId, secret, 'api:write')).body.scope, 'api:write');
    });

    const rotated = await cli(['clients', 'rotate-secret', '--client-id', clientId, '--overlap', '0'], env);
    assert.equal(rotated.code, 0, rotated.stderr);
    const newSecret = JSON.parse(rotated.stdout).clientSecret as string;
    assert.notEqual(newSecret, secret);

    const other = JSON.parse((await cli(['clients', 'create', '--name', 'retired', '--grant', 'client_credentials'], env)).stdout);
    const off = await cli(['clients', 'deactivate', '--client-id', other.client.clientId], env);
    assert.equal(off.code, 0, off.stderr);
    assert.equal(JSON.parse(off.stdout).client.active, false);

    await withServer(async (tokenFor) => {
      assert.equal((await tokenFor(clientId, secret)).status, 401);
      assert.equal((await tokenFor(clientId, newSecret)).status, 200);
      assert.equal((await tokenFor(other.client.clientId, other.clientSecret)).status, 401);
    });

    // Only hashes in the database; every change audited with the CLI's context.
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const { rows } = await c.query('SELECT secret_hash FROM oauth_clients WHERE client_id = $1', [clientId]);
      assert.match(rows[0].secret_hash, /^[0-9a-f]{64}$/);
      const audit = await c.query(`SELECT type, "userAgent" FROM "AuditEvent" WHERE type LIKE 'oauth_client.%' ORDER BY "createdAt"`);
      assert.deepEqual(audit.rows.map((r) => r.type), [
        'oauth_client.created', 'oauth_client.updated', 'oauth_client.secret_rotated', 'oauth_client.created', 'oauth_client.deactivated',
      ]);
      assert.ok(audit.rows.every((r) => /^sessionary-cli \(/.test(r.userAgent)));
    } finally {
      await c.end();
    }
  });

  it('when a code-flow client is registered and changed from the CLI, then its redirect, logout, consent and auth-method settings are stored', async () => {
    const created = await cli(
      ['clients', 'create', '--name', 'Photo Printer', '--type', 'public', '--grant', 'authorization_code', '--grant', 'refresh_token',
        '--redirect-uri', 'https://printer.example/callback', '--client-uri', 'https://printer.example/', '--auth-method', 'none'],
      env,
    );
    assert.equal(created.code, 0, created.stderr);
    const client = JSON.parse(created.stdout).client;
    assert.deepEqual([client.redirectUris, client.clientUri, client.tokenEndpointAuthMethod, client.requireConsent], [['https://printer.example/callback'], 'https://printer.example/', 'none', true]);
    const updated = await cli(
      ['clients', 'update', '--client-id', client.clientId, '--consent', 'skip', '--post-logout-redirect-uri', 'https://printer.example/', '--backchannel-logout-uri', 'https://printer.example/bcl', '--client-uri', 'none'],
      env,
    );
    assert.equal(updated.code, 0, updated.stderr);
    const after = JSON.parse(updated.stdout).client;
    assert.deepEqual([after.requireConsent, after.postLogoutRedirectUris, after.backchannelLogoutUri, after.clientUri], [false, ['https://printer.example/'], 'https://printer.example/bcl', null]);
    const refused = await cli(['clients', 'create', '--name', 'No redirect', '--type', 'public', '--grant', 'authorization_code'], env);
    assert.equal(refused.code, 1, 'the code flow needs a redirect URI');
    assert.match(refused.stderr, /redirectUris/);
    assert.equal((await cli(['clients', 'update', '--client-id', client.clientId, '--consent', 'maybe'], env)).code, 2);
  });

  it('when a command is refused or misused, then exit 1 with the domain error or exit 2 with the usage', async () => {
    const missing = await cli(['clients', 'show', '--client-id', 'no-such-client'], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /NOT_FOUND/);
    const invalid = await cli(['clients', 'create', '--name', 'spa', '--type', 'public', '--grant', 'client_credentials'], env);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /VALIDATION_ERROR[\s\S]*grantTypes/);
    const taken = await cli(['clients', 'create', '--name', 'dup', '--client-id', 'web', '--grant', 'password'], env);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /CLIENT_ID_TAKEN/);
    for (const args of [
      ['clients', 'create', '--name', 'no-grant'],
      ['clients', 'create', '--grant', 'client_credentials'],
      ['clients', 'show'],
      ['clients', 'update', '--client-id', 'web'],
      ['clients', 'rotate-secret', '--client-id', 'web', '--overlap', 'soon'],
      ['clients', 'explode'],
    ]) {
      const res = await cli(args, env);
      assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`);
      assert.match(res.stdout + res.stderr, /usage: npm run cli --/);
    }
  });
});
