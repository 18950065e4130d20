// The account web app's messages: every language file has every key (adding a language is adding a file,
// and a missing key would show English in the middle of Russian), every key the page names exists, every
// error code the API documents (docs/api.md, docs/openapi.yaml, the domain's codes) turns into a sentence
// of its own, with the placeholders it needs, and every revoke reason has its forced-logout sentence.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openApiDocument } from '../../backend/src/modules/docs/openapi-document';
import { errorMessage } from '../../backend/web/src/error-messages';

const WEB = join(process.cwd(), 'backend', 'web', 'src');
const MESSAGES = join(WEB, 'messages');
const languages = readdirSync(MESSAGES).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));
const catalogs = Object.fromEntries(languages.map((l) => [l, JSON.parse(readFileSync(join(MESSAGES, `${l}.json`), 'utf8')) as Record<string, string>]));
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

/** Error codes named by the API's documents and the domain. */
function documentedErrorCodes(): Set<string> {
  const codes = new Set<string>();
  const table = readFileSync(join(process.cwd(), 'docs', 'api.md'), 'utf8');
  for (const m of table.matchAll(/^\| ([A-Z][A-Z0-9_]+) \| \d{3} \|/gm)) codes.add(m[1]);
  // In the OpenAPI document: every `code` property of an error object that lists its values.
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    const code = (o.properties as Record<string, { enum?: unknown[]; const?: unknown }> | undefined)?.code;
    if (code) for (const v of [...(code.enum ?? []), ...(code.const !== undefined ? [code.const] : [])]) if (typeof v === 'string') codes.add(v);
    Object.values(o).forEach(walk);
  };
  walk(openApiDocument());
  const domain = readFileSync(join(process.cwd(), 'backend', 'src', 'domain', 'errors.ts'), 'utf8');
  const union = /export type DomainErrorCode =([^;]+);/.exec(domain)?.[1] ?? '';
  for (const m of union.matchAll(/'([A-Z_]+)'/g)) codes.add(m[1]);
  return codes;
}

/** Every audit event type (domain/types.ts): the Activity page shows a user each one that names them. */
function auditEventTypes(): string[] {
  const types = readFileSync(join(process.cwd(), 'backend', 'src', 'domain', 'types.ts'), 'utf8');
  // Up to the `;` that ends a line: the union's comments may hold one.
  const union = /export type AuditEventType =([\s\S]+?);\n/.exec(types)?.[1] ?? '';
  return [...union.matchAll(/\| '([a-z0-9_.]+)'/g)].map((m) => m[1]);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sourceFiles(join(dir, d.name)) : /\.tsx?$/.test(d.name) ? [join(dir, d.name)] : [],
  );
}

