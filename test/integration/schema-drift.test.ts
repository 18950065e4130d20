// Proves the hand-written migrations build the database schema.prisma describes (we cannot run
// `prisma migrate diff` here: it needs the native schema engine). Two angles:
// 1. the catalog of a freshly migrated database (tables, columns, types, nullability, defaults, indexes,
//    foreign keys, enums) is compared with what schema.prisma implies under Prisma's naming conventions;
// 2. every model is written and read through the generated client with every field set, and the
//    constraints behave (unique keys, cascades).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { Prisma } from '../../backend/src/generated/prisma/client';
import { createPrismaClient, type PrismaClient } from '../../backend/src/infrastructure/prisma/client';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

// ---- a small reader for the subset of the Prisma schema language this project uses ----

interface Field { name: string; type: string; optional: boolean; list: boolean; attrs: string }
interface Model { name: string; fields: Field[]; blockAttrs: string[] }

function parseSchema(text: string): { models: Model[]; enums: Map<string, string[]> } {
  const src = text.replace(/\/\/.*$/gm, '');
  const enums = new Map<string, string[]>();
  for (const m of src.matchAll(/^enum\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) {
    enums.set(m[1], m[2].split('\n').map((l) => l.trim()).filter(Boolean));
  }
  const models: Model[] = [];
  // A block ends at a '}' that opens a line: '{}' also occurs inside, in @default("{}").
  for (const m of src.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) {
    const fields: Field[] = [];
    const blockAttrs: string[] = [];
    for (const line of m[2].split('\n').map((l) => l.trim()).filter(Boolean)) {
      if (line.startsWith('@@')) blockAttrs.push(line);
      else {
        const f = /^(\w+)\s+(\w+)(\[\])?(\?)?\s*(.*)$/.exec(line);
        assert.ok(f, `cannot read field line "${line}"`);
        fields.push({ name: f[1], type: f[2], list: !!f[3], optional: !!f[4], attrs: f[5] });
      }
    }
    models.push({ name: m[1], fields, blockAttrs });
  }
  return { models, enums };
}

const SCALAR_SQL: Record<string, string> = {
  String: 'text', Int: 'integer', BigInt: 'bigint', Boolean: 'boolean', Float: 'double precision',
  DateTime: 'timestamp without time zone', Json: 'jsonb', Bytes: 'bytea',
};
const NATIVE_SQL: Record<string, string> = { Uuid: 'uuid', Timestamptz: 'timestamp with time zone', Text: 'text' };

/** The table a model lives in: its @@map name, else the model name. */
function tableOf(model: Model): string {
  const mapped = model.blockAttrs.map((a) => /^@@map\("([^"]+)"\)/.exec(a)?.[1]).find(Boolean);
  return mapped ?? model.name;
}

/** The column of a field: its @map name, else the field name. */
function columnOf(f: Field): string {
  return /@map\("([^"]+)"\)/.exec(f.attrs)?.[1] ?? f.name;
}

function modelNamed(schema: ReturnType<typeof parseSchema>, name: string): Model {
  const m = schema.models.find((x) => x.name === name);
  assert.ok(m, `no model ${name}`);
  return m;
}

/** Field names of a model → column names (for @@index/@@unique/@relation lists, which name fields). */
function columnsOf(model: Model, fieldNames: string[]): string[] {
  return fieldNames.map((n) => {
    const f = model.fields.find((x) => x.name === n);
    return f ? columnOf(f) : n;
  });
}

/** "type/nullable/default/precision" per table.column, as Prisma would create it. */
function expectedColumns(schema: ReturnType<typeof parseSchema>): Map<string, string> {
  const modelNames = new Set(schema.models.map((m) => m.name));
  const out = new Map<string, string>();
  for (const model of schema.models) {
    for (const f of model.fields) {
      if (modelNames.has(f.type)) continue; // relation field: no column
      const native = /@db\.(\w+)(?:\((\d+)\))?/.exec(f.attrs);
      let type = native ? NATIVE_SQL[native[1]] : schema.enums.has(f.type) ? `enum ${f.type}` : SCALAR_SQL[f.type];
      assert.ok(type, `no SQL type known for ${model.name}.${f.name}`);
      if (f.list) type += '[]';
      const precision = type.startsWith('timestamp') ? `(${native?.[2] ?? '3'})` : '';
      const hasDefault = /@default\(/.test(f.attrs);
      // Prisma emits scalar lists without NOT NULL (a list field cannot be optional in the schema language).
      const nullable = f.optional || f.list;
      out.set(`${tableOf(model)}.${columnOf(f)}`, `${type}${precision} ${nullable ? 'NULL' : 'NOT NULL'}${hasDefault ? ' DEFAULT' : ''}`);
    }
  }
  return out;
}

const cols = (s: string) => /\[([^\]]*)\]/.exec(s)![1].split(',').map((c) => c.trim());

