// The routes the input-fuzzing tests send to, taken from docs/openapi.yaml rather than hand-written lists, so
// a route added to the document (which every new route must be) is fuzzed without anyone remembering to.
import { openApiDocument, type OpenApiDocument } from '../../backend/src/modules/docs/openapi-document';

type Json = Record<string, unknown>;

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface Operation {
  method: Method;
  /** The document's path template, e.g. /api/user/sessions/{sessionId}. */
  template: string;
  /** Media types of the request body ([] when the operation takes none). */
  requestTypes: string[];
  /** Media types of every documented response. */
  responseTypes: string[];
  queryParams: string[];
  pathParams: string[];
  /** Callable without credentials (no security requirement, or `{}` among the alternatives). */
  anonymous: boolean;
}

const METHODS: Method[] = ['get', 'post', 'put', 'patch', 'delete'];

function deref(doc: OpenApiDocument, obj: Json): Json {
  let current = obj;
  for (let hops = 0; typeof current.$ref === 'string' && hops < 10; hops++) {
    current = (current.$ref)
      .slice(2)
      .split('/')
      .reduce<unknown>((node, part) => (node as Json)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')], doc) as Json;
  }
  return current;
}

/** Every operation in the document. */
export function documentedOperations(doc: OpenApiDocument = openApiDocument()): Operation[] {
  return Object.entries(doc.paths).flatMap(([template, item]) =>
    METHODS.filter((m) => item[m]).map((method) => {
      const op = item[method] as Json;
      const params = [...((item.parameters as Json[]) ?? []), ...((op.parameters as Json[]) ?? [])].map((p) => deref(doc, p));
      const body = op.requestBody ? deref(doc, op.requestBody as Json) : null;
      const responses = Object.values((op.responses ?? {}) as Json).map((r) => deref(doc, r as Json));
      const security = (op.security ?? doc.security ?? []) as Json[];
      return {
        anonymous: security.length === 0 || security.some((alternative) => Object.keys(alternative).length === 0),
        method,
        template,
        requestTypes: Object.keys((body?.content ?? {})),
        responseTypes: [...new Set(responses.flatMap((r) => Object.keys((r.content ?? {}) as Json)))],
        queryParams: params.filter((p) => p.in === 'query').map((p) => p.name as string),
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name as string),
      };
    }),
  );
}

/** The operation streams its answer (Server-Sent Events): a fuzzing request would wait for ever. */
export const streams = (op: Operation) => op.responseTypes.includes('text/event-stream');

/** The operation answers in JSON (possibly among other types) and takes JSON or nothing: the API's own JSON routes. */
export const isJsonRoute = (op: Operation) =>
  !streams(op) && op.responseTypes.some((t) => t === 'application/json') && op.requestTypes.every((t) => t === 'application/json');

/** The operation reads a request body (JSON or a form). */
export const readsBody = (op: Operation) => op.requestTypes.length > 0;

export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

/** Concrete paths for an operation: each path parameter as `values` gives (every parameter the same value). */
export function concretePaths(op: Operation, values: string[]): string[] {
  if (op.pathParams.length === 0) return [op.template];
  return values.map((v) => op.template.replace(/\{[^}]+\}/g, encodeURIComponent(v)));
}
