// docs/openapi.yaml: served as JSON, valid OpenAPI 3.1, internally consistent with the error table, and the
// traffic checker that every HTTP test runs through (test/helpers/openapi-contract.ts) catches drift.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { STATUS_BY_CODE } from '../../backend/src/http/errors';
import { openApiDocument } from '../../backend/src/modules/docs/openapi-document';
import { ContractChecker, type Exchange } from '../helpers/openapi-contract';
import { startTestApp, type TestApp } from '../helpers/app';

type Json = Record<string, unknown>;
const doc = openApiDocument();
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

function* operations(): Generator<[string, string, Json]> {
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) if ((item as Json)[method]) yield [path, method, (item as Json)[method] as Json];
  }
}

function resolve(node: unknown): Json {
  let current = node as Json;
  while (current && typeof current.$ref === 'string') {
    current = (current.$ref)
      .slice(2)
      .split('/')
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<unknown>((n, p) => (n as Json)?.[p], doc) as Json;
  }
  return current;
}

/** Every (status, error code) pair a response schema allows, from `code: {const}` / `{enum}`. */
function documentedErrorCodes(): { status: string; code: string; where: string }[] {
  const found: { status: string; code: string; where: string }[] = [];
  for (const [path, method, op] of operations()) {
    for (const [status, r] of Object.entries((op.responses ?? {}) as Json)) {
      const schema = (resolve(r).content as Json | undefined)?.['application/json'] as Json | undefined;
      const code = (((((schema?.schema as Json)?.properties as Json)?.error as Json)?.properties as Json)?.code ?? {}) as Json;
      const codes = code.const ? [code.const] : ((code.enum as string[]) ?? []);
      for (const c of codes) found.push({ status, code: typeof c === 'string' ? c : JSON.stringify(c), where: `${method.toUpperCase()} ${path}` });
    }
  }
  return found;
}

describe('OpenAPI document', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => {
    await app.close();
  });

  it('when GET /api/openapi.json is called, then it serves docs/openapi.yaml as JSON', async () => {
    const res = await app.http.get('/api/openapi.json');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /^application\/json/);
    assert.deepEqual(res.body, doc);
    assert.equal(res.body.openapi, '3.1.0');
  });

  it('when the document is checked against the OpenAPI 3.1 schema, then it is valid', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    assert.equal(validator.version, '3.1');
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
  });

  it('when operations are listed, then each has a unique operationId, a summary, a tag and responses; each path parameter is declared', () => {
    const ids = new Set<string>();
    for (const [path, method, op] of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      assert.ok(typeof op.operationId === 'string' && !ids.has(op.operationId), `${where}: unique operationId`);
      ids.add(op.operationId);
      assert.ok(op.summary, `${where}: summary`);
      assert.ok(Array.isArray(op.tags) && op.tags.length > 0, `${where}: tag`);
      assert.ok(Object.keys(op.responses as Json).length > 0, `${where}: responses`);
      const item = doc.paths[path] as Json;
      const declared = [...((item.parameters as Json[] | undefined) ?? []), ...((op.parameters as Json[] | undefined) ?? [])].map(resolve).filter((p) => p.in === 'path').map((p) => p.name);
      for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) assert.ok(declared.includes(name), `${where}: path parameter ${name} declared`);
    }
    assert.ok(ids.size >= 25, `expected every route, found ${ids.size} operations`);
  });

  it('when every example is validated against its schema, then all pass', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
    ajv.addSchema(doc, 'openapi');
    let checked = 0;
    const visit = (node: unknown, pointer: string) => {
      if (!node || typeof node !== 'object') return;
      const n = node as Json;
      // Media type objects: {schema, example | examples}.
      if (n.schema && (n.example !== undefined || n.examples)) {
        const validate = ajv.compile({ $ref: `openapi#${encodeURI(pointer)}/schema` });
        const examples = n.example !== undefined ? [n.example] : Object.values(n.examples as Json).map((e) => resolve(e).value);
        for (const example of examples) {
          checked += 1;
          assert.ok(validate(example), `${pointer}: example ${JSON.stringify(example).slice(0, 80)}: ${ajv.errorsText(validate.errors)}`);
        }
      }
      for (const [k, v] of Object.entries(n)) if (k !== 'example' && k !== 'examples') visit(v, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    };
    visit(doc.paths, '/paths');
    visit(doc.components?.responses, '/components/responses');
    assert.ok(checked >= 20, `only ${checked} examples checked`);
  });

  it("when error codes are read from the document, then each sits under the status the app's error table maps it to", () => {
    const extra: Record<string, number> = { PAYLOAD_TOO_LARGE: 413, UNSUPPORTED_MEDIA_TYPE: 415, INTERNAL_ERROR: 500 };
    const table: Record<string, number> = { ...STATUS_BY_CODE, ...extra };
    const pairs = documentedErrorCodes();
    for (const { status, code, where } of pairs) {
      assert.ok(code in table, `${where}: ${code} is not an error code of the app`);
      assert.equal(Number(status), table[code], `${where}: ${code} documented under ${status}`);
    }
    // Every code the app can send appears somewhere (INTERNAL_ERROR is documented in prose only;
    // MFA_REQUIRED only reaches /oauth/token, which answers it as invalid_grant; SERVICE_UNAVAILABLE is the
    // shared 503 response any operation may give, checked below).
    const documented = new Set(pairs.map((p) => p.code));
    const serviceUnavailable = resolve({ $ref: '#/components/responses/ServiceUnavailable' });
    assert.match(JSON.stringify(serviceUnavailable), /SERVICE_UNAVAILABLE/);
    for (const code of Object.keys(table)) if (!['INTERNAL_ERROR', 'MFA_REQUIRED', 'SERVICE_UNAVAILABLE'].includes(code)) assert.ok(documented.has(code), `${code} appears in no response`);
  });

  it("when docs/api.md's error table is read, then it lists every code with the app's status", () => {
    const rows = [...readFileSync('docs/api.md', 'utf8').matchAll(/^\| `?([A-Z][A-Z0-9_]+)`? \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])] as const);
    const table: Record<string, number> = { ...STATUS_BY_CODE, PAYLOAD_TOO_LARGE: 413, UNSUPPORTED_MEDIA_TYPE: 415, INTERNAL_ERROR: 500 };
    assert.deepEqual(Object.fromEntries(rows), table);
  });
});

