// The OpenAPI document (docs/openapi.yaml), parsed once per process: the server serves it as JSON and the
// HTTP tests validate traffic against the same object, so what is served is what is tested.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const OPENAPI_PATH = fileURLToPath(new URL('../../../../docs/openapi.yaml', import.meta.url));

export interface OpenApiDocument {
  openapi: string;
  info: Record<string, unknown>;
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

let cached: { document: OpenApiDocument; json: string } | null = null;

function load() {
  if (!cached) {
    const document = parse(readFileSync(OPENAPI_PATH, 'utf8')) as OpenApiDocument;
    if (!document || typeof document.openapi !== 'string' || !document.paths) throw new Error(`${OPENAPI_PATH} is not an OpenAPI document`);
    cached = { document, json: JSON.stringify(document) };
  }
  return cached;
}

/** The parsed document. Callers must not mutate it. */
export function openApiDocument(): OpenApiDocument {
  return load().document;
}

/** The document serialised once, for GET /api/openapi.json. */
export function openApiJson(): string {
  return load().json;
}
