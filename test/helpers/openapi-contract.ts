// Checks HTTP traffic against docs/openapi.yaml, so the document cannot drift from the app.
//
// startTestApp() records every exchange the real server handles (supertest, fetch, a browser: anything
// that reaches the port) and close() fails the test file when one of them disagrees with the document:
//
// - the path and method must be documented (an undocumented one may only be the catch-all 404 NOT_FOUND);
// - the status must be documented for that operation, with its required headers, media type and a body
//   that validates against the schema (response objects say `additionalProperties: false`, so a field
//   missing from the document fails);
// - the request is checked too (parameters, security, body). Tests send bad requests on purpose, so a
//   request the document calls invalid is not itself a failure; it must then be refused with a 4xx, and
//   accepting it is one (the document is stricter than the app, or the app forgot a check);
// - every response carries X-Request-Id.
//
// JSON Schema 2020-12 (OpenAPI 3.1's dialect) is checked with Ajv; see docs/architecture.md for why this
// is a recorder around the server rather than a validator middleware inside the app.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { openApiDocument, type OpenApiDocument } from '../../backend/src/modules/docs/openapi-document';

// ajv-formats is CommonJS with a default export; under tsx the namespace or the function may arrive.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => void;

export interface Exchange {
  method: string;
  /** Path and query as sent. */
  url: string;
  requestHeaders: Record<string, string | string[] | undefined>;
  /** The body as the app parsed it (Express sets req.body); undefined when none was parsed. */
  requestBody: unknown;
  requestHasBody: boolean;
  status: number;
  responseHeaders: Record<string, string | number | string[] | undefined>;
  /** Raw response body; null when not recorded (event streams, bodies over 1 MiB). */
  responseBody: Buffer | null;
}

type Json = Record<string, unknown>;

interface Route {
  template: string;
  regex: RegExp;
  names: string[];
  item: Json;
}

/** The API's namespaces (the same list the web app's page fallback keeps out of); everything else is the web app. */
const API_PATHS = /^\/(api|oauth|\.well-known|health|metrics)(\/|$)/;

const pathIsOAuth = (url: string) => url.startsWith('/oauth/');

/** Shared responses for a refused request body, allowed on every operation (see info.description). */
const BODY_REFUSALS: Record<number, string> = { 400: 'ValidationError', 413: 'PayloadTooLarge', 415: 'UnsupportedMediaType' };

const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