describe('OpenAPI traffic checker', () => {
  const checker = new ContractChecker(doc);
  const json = (body: unknown) => Buffer.from(JSON.stringify(body));
  const exchange = (x: Partial<Exchange>): Exchange => ({
    method: 'GET',
    url: '/health',
    requestHeaders: {},
    requestBody: undefined,
    requestHasBody: false,
    status: 200,
    responseHeaders: { 'x-request-id': 'r1', 'content-type': 'application/json; charset=utf-8' },
    responseBody: json({ status: 'ok', database: 'up', uptimeSeconds: 1 }),
    ...x,
  });
  const login = (x: Partial<Exchange>) =>
    exchange({ method: 'POST', url: '/api/auth/login', requestHeaders: { 'content-type': 'application/json', 'content-length': '40' }, requestHasBody: true, requestBody: { email: 'a@b.c', password: 'x' }, ...x });

  it('when an exchange matches the document, then there is no problem', () => {
    assert.deepEqual(checker.check(exchange({})), []);
  });

  it('when a path or method is not documented, then it is a problem unless it is the catch-all 404', () => {
    assert.match(checker.check(exchange({ url: '/api/new-route' })).join(), /path \/api\/new-route is not in docs\/openapi.yaml/);
    assert.match(checker.check(exchange({ method: 'DELETE', url: '/health' })).join(), /method DELETE of \/health/);
    assert.deepEqual(checker.check(exchange({ url: '/nope', status: 404, responseBody: json({ error: { code: 'NOT_FOUND', message: 'x' } }) })), []);
  });

  it('when the response has a field the document lacks, or lacks a required one, then it is a problem', () => {
    assert.match(checker.check(exchange({ responseBody: json({ status: 'ok', database: 'up', secret: 1 }) })).join(), /additional propert/);
    assert.match(checker.check(exchange({ responseBody: json({ status: 'ok' }) })).join(), /must have required property 'database'/);
  });

  it('when a status, an error code or a required header is not documented, then it is a problem', () => {
    const error = (code: string) => json({ error: { code, message: 'm' } });
    assert.match(checker.check(login({ status: 409, responseBody: error('EMAIL_TAKEN') })).join(), /status 409 is not documented/);
    assert.match(checker.check(login({ status: 401, responseBody: error('TOKEN_EXPIRED') })).join(), /must be equal to constant/);
    assert.match(checker.check(login({ status: 429, responseBody: error('RATE_LIMITED') })).join(), /required header Retry-After is missing/);
    assert.deepEqual(checker.check(login({ status: 429, responseHeaders: { 'x-request-id': 'r', 'content-type': 'application/json', 'retry-after': '3' }, responseBody: error('RATE_LIMITED') })), []);
  });

  it('when a request the document calls invalid is accepted, then it is a problem; refused with a 4xx, it is not', () => {
    const tokens = json({ accessToken: 'a', refreshToken: 'r', tokenType: 'Bearer', expiresIn: 900, sessionId: '5d0c8e1a-3b7f-4e2a-9c4d-6f1e2a3b4c5d', user: { id: '0b6f5a2e-7c1d-4c1e-9a63-2f1d8f0c4b11', email: 'a@b.c', username: null, role: 'user', status: 'active' } });
    const headers = { 'x-request-id': 'r', 'content-type': 'application/json', 'cache-control': 'no-store' };
    assert.deepEqual(checker.check(login({ responseHeaders: headers, responseBody: tokens })), []);
    assert.match(checker.check(login({ requestBody: { email: 'a@b.c' }, responseHeaders: headers, responseBody: tokens })).join(), /calls this request invalid .*password.* but the app answered 200/);
    const refused = json({ error: { code: 'VALIDATION_ERROR', message: 'm', details: [{ field: 'password', message: 'required' }] } });
    assert.deepEqual(checker.check(login({ requestBody: { email: 'a@b.c' }, status: 400, responseBody: refused })), []);
    // Security: a bearer operation answered 200 without a token.
    const me = exchange({ url: '/api/user/me', responseBody: json({ user: { id: '0b6f5a2e-7c1d-4c1e-9a63-2f1d8f0c4b11', email: 'a@b.c', username: null, role: 'user', status: 'active', twoFactorEnabled: false, createdAt: '2026-01-01T00:00:00.000Z' } }) });
    assert.match(checker.check(me).join(), /no credentials for bearerAuth/);
    assert.deepEqual(checker.check({ ...me, requestHeaders: { authorization: 'Bearer x' } }), []);
  });

  it('when query parameters break their schema and the app accepts them, then it is a problem', () => {
    const events = (url: string) => exchange({ url, requestHeaders: { authorization: 'Bearer x' }, responseBody: json({ events: [], nextCursor: null }) });
    assert.deepEqual(checker.check(events('/api/user/security-events?limit=20')), []);
    assert.match(checker.check(events('/api/user/security-events?limit=500')).join(), /query parameter limit/);
  });

  it('when a response carries no X-Request-Id, then it is a problem', () => {
    assert.match(checker.check(exchange({ responseHeaders: { 'content-type': 'application/json' } })).join(), /X-Request-Id/);
  });
});