describe('web app messages', () => {
  it('when the message files are compared, then there are at least English and Russian and each has every key of the others', () => {
    assert.ok(languages.includes('en') && languages.includes('ru'), `languages: ${languages.join(', ')}`);
    // Plural forms (`key#one`, `key#few`…) are each language's own: only the plain key must be everywhere.
    const all = new Set(languages.flatMap((l) => Object.keys(catalogs[l]).filter((k) => !k.includes('#'))));
    for (const lang of languages) {
      const missing = [...all].filter((k) => !(k in catalogs[lang]));
      assert.deepEqual(missing, [], `${lang}.json lacks keys`);
      const empty = Object.entries(catalogs[lang]).filter(([, v]) => typeof v !== 'string' || v.trim() === '').map(([k]) => k);
      assert.deepEqual(empty, [], `${lang}.json has empty messages`);
    }
  });

  it('when a message has placeholders, then every language uses the same ones', () => {
    for (const [key, text] of Object.entries(catalogs.en)) {
      if (key.includes('#')) continue;
      for (const lang of languages) assert.deepEqual(placeholders(catalogs[lang][key] ?? ''), placeholders(text), `${lang}: ${key}`);
    }
    // A plural form has the placeholders of its plain message.
    for (const lang of languages) {
      for (const [key, text] of Object.entries(catalogs[lang]).filter(([k]) => k.includes('#'))) assert.deepEqual(placeholders(text), placeholders(catalogs[lang][key.split('#')[0]] ?? ''), `${lang}: ${key}`);
    }
  });

  it('when the page names a message key literally, then that key exists', () => {
    const used = new Set<string>();
    for (const file of sourceFiles(WEB)) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\bt\(\s*'([\w.-]+)'/g)) used.add(m[1]);
    }
    assert.ok(used.size > 100, `found ${used.size} keys: the pattern still matches the code`);
    assert.deepEqual([...used].filter((k) => !(k in catalogs.en)), []);
  });

  it('when any documented API error code is turned into a sentence, then each language has its own message with its parameters filled', () => {
    const codes = documentedErrorCodes();
    for (const expected of ['ACCOUNT_LOCKED', 'RATE_LIMITED', 'MFA_INVALID_CODE', 'INVALID_CREDENTIALS', 'PAYLOAD_TOO_LARGE', 'INTERNAL_ERROR']) {
      assert.ok(codes.has(expected), `the documents were read (${expected})`);
    }
    for (const code of codes) {
      for (const retryAfter of [null, 90]) {
        const { key, params } = errorMessage(code, retryAfter, (d) => d.toISOString(), Date.parse('2026-11-27T12:00:00Z'));
        for (const lang of languages) {
          const text = catalogs[lang][key];
          assert.ok(text, `${lang}: no message ${key} for ${code}`);
          for (const name of placeholders(text)) assert.ok(name in params, `${lang}: ${key} needs {${name}}`);
        }
      }
    }
  });

  it('when the account is locked or rate limited, then the sentence says until when or after how many seconds', () => {
    const now = Date.parse('2026-11-27T12:00:00Z');
    const locked = errorMessage('ACCOUNT_LOCKED', 900, (d) => d.toISOString(), now);
    assert.deepEqual(locked, { key: 'error.ACCOUNT_LOCKED_until', params: { time: '2026-11-27T12:15:00.000Z' } });
    assert.equal(errorMessage('ACCOUNT_LOCKED', null, String, now).key, 'error.ACCOUNT_LOCKED');
    assert.deepEqual(errorMessage('RATE_LIMITED', 17, String, now), { key: 'error.RATE_LIMITED', params: { seconds: 17 } });
    for (const lang of languages) {
      assert.match(catalogs[lang]['error.ACCOUNT_LOCKED_until'], /\{time\}/);
      assert.match(catalogs[lang]['error.RATE_LIMITED'], /\{seconds\}/);
    }
  });

  it('when a session ends for any revoke reason, then the sign-in screen has a sentence for it in every language', () => {
    const types = readFileSync(join(process.cwd(), 'backend', 'src', 'domain', 'types.ts'), 'utf8');
    const reasons = [...(/export type RevokeReason =([^;]+);/.exec(types)?.[1] ?? '').matchAll(/'(\w+)'/g)].map((m) => m[1]);
    assert.ok(reasons.includes('account_deleted') && reasons.length >= 8, reasons.join(', '));
    // Sessions of OAuth clients never belong to the page: their reasons need no page sentence.
    const pageReasons = reasons.filter((r) => r !== 'token_revoked' && r !== 'client_deactivated' && r !== 'authorization_code_replayed' && r !== 'device_code_replayed');
    for (const lang of languages) {
      assert.deepEqual(pageReasons.filter((r) => !catalogs[lang][`forced.${r}`]), [], `${lang}: forced-logout sentences`);
    }
  });

  it('when any audit event type reaches the Activity page, then each language names it in a sentence of its own, never the raw type', () => {
    const types = auditEventTypes();
    assert.ok(types.length >= 40 && types.includes('login.succeeded') && types.includes('passkey.failed'), `types read: ${types.length}`);
    for (const lang of languages) {
      const missing = types.filter((type) => !catalogs[lang][`event.${type}`]);
      assert.deepEqual(missing, [], `${lang}.json lacks an Activity sentence`);
    }
  });

  it('when the device ended by "this wasn\'t me" (the suspected intruder) is told why, then the sentence is a neutral sign-out: no report, no password advice', () => {
    for (const lang of languages) {
      const text = catalogs[lang]['forced.reported_by_user'];
      assert.ok(text, `${lang}: forced.reported_by_user`);
      assert.doesNotMatch(text, /password|пароль|wasn|не я|alert|уведомлен/i, `${lang}: ${text}`);
    }
  });

  it('when a message has plural forms, then each is a plural category of its language and the plain key exists', () => {
    for (const lang of languages) {
      const categories = new Intl.PluralRules(lang).resolvedOptions().pluralCategories as string[];
      for (const key of Object.keys(catalogs[lang]).filter((k) => k.includes('#'))) {
        const [base, category] = key.split('#');
        assert.ok(categories.includes(category), `${lang}: ${key} is not one of ${categories.join(', ')}`);
        assert.ok(catalogs[lang][base], `${lang}: ${key} has no plain ${base}`);
      }
    }
  });
});