export class ContractChecker {
  private readonly ajv: Ajv2020;
  /** Parameters arrive as strings: a second instance coerces them to the schema's type. */
  private readonly ajvParams: Ajv2020;
  private readonly routes: Route[];
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(private readonly doc: OpenApiDocument = openApiDocument()) {
    const make = (coerceTypes: boolean) => {
      const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false, coerceTypes });
      addFormats(ajv);
      ajv.addSchema(doc, 'openapi');
      return ajv;
    };
    this.ajv = make(false);
    this.ajvParams = make(true);
    this.routes = Object.entries(doc.paths)
      .map(([template, item]) => {
        const names: string[] = [];
        const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_m, name: string) => (names.push(name), '([^/]+)'));
        return { template, regex: new RegExp(`^${source}$`), names, item: item };
      })
      // Concrete paths win over templated ones (OpenAPI 3.1 §4.8.8): /sessions/others before /sessions/{id}.
      .sort((a, b) => a.names.length - b.names.length);
  }

  /** Problems with one exchange; empty when it matches the document. */
  check(x: Exchange): string[] {
    const method = x.method.toLowerCase();
    if (method === 'options') return []; // CORS preflights: answered by the cors middleware, not operations
    const [pathname = '', query = ''] = x.url.split('?', 2);
    if (!API_PATHS.test(pathname)) return []; // the account web app's pages and assets are not API
    const problems: string[] = [];
    if (!header(x.responseHeaders, 'x-request-id')) problems.push('response has no X-Request-Id');

    const route = this.routes.find((r) => r.regex.test(pathname));
    const opMethod = method === 'head' ? 'get' : method;
    const op = route?.item[opMethod] as Json | undefined;
    if (!route || !op) {
      // The catch-all 404s: the API's NOT_FOUND, and /oauth's own in the OAuth error shape.
      if (x.status === 404 && (this.errorCode(x) === 'NOT_FOUND' || (pathIsOAuth(x.url) && this.oauthError(x) === 'invalid_request'))) return problems;
      // A body the JSON parser refuses is answered before routing, so an unknown path can get these too.
      if ([400, 413, 415].includes(x.status) && !pathIsOAuth(x.url) && this.errorCode(x) !== undefined) return problems;
      return [...problems, `${route ? `method ${x.method} of ${route.template}` : `path ${pathname}`} is not in docs/openapi.yaml (answered ${x.status})`];
    }
    const opPointer = `/paths/${escapePointer(route.template)}/${opMethod}`;

    const requestProblems = this.checkRequest(x, route, op, opPointer, pathname, query);
    if (requestProblems.length > 0 && (x.status < 400 || x.status >= 500)) {
      problems.push(`the document calls this request invalid (${requestProblems.join('; ')}) but the app answered ${x.status}`);
    }
    problems.push(...this.checkResponse(x, op, opPointer, method));
    return problems;
  }

  private checkRequest(x: Exchange, route: Route, op: Json, opPointer: string, pathname: string, query: string): string[] {
    const problems: string[] = [];
    const match = route.regex.exec(pathname)!;
    const itemParams = ((route.item.parameters as Json[] | undefined) ?? []).map((p, i) => this.deref(p, `/paths/${escapePointer(route.template)}/parameters/${i}`));
    const opParams = ((op.parameters as Json[] | undefined) ?? []).map((p, i) => this.deref(p, `${opPointer}/parameters/${i}`));
    const search = new URLSearchParams(query);
    for (const [param, pointer] of [...itemParams, ...opParams]) {
      const name = param.name as string;
      let value: unknown;
      if (param.in === 'path') {
        const index = route.names.indexOf(name);
        value = index >= 0 ? safeDecode(match[index + 1]) : undefined;
      } else if (param.in === 'query') {
        const all = search.getAll(name);
        value = all.length === 0 ? undefined : all.length === 1 ? all[0] : all;
      } else if (param.in === 'header') {
        value = header(x.requestHeaders, name);
      } else continue;
      if (value === undefined) {
        if (param.required) problems.push(`${param.in} parameter ${name} is required`);
        continue;
      }
      if (!param.schema) continue;
      const validate = this.paramValidator(`${pointer}/schema`);
      if (!validate({ value })) problems.push(`${param.in} parameter ${name}: ${this.ajv.errorsText(validate.errors, { dataVar: name })}`);
    }

    const security = (op.security ?? this.doc.security) as Json[] | undefined;
    if (security && security.length > 0 && !security.some((alternative) => Object.keys(alternative).every((scheme) => this.sendsCredentials(x, scheme)))) {
      problems.push(`no credentials for ${security.map((s) => Object.keys(s).join('+') || 'none').join(' or ')}`);
    }

    const body = op.requestBody ? this.deref(op.requestBody as Json, `${opPointer}/requestBody`) : null;
    if (body) {
      const [requestBody, bodyPointer] = body;
      if (!x.requestHasBody) {
        if (requestBody.required) problems.push('a request body is required');
      } else {
        const type = mediaType(header(x.requestHeaders, 'content-type'));
        const content = (requestBody.content ?? {}) as Json;
        const key = findMediaType(content, type);
        if (!key) problems.push(`request content type ${type || '(none)'} is not one of ${Object.keys(content).join(', ')}`);
        else if (x.requestBody === undefined) problems.push('the request body could not be parsed');
        else if ((content[key] as Json).schema) {
          const validate = this.validator(`${bodyPointer}/content/${escapePointer(key)}/schema`);
          if (!validate(x.requestBody)) problems.push(`request body: ${this.ajv.errorsText(validate.errors, { dataVar: 'body' })}`);
        }
      }
    }
    return problems;
  }

  private checkResponse(x: Exchange, op: Json, opPointer: string, method: string): string[] {
    const responses = (op.responses ?? {}) as Json;
    const key = [String(x.status), `${String(x.status)[0]}XX`, 'default'].find((k) => k in responses);
    // The document's conventions: any request body may be refused (malformed JSON, NUL, too large, unreadable)
    // by any operation, with the shared responses below.
    const bodyRefusal = x.status === 503 ? 'ServiceUnavailable' : x.requestHasBody && !pathIsOAuth(x.url) ? BODY_REFUSALS[x.status] : undefined;
    if (!key && !bodyRefusal) return [`status ${x.status} is not documented for this operation (documented: ${Object.keys(responses).join(', ')})${this.describeError(x)}`];
    const [response, pointer] = key
      ? this.deref(responses[key] as Json, `${opPointer}/responses/${key}`)
      : this.deref({ $ref: `#/components/responses/${bodyRefusal}` }, '');
    const problems: string[] = [];

    for (const [name, h] of Object.entries((response.headers ?? {}) as Json)) {
      const [headerObject, headerPointer] = this.deref(h as Json, `${pointer}/headers/${escapePointer(name)}`);
      const value = header(x.responseHeaders, name);
      if (value === undefined) {
        if (headerObject.required) problems.push(`status ${x.status}: required header ${name} is missing`);
        continue;
      }
      if (headerObject.schema) {
        const validate = this.validator(`${headerPointer}/schema`);
        if (!validate(String(value))) problems.push(`status ${x.status}: header ${name}: ${this.ajv.errorsText(validate.errors, { dataVar: name })}`);
      }
    }

    const content = response.content as Json | undefined;
    const type = mediaType(header(x.responseHeaders, 'content-type'));
    const body = x.responseBody;
    const empty = body !== null && body.length === 0;
    if (!content) {
      if (body && body.length > 0) problems.push(`status ${x.status} is documented without a body, but the app sent ${type || 'one'}`);
      return problems;
    }
    if (empty) {
      if (method !== 'head') problems.push(`status ${x.status} is documented with ${Object.keys(content).join(', ')} but the body is empty`);
      return problems;
    }
    const mediaKey = findMediaType(content, type);
    if (!mediaKey) return [...problems, `status ${x.status}: content type ${type || '(none)'} is not one of ${Object.keys(content).join(', ')}`];
    const schemaPointer = `${pointer}/content/${escapePointer(mediaKey)}/schema`;
    if (body === null || !(content[mediaKey] as Json).schema) return problems;
    if (isJson(mediaKey)) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        return [...problems, `status ${x.status}: the body is not JSON`];
      }
      const validate = this.validator(schemaPointer);
      if (!validate(parsed)) problems.push(`status ${x.status}: response body: ${this.ajv.errorsText(validate.errors, { dataVar: 'body' })}`);
    } else {
      const validate = this.validator(schemaPointer);
      if (!validate(body.toString('utf8'))) problems.push(`status ${x.status}: response body: ${this.ajv.errorsText(validate.errors, { dataVar: 'body' })}`);
    }
    return problems;
  }

  private sendsCredentials(x: Exchange, schemeName: string): boolean {
    const scheme = ((this.doc.components?.securitySchemes ?? {}) as Json)[schemeName] as Json | undefined;
    if (!scheme) return false;
    const authorization = String(header(x.requestHeaders, 'authorization') ?? '');
    if (scheme.type === 'http') return authorization.toLowerCase().startsWith(`${String(scheme.scheme).toLowerCase()} `);
    if (scheme.type === 'apiKey') {
      if (scheme.in === 'header') return header(x.requestHeaders, String(scheme.name)) !== undefined;
      if (scheme.in === 'cookie') return cookieNames(header(x.requestHeaders, 'cookie')).includes(String(scheme.name));
      if (scheme.in === 'query') return new URLSearchParams(x.url.split('?', 2)[1] ?? '').has(String(scheme.name));
    }
    // oauth2 / openIdConnect: bearer tokens in the Authorization header.
    return authorization.toLowerCase().startsWith('bearer ');
  }

  /** Follows an OpenAPI Reference Object ({$ref}) to the object and its JSON pointer. */
  private deref(obj: Json, pointer: string): [Json, string] {
    let current = obj;
    let at = pointer;
    for (let hops = 0; typeof current.$ref === 'string' && hops < 10; hops++) {
      const ref = current.$ref;
      if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported: ${ref}`);
      at = ref.slice(1);
      current = resolvePointer(this.doc, at) as Json;
      if (!current) throw new Error(`unresolved $ref ${ref}`);
    }
    return [current, at];
  }

  private validator(pointer: string): ValidateFunction {
    let validate = this.cache.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `openapi#${encodeURI(pointer)}` });
      this.cache.set(pointer, validate);
    }
    return validate;
  }

  /** Coercion (query strings to integers) only works on a property of an object: the value sits in a holder. */
  private paramValidator(pointer: string): ValidateFunction {
    const key = `param:${pointer}`;
    let validate = this.cache.get(key);
    if (!validate) {
      validate = this.ajvParams.compile({ type: 'object', properties: { value: { $ref: `openapi#${encodeURI(pointer)}` } } });
      this.cache.set(key, validate);
    }
    return validate;
  }

  private errorCode(x: Exchange): string | undefined {
    try {
      return JSON.parse(x.responseBody?.toString('utf8') ?? '')?.error?.code;
    } catch {
      return undefined;
    }
  }

  private oauthError(x: Exchange): string | undefined {
    try {
      const error = JSON.parse(x.responseBody?.toString('utf8') ?? '')?.error;
      return typeof error === 'string' ? error : undefined;
    } catch {
      return undefined;
    }
  }

  private describeError(x: Exchange): string {
    const code = this.errorCode(x);
    return code ? ` [${code}]` : '';
  }
}