/** "unique? (columns)" per index name, following Prisma's default names (table and column names). */
function expectedIndexes(schema: ReturnType<typeof parseSchema>): Map<string, string> {
  const out = new Map<string, string>();
  for (const model of schema.models) {
    const table = tableOf(model);
    for (const f of model.fields) {
      if (/@id\b/.test(f.attrs)) out.set(`${table}_pkey`, `UNIQUE (${columnOf(f)})`);
      if (/@unique\b/.test(f.attrs)) out.set(`${table}_${columnOf(f)}_key`, `UNIQUE (${columnOf(f)})`);
    }
    for (const a of model.blockAttrs) {
      if (a.startsWith('@@map')) continue;
      const c = columnsOf(model, cols(a));
      if (a.startsWith('@@index')) out.set(`${table}_${c.join('_')}_idx`, `(${c.join(', ')})`);
      else if (a.startsWith('@@unique')) out.set(`${table}_${c.join('_')}_key`, `UNIQUE (${c.join(', ')})`);
      else if (a.startsWith('@@id')) out.set(`${table}_pkey`, `UNIQUE (${c.join(', ')})`);
    }
  }
  return out;
}

/** "table(columns) -> target(columns) ON DELETE x" per foreign key name. */
function expectedForeignKeys(schema: ReturnType<typeof parseSchema>): Map<string, string> {
  const out = new Map<string, string>();
  for (const model of schema.models) {
    for (const f of model.fields) {
      const rel = /@relation\(([^)]*)\)/.exec(f.attrs)?.[1];
      if (!rel || !/fields:/.test(rel)) continue;
      const target = modelNamed(schema, f.type);
      const from = columnsOf(model, cols(/fields:\s*(\[[^\]]*\])/.exec(rel)![1]));
      const to = columnsOf(target, cols(/references:\s*(\[[^\]]*\])/.exec(rel)![1]));
      // Prisma's default: Restrict for required relations, SetNull for optional ones.
      const onDelete = /onDelete:\s*(\w+)/.exec(rel)?.[1] ?? (f.optional ? 'SetNull' : 'Restrict');
      const sqlAction = { Cascade: 'CASCADE', SetNull: 'SET NULL', Restrict: 'RESTRICT', NoAction: 'NO ACTION', SetDefault: 'SET DEFAULT' }[onDelete];
      out.set(`${tableOf(model)}_${from.join('_')}_fkey`, `${tableOf(model)}(${from.join(', ')}) -> ${tableOf(target)}(${to.join(', ')}) ON DELETE ${sqlAction}`);
    }
  }
  return out;
}

// ---- the tests ----

const schema = parseSchema(readFileSync(fileURLToPath(new URL('../../prisma/schema.prisma', import.meta.url)), 'utf8'));