function resolvePointer(doc: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Json)[part] : undefined), doc);
}

function header(headers: Exchange['requestHeaders'] | Exchange['responseHeaders'], name: string) {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

function mediaType(contentType: unknown): string {
  return (typeof contentType === 'string' ? contentType : '').split(';')[0].trim().toLowerCase();
}

function findMediaType(content: Json, type: string): string | undefined {
  if (!type) return undefined;
  return Object.keys(content).find((k) => k.toLowerCase() === type) ?? Object.keys(content).find((k) => k === `${type.split('/')[0]}/*`) ?? Object.keys(content).find((k) => k === '*/*');
}

const isJson = (type: string) => type === 'application/json' || type.endsWith('+json');

function cookieNames(cookie: unknown): string[] {
  return (Array.isArray(cookie) ? cookie.join(',') : typeof cookie === 'string' ? cookie : '')
    .split(';')
    .map((c) => c.split('=')[0].trim())
    .filter(Boolean);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const MAX_RECORDED = 1 << 20;

/**
 * Wraps a server's request handling: records each exchange and hands it to `onExchange` when the response
 * has finished (or the connection closed). Event streams are not buffered: their status and headers are
 * still checked.
 */
export function recordExchanges(onExchange: (x: Exchange) => void) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const requestHeaders = { ...req.headers };
    const chunks: Buffer[] = [];
    let size = 0;
    let streaming = false;
    let truncated = false;
    const keep = (chunk: unknown, encoding?: unknown) => {
      if (streaming || chunk === undefined || chunk === null || typeof chunk === 'function') return;
      if (!streaming && mediaType(res.getHeader('content-type')) === 'text/event-stream') {
        streaming = true;
        return;
      }
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
      size += buf.length;
      if (size <= MAX_RECORDED) chunks.push(buf);
      else truncated = true;
    };
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.write = ((...args: unknown[]) => (keep(args[0], args[1]), write(...args))) as typeof res.write;
    res.end = ((...args: unknown[]) => (keep(args[0], args[1]), end(...args))) as typeof res.end;
    // Headers passed to writeHead as a flat array (the lean routes' fast path) are never stored where
    // getHeaders() looks: note them here.
    const written: Record<string, string> = {};
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
    res.writeHead = ((...args: unknown[]) => {
      const list = args.find((a) => Array.isArray(a)) as unknown[] | undefined;
      if (list) for (let i = 0; i + 1 < list.length; i += 2) written[String(list[i]).toLowerCase()] = String(list[i + 1]);
      return writeHead(...args);
    });
    const header = (name: string) => res.getHeader(name) ?? written[name];
    let done = false;
    const finish = () => {
      if (done || !res.headersSent) return;
      done = true;
      const parsed = (req as IncomingMessage & { body?: unknown }).body;
      onExchange({
        method,
        url,
        requestHeaders,
        requestBody: parsed,
        requestHasBody: (requestHeaders['content-length'] !== undefined && requestHeaders['content-length'] !== '0') || requestHeaders['transfer-encoding'] !== undefined,
        status: res.statusCode,
        responseHeaders: { ...written, ...res.getHeaders() },
        responseBody: streaming || truncated || mediaType(header('content-type')) === 'text/event-stream' ? null : Buffer.concat(chunks),
      });
    };
    res.once('finish', finish);
    res.once('close', finish);
  };
}

/** One checker per process (compiled schemas are cached), collecting problems per test app. */
let shared: ContractChecker | null = null;
export function contractRecorder() {
  shared ??= new ContractChecker();
  const checker = shared;
  const violations: string[] = [];
  return {
    violations,
    observe: recordExchanges((x) => {
      let problems: string[];
      try {
        problems = checker.check(x);
      } catch (err) {
        problems = [`checker failed: ${(err as Error).message}`];
      }
      for (const p of problems) violations.push(`${x.method} ${x.url.split('?')[0]} → ${x.status}: ${p}`);
    }),
  };
}