describe('schema drift: migrations vs schema.prisma', () => {
  let db: TestDatabase;
  let pgc: pg.Client;
  let prisma: PrismaClient;
  const q = async <T = any>(sql: string, params: unknown[] = []) => (await pgc.query(sql, params)).rows as T[];

  before(async () => {
    db = await createTestDatabase();
    pgc = new pg.Client({ connectionString: db.url });
    await pgc.connect();
    prisma = createPrismaClient(db.url, { poolMax: 2 });
  });
  after(async () => {
    await prisma?.$disconnect();
    await pgc?.end();
    await db?.drop();
  });

  it('when the schema file is read, then it has the models and enums this test expects to check', () => {
    assert.deepEqual(schema.models.map((m) => m.name).sort(), ['AccessRole', 'AccountToken', 'AuditEvent', 'BackupCode', 'FederatedIdentity', 'KnownCountry', 'KnownDevice', 'MfaChallenge', 'OAuthAuthorization', 'OAuthBackchannelLogout', 'OAuthClient', 'OAuthConsent', 'OAuthDeviceAuthorization', 'OutgoingMail', 'Passkey', 'RevokedClientToken', 'RotatedRefreshToken', 'Session', 'TrustedDevice', 'User', 'UserRole', 'WebAuthnChallenge']);
    assert.deepEqual([...schema.enums.keys()].sort(), ['OAuthClientType', 'Role', 'UserStatus']);
  });

  it('when migrated, then the tables are exactly the models plus _prisma_migrations', async () => {
    const rows = await q(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`);
    assert.deepEqual(rows.map((r) => r.table_name).sort(), [...schema.models.map(tableOf), '_prisma_migrations'].sort());
  });

  it('when migrated, then every column has the type, nullability and default schema.prisma implies', async () => {
    const rows = await q(`
      SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default, datetime_precision
      FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`);
    const actual = new Map<string, string>();
    for (const r of rows) {
      // Array columns report udt_name "_text" for text[].
      let type = r.data_type === 'USER-DEFINED' ? `enum ${r.udt_name}` : r.data_type === 'ARRAY' ? `${String(r.udt_name).replace(/^_/, '')}[]` : r.data_type;
      if (type.startsWith('timestamp')) type += `(${r.datetime_precision})`;
      actual.set(`${r.table_name}.${r.column_name}`, `${type} ${r.is_nullable === 'YES' ? 'NULL' : 'NOT NULL'}${r.column_default !== null ? ' DEFAULT' : ''}`);
    }
    assert.deepEqual(Object.fromEntries([...actual].sort()), Object.fromEntries([...expectedColumns(schema)].sort()));
  });

  it('when migrated, then the generated client knows exactly the same columns', () => {
    const fromClient = Object.entries({
      User: Prisma.UserScalarFieldEnum, Session: Prisma.SessionScalarFieldEnum, BackupCode: Prisma.BackupCodeScalarFieldEnum,
      MfaChallenge: Prisma.MfaChallengeScalarFieldEnum, AuditEvent: Prisma.AuditEventScalarFieldEnum,
      RotatedRefreshToken: Prisma.RotatedRefreshTokenScalarFieldEnum, OAuthClient: Prisma.OAuthClientScalarFieldEnum,
      OutgoingMail: Prisma.OutgoingMailScalarFieldEnum, RevokedClientToken: Prisma.RevokedClientTokenScalarFieldEnum,
      TrustedDevice: Prisma.TrustedDeviceScalarFieldEnum,
      Passkey: Prisma.PasskeyScalarFieldEnum,
      FederatedIdentity: Prisma.FederatedIdentityScalarFieldEnum,
      WebAuthnChallenge: Prisma.WebAuthnChallengeScalarFieldEnum,
      AccountToken: Prisma.AccountTokenScalarFieldEnum, KnownDevice: Prisma.KnownDeviceScalarFieldEnum,
      OAuthConsent: Prisma.OAuthConsentScalarFieldEnum, OAuthAuthorization: Prisma.OAuthAuthorizationScalarFieldEnum,
      OAuthDeviceAuthorization: Prisma.OAuthDeviceAuthorizationScalarFieldEnum,
      OAuthBackchannelLogout: Prisma.OAuthBackchannelLogoutScalarFieldEnum,
      KnownCountry: Prisma.KnownCountryScalarFieldEnum,
      AccessRole: Prisma.AccessRoleScalarFieldEnum, UserRole: Prisma.UserRoleScalarFieldEnum,
    }).flatMap(([model, fields]) => Object.keys(fields).map((f) => `${model}.${f}`));
    const modelNames = new Set(schema.models.map((m) => m.name));
    const scalarFields = schema.models.flatMap((m) => m.fields.filter((f) => !modelNames.has(f.type)).map((f) => `${m.name}.${f.name}`));
    assert.deepEqual(fromClient.sort(), scalarFields.sort(), 'regenerate the client: node scripts/prisma-generate.mjs');
  });

  it('when migrated, then indexes match @id, @unique, @@index and @@unique by name, columns and uniqueness', async () => {
    const rows = await q(`
      SELECT i.relname AS name, ix.indisunique AS uniq, array_agg(a.attname::text ORDER BY k.ord) AS columns
      FROM pg_index ix
      JOIN pg_class i ON i.oid = ix.indexrelid
      JOIN pg_class t ON t.oid = ix.indrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace
      CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
      WHERE n.nspname = 'public' AND t.relname <> '_prisma_migrations'
      GROUP BY i.relname, ix.indisunique`);
    const actual = new Map(rows.map((r) => [r.name, `${r.uniq ? 'UNIQUE ' : ''}(${r.columns.join(', ')})`]));
    assert.deepEqual(Object.fromEntries([...actual].sort()), Object.fromEntries([...expectedIndexes(schema)].sort()));
    // Same set through the pg_indexes view, which is what people look at.
    const viaView = await q(`SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`);
    assert.deepEqual(viaView.map((r) => r.indexname).sort(), [...actual.keys()].sort());
  });

  it('when migrated, then foreign keys match the relations, including onDelete', async () => {
    const rows = await q(`
      SELECT c.conname AS name, c.conrelid::regclass::text AS tbl, c.confrelid::regclass::text AS target,
             c.confdeltype AS del, c.confupdtype AS upd,
             (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY k(n, ord)
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n) AS cols,
             (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(c.confkey) WITH ORDINALITY k(n, ord)
               JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n) AS refcols
      FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
      WHERE c.contype = 'f' AND n.nspname = 'public'`);
    const actions: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };
    const strip = (s: string) => s.replaceAll('"', '');
    const actual = new Map(rows.map((r) => [r.name, `${strip(r.tbl)}(${r.cols.join(', ')}) -> ${strip(r.target)}(${r.refcols.join(', ')}) ON DELETE ${actions[r.del]}`]));
    assert.deepEqual(Object.fromEntries([...actual].sort()), Object.fromEntries([...expectedForeignKeys(schema)].sort()));
    assert.ok(rows.every((r) => r.upd === 'c'), 'Prisma emits ON UPDATE CASCADE');
  });

  it('when migrated, then the enums have the schema values in order', async () => {
    const rows = await q(`
      SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
      FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`);
    assert.deepEqual(Object.fromEntries(rows.map((r) => [r.name, r.labels])), Object.fromEntries(schema.enums));
  });

  describe('CRUD through the generated client', () => {
    const t = (s: string) => new Date(s);

    /** Guards the fixtures below: a new schema field must be added to them. */
    function assertCoversAllFields(model: string, data: object, fieldEnum: Record<string, string>) {
      assert.deepEqual(Object.keys(data).sort(), Object.keys(fieldEnum).sort(), `${model} fixture must set every field`);
    }

    it('when every model is created with every field set, then reading back returns the same values', async () => {
      const user = {
        id: randomUUID(), email: `crud-${randomUUID()}@example.com`, username: 'crud', passwordHash: '$2b$12$hash',
        role: 'admin' as const, status: 'pending' as const, failedLoginCount: 3, lockCount: 2,
        lockedUntil: t('2030-01-01T00:00:00.001Z'), twoFactorEnabled: true, totpSecretEncrypted: 'enc', totpLastUsedStep: 2_000_000_000,
        passwordChangedAt: t('2026-01-01T00:00:00.999Z'), emailVerified: true, createdAt: t('2025-01-01T00:00:00.123Z'), updatedAt: t('2025-01-02T00:00:00.456Z'),
        deletedAt: t('2026-02-01T00:00:00.777Z'), lastLoginAt: t('2026-01-15T00:00:00.555Z'),
      };
      assertCoversAllFields('User', user, Prisma.UserScalarFieldEnum);
      const createdUser = await prisma.user.create({ data: user });
      // @updatedAt is set by the client on write, so it is the only field that may differ.
      assert.deepEqual({ ...createdUser, updatedAt: user.updatedAt }, user);
      assert.deepEqual(await prisma.user.findUnique({ where: { id: user.id } }), createdUser);

      const client = {
        clientId: `crud-${randomUUID()}`, name: 'CRUD client', type: 'confidential' as const, secretHash: 'a'.repeat(64),
        previousSecretHash: 'b'.repeat(64), previousSecretExpiresAt: t('2026-02-01T00:00:00.321Z'), grantTypes: ['client_credentials', 'refresh_token'],
        allowedScopes: ['api:read', 'api:write'], defaultScopes: ['api:read'], redirectUris: ['https://app.example/cb'],
        accessTokenTtl: 300, refreshTokenTtl: 86_400, active: false, createdAt: t('2025-12-01T00:00:00.111Z'), updatedAt: t('2025-12-02T00:00:00.222Z'),
        postLogoutRedirectUris: ['https://app.example/bye'], backchannelLogoutUri: 'https://app.example/bcl', tokenEndpointAuthMethod: 'client_secret_post',
        requireConsent: false, logoUri: 'https://app.example/logo.png', clientUri: 'https://app.example/',
        registration: 'dynamic', registrationTokenHash: 'c'.repeat(64), metadataExpiresAt: t('2026-02-02T00:00:00.654Z'),
      };
      assertCoversAllFields('OAuthClient', client, Prisma.OAuthClientScalarFieldEnum);
      const createdClient = await prisma.oAuthClient.create({ data: client });
      assert.deepEqual({ ...createdClient, updatedAt: client.updatedAt }, client);

      const session = {
        clientId: client.clientId, scope: 'api:read', resource: 'https://api.example/v1',
        id: randomUUID(), userId: user.id, refreshTokenHash: `cur-${randomUUID()}`, previousRefreshTokenHash: `prev-${randomUUID()}`,
        userAgent: 'Mozilla/5.0', ipAddress: '2001:db8::1', deviceName: 'Desk', browser: 'Chrome', os: 'macOS', deviceType: 'desktop',
        name: 'Work laptop', lastSeenAt: t('2026-03-02T00:01:00.009Z'), lastSeenIp: '198.51.100.7', countryCode: 'DE', city: 'Berlin', region: 'Land Berlin',
        aal: 2, createdAt: t('2026-03-01T00:00:00.001Z'), lastActiveAt: t('2026-03-02T00:00:00.002Z'), expiresAt: t('2026-04-01T00:00:00.003Z'),
        idleExpiresAt: t('2026-03-15T00:00:00.004Z'), revokedAt: t('2026-03-03T00:00:00.005Z'), revokedReason: 'admin',
        parentSessionId: randomUUID(),
      };
      assertCoversAllFields('Session', session, Prisma.SessionScalarFieldEnum);
      assert.deepEqual(await prisma.session.create({ data: session }), session);

      const consent = { userId: user.id, clientId: client.clientId, scopes: ['openid', 'email'], createdAt: t('2026-03-01T00:00:00.011Z'), updatedAt: t('2026-03-02T00:00:00.012Z') };
      assertCoversAllFields('OAuthConsent', consent, Prisma.OAuthConsentScalarFieldEnum);
      assert.deepEqual(await prisma.oAuthConsent.create({ data: consent }), consent);

      const authorization = {
        id: randomUUID(), handleHash: `h-${randomUUID()}`, codeHash: `c-${randomUUID()}`, clientId: client.clientId, userId: user.id,
        browserSessionId: session.id, redirectUri: 'https://app.example/cb', scope: 'openid email', state: 's', nonce: 'n',
        codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', prompt: 'consent', maxAge: 300, loginHint: 'ada@example.com',
        uiLocales: 'ru en', resource: 'https://api.example/v1', authTime: t('2026-03-01T00:00:00.013Z'), amr: ['pwd', 'otp'], acr: 'aal2', createdAt: t('2026-03-01T00:00:00.014Z'),
        expiresAt: t('2026-03-01T00:10:00.015Z'), codeExpiresAt: t('2026-03-01T00:01:00.016Z'), consumedAt: t('2026-03-01T00:00:30.017Z'),
        issuedSessionId: randomUUID(),
      };
      assertCoversAllFields('OAuthAuthorization', authorization, Prisma.OAuthAuthorizationScalarFieldEnum);
      assert.deepEqual(await prisma.oAuthAuthorization.create({ data: authorization }), authorization);

      const deviceAuthorization = {
        id: randomUUID(), deviceCodeHash: `d-${randomUUID()}`, userCodeHash: `u-${randomUUID()}`, clientId: client.clientId, scope: 'media:watch',
        resource: 'https://api.example/v1', status: 'approved', interval: 10, lastPolledAt: t('2026-03-01T00:00:05.031Z'), createdAt: t('2026-03-01T00:00:00.032Z'),
        expiresAt: t('2026-03-01T00:10:00.033Z'), userId: user.id, browserSessionId: session.id, decidedAt: t('2026-03-01T00:00:20.034Z'), issuedSessionId: randomUUID(),
      };
      assertCoversAllFields('OAuthDeviceAuthorization', deviceAuthorization, Prisma.OAuthDeviceAuthorizationScalarFieldEnum);
      assert.deepEqual(await prisma.oAuthDeviceAuthorization.create({ data: deviceAuthorization }), deviceAuthorization);

      const notice = {
        id: randomUUID(), clientId: client.clientId, userId: user.id, sid: randomUUID(), sessionId: session.id, createdAt: t('2026-03-03T00:00:00.018Z'),
        nextAttemptAt: t('2026-03-03T00:00:05.019Z'), attempts: 2, deliveredAt: t('2026-03-03T00:00:06.020Z'), failedAt: t('2026-03-03T00:00:07.021Z'), lastError: 'HTTP 503',
      };
      assertCoversAllFields('OAuthBackchannelLogout', notice, Prisma.OAuthBackchannelLogoutScalarFieldEnum);
      assert.deepEqual(await prisma.oAuthBackchannelLogout.create({ data: notice }), notice);

      const rotated = { tokenHash: `old-${randomUUID()}`, sessionId: session.id, rotatedAt: t('2026-03-02T00:00:00.002Z') };
      assertCoversAllFields('RotatedRefreshToken', rotated, Prisma.RotatedRefreshTokenScalarFieldEnum);
      assert.deepEqual(await prisma.rotatedRefreshToken.create({ data: rotated }), rotated);

      const code = { id: randomUUID(), userId: user.id, codeHash: 'sha', usedAt: t('2026-05-01T10:00:00.010Z'), createdAt: t('2026-05-01T09:00:00.009Z') };
      assertCoversAllFields('BackupCode', code, Prisma.BackupCodeScalarFieldEnum);
      assert.deepEqual(await prisma.backupCode.create({ data: code }), code);

      const challenge = {
        id: randomUUID(), userId: user.id, tokenHash: `mfa-${randomUUID()}`, attempts: 4, ipAddress: '192.0.2.9', userAgent: 'curl',
        deviceName: 'CLI', expiresAt: t('2026-06-01T00:05:00.500Z'), consumedAt: t('2026-06-01T00:01:00.100Z'), createdAt: t('2026-06-01T00:00:00.000Z'),
      };
      assertCoversAllFields('MfaChallenge', challenge, Prisma.MfaChallengeScalarFieldEnum);
      assert.deepEqual(await prisma.mfaChallenge.create({ data: challenge }), challenge);

      const event = {
        id: randomUUID(), userId: user.id, type: 'login.succeeded', ipAddress: '198.51.100.2', userAgent: 'UA',
        metadata: { sessionId: session.id, n: 1, list: [1, 'a', null], deep: { x: true } },
        createdAt: t('2026-07-01T00:00:00.007Z'), publishedAt: t('2026-07-01T00:00:01.008Z'),
      };
      assertCoversAllFields('AuditEvent', event, Prisma.AuditEventScalarFieldEnum);
      assert.deepEqual(await prisma.auditEvent.create({ data: event }), event);

      const accountToken = {
        id: randomUUID(), userId: user.id, purpose: 'sign_in_report', tokenHash: `at-${randomUUID()}`, subject: session.id,
        expiresAt: t('2026-08-01T00:00:00.001Z'), usedAt: t('2026-07-02T00:00:00.002Z'), createdAt: t('2026-07-01T00:00:00.003Z'),
      };
      assertCoversAllFields('AccountToken', accountToken, Prisma.AccountTokenScalarFieldEnum);
      assert.deepEqual(await prisma.accountToken.create({ data: accountToken }), accountToken);

      const identity = { id: randomUUID(), userId: user.id, provider: 'google', subject: '1234567890', email: 'ada@example.com', createdAt: t('2026-07-01T00:00:00.009Z') };
      assertCoversAllFields('FederatedIdentity', identity, Prisma.FederatedIdentityScalarFieldEnum);
      assert.deepEqual(await prisma.federatedIdentity.create({ data: identity }), identity);

      const device = { userId: user.id, fingerprint: 'f'.repeat(64), firstSeenAt: t('2026-07-01T00:00:00.004Z'), lastSeenAt: t('2026-07-03T00:00:00.005Z') };
      assertCoversAllFields('KnownDevice', device, Prisma.KnownDeviceScalarFieldEnum);
      assert.deepEqual(await prisma.knownDevice.create({ data: device }), device);

      const country = { userId: user.id, countryCode: 'DE', firstSeenAt: t('2026-07-01T00:00:00.004Z'), lastSeenAt: t('2026-07-03T00:00:00.005Z') };
      assertCoversAllFields('KnownCountry', country, Prisma.KnownCountryScalarFieldEnum);
      assert.deepEqual(await prisma.knownCountry.create({ data: country }), country);

      const mail = {
        id: randomUUID(), template: 'password_reset', recipient: 'crud@example.com', userId: user.id, payload: 'ciphertext', attempts: 3,
        nextAttemptAt: t('2026-07-01T00:10:00.006Z'), lastError: 'ECONNREFUSED', sentAt: t('2026-07-01T00:20:00.007Z'),
        failedAt: t('2026-07-01T00:30:00.008Z'), createdAt: t('2026-07-01T00:00:00.009Z'),
      };
      assertCoversAllFields('OutgoingMail', mail, Prisma.OutgoingMailScalarFieldEnum);
      assert.deepEqual(await prisma.outgoingMail.create({ data: mail }), mail);

      const role = {
        name: `crud-${randomUUID()}`, description: 'CRUD role', permissions: ['orders:read', 'orders:write'], includes: ['user'], builtIn: false,
        createdAt: t('2026-07-01T00:00:00.010Z'), updatedAt: t('2026-07-01T00:00:00.011Z'),
      };
      assertCoversAllFields('AccessRole', role, Prisma.AccessRoleScalarFieldEnum);
      const createdRole = await prisma.accessRole.create({ data: role });
      assert.deepEqual({ ...createdRole, updatedAt: role.updatedAt }, role);
      const grant = { userId: user.id, roleName: role.name, grantedBy: randomUUID(), createdAt: t('2026-07-01T00:00:00.012Z') };
      assertCoversAllFields('UserRole', grant, Prisma.UserRoleScalarFieldEnum);
      assert.deepEqual(await prisma.userRole.create({ data: grant }), grant);
    });

    it('when optional fields are omitted, then the database defaults and NULLs apply', async () => {
      const before = Date.now();
      const u = await prisma.user.create({ data: { id: randomUUID(), email: `defaults-${randomUUID()}@example.com`, passwordHash: 'h' } });
      assert.deepEqual(
        [u.username, u.role, u.status, u.failedLoginCount, u.lockCount, u.lockedUntil, u.twoFactorEnabled, u.totpSecretEncrypted, u.totpLastUsedStep, u.passwordChangedAt],
        [null, 'user', 'active', 0, 0, null, false, null, null, null],
      );
      assert.ok(u.createdAt.getTime() >= before - 5000);
      const s = await prisma.session.create({
        data: { id: randomUUID(), userId: u.id, refreshTokenHash: `d-${randomUUID()}`, expiresAt: new Date(), idleExpiresAt: new Date() },
      });
      assert.deepEqual([s.aal, s.previousRefreshTokenHash, s.revokedAt], [1, null, null]);
      assert.deepEqual([s.clientId, s.scope], [null, null]);
      assert.deepEqual([s.name, s.lastSeenAt, s.lastSeenIp, u.deletedAt], [null, null, null, null]);
      const c = await prisma.oAuthClient.create({ data: { clientId: `d-${randomUUID()}`, name: 'd', type: 'public' } });
      assert.deepEqual([c.secretHash, c.grantTypes, c.allowedScopes, c.defaultScopes, c.redirectUris, c.accessTokenTtl, c.active], [null, [], [], [], [], null, true]);
      const e = await prisma.auditEvent.create({ data: { id: randomUUID(), type: 'x' } });
      assert.deepEqual([e.userId, e.metadata, e.publishedAt], [null, {}, null]);
      const m = await prisma.mfaChallenge.create({ data: { id: randomUUID(), userId: u.id, tokenHash: `d-${randomUUID()}`, expiresAt: new Date() } });
      assert.deepEqual([m.attempts, m.consumedAt], [0, null]);
    });

    it('when rows are updated and deleted, then the changes are visible and @updatedAt moves', async () => {
      const u = await prisma.user.create({ data: { id: randomUUID(), email: `upd-${randomUUID()}@example.com`, passwordHash: 'h', updatedAt: t('2020-01-01T00:00:00Z') } });
      const updated = await prisma.user.update({ where: { id: u.id }, data: { username: 'renamed', status: 'disabled' } });
      assert.deepEqual([updated.username, updated.status], ['renamed', 'disabled']);
      assert.ok(updated.updatedAt > u.updatedAt);
      await prisma.user.delete({ where: { id: u.id } });
      assert.equal(await prisma.user.findUnique({ where: { id: u.id } }), null);
    });

    it('when a unique key is reused (User.email, Session.refreshTokenHash, MfaChallenge.tokenHash), then P2002 is raised', async () => {
      const p2002 = (e: unknown) => e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002';
      const email = `uniq-${randomUUID()}@example.com`;
      const u = await prisma.user.create({ data: { id: randomUUID(), email, passwordHash: 'h' } });
      await assert.rejects(prisma.user.create({ data: { id: randomUUID(), email, passwordHash: 'h' } }), p2002);

      const base = { userId: u.id, expiresAt: new Date(), idleExpiresAt: new Date() };
      const hash = `h-${randomUUID()}`;
      await prisma.session.create({ data: { ...base, id: randomUUID(), refreshTokenHash: hash, previousRefreshTokenHash: `p-${hash}` } });
      await assert.rejects(prisma.session.create({ data: { ...base, id: randomUUID(), refreshTokenHash: hash } }), p2002);
      // previousRefreshTokenHash is not unique since migration 20261127224100 (the history table covers it).
      await prisma.session.create({ data: { ...base, id: randomUUID(), refreshTokenHash: `other-${hash}`, previousRefreshTokenHash: `p-${hash}` } });
      await prisma.session.create({ data: { ...base, id: randomUUID(), refreshTokenHash: `n1-${hash}` } });
      await prisma.session.create({ data: { ...base, id: randomUUID(), refreshTokenHash: `n2-${hash}` } });

      const tokenHash = `t-${randomUUID()}`;
      await prisma.mfaChallenge.create({ data: { id: randomUUID(), userId: u.id, tokenHash, expiresAt: new Date() } });
      await assert.rejects(prisma.mfaChallenge.create({ data: { id: randomUUID(), userId: u.id, tokenHash, expiresAt: new Date() } }), p2002);
    });

    it('when a user is deleted, then sessions, backup codes and MFA challenges go with it and audit events keep a NULL user', async () => {
      const u = await prisma.user.create({ data: { id: randomUUID(), email: `cascade-${randomUUID()}@example.com`, passwordHash: 'h' } });
      await prisma.session.create({ data: { id: randomUUID(), userId: u.id, refreshTokenHash: `c-${randomUUID()}`, expiresAt: new Date(), idleExpiresAt: new Date() } });
      await prisma.backupCode.create({ data: { id: randomUUID(), userId: u.id, codeHash: 'c' } });
      await prisma.mfaChallenge.create({ data: { id: randomUUID(), userId: u.id, tokenHash: `c-${randomUUID()}`, expiresAt: new Date() } });
      const ev = await prisma.auditEvent.create({ data: { id: randomUUID(), userId: u.id, type: 'user.registered' } });

      await prisma.user.delete({ where: { id: u.id } });
      assert.equal(await prisma.session.count({ where: { userId: u.id } }), 0);
      assert.equal(await prisma.backupCode.count({ where: { userId: u.id } }), 0);
      assert.equal(await prisma.mfaChallenge.count({ where: { userId: u.id } }), 0);
      assert.equal((await prisma.auditEvent.findUnique({ where: { id: ev.id } }))!.userId, null);
    });

    it('when a row references a missing user, then the foreign key rejects it', async () => {
      await assert.rejects(
        prisma.session.create({ data: { id: randomUUID(), userId: randomUUID(), refreshTokenHash: `fk-${randomUUID()}`, expiresAt: new Date(), idleExpiresAt: new Date() } }),
        (e: unknown) => e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2003',
      );
    });
  });
});
