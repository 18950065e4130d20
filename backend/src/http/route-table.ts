// The routes an Express app answers, read from its router: what the OpenAPI check compares with
// docs/openapi.yaml route by route, so no operation exists in one without the other. Express 5's router
// keeps each layer's mount path as written (`rawPath`); a route's `:name` becomes the document's `{name}`.
import type { Express } from 'express';
import { OPERATION_ID } from './endpoint';

export interface RouteEntry {
  method: string;
  /** The path template in the OpenAPI spelling: /api/user/sessions/{sessionId}. */
  path: string;
  /** Set when the route was declared with endpoint() (endpoint.ts): the operation it names in the document. */
  operationId?: string;
}

interface Layer {
  rawPath?: string | string[];
  route?: { path: string | string[]; methods: Record<string, boolean>; [OPERATION_ID]?: Record<string, string> };
  handle?: { stack?: Layer[] };
}

/** Every method + path the app routes to a handler (middleware without a route is left out). */
export function routeTable(app: Express): RouteEntry[] {
  const out: RouteEntry[] = [];
  const walk = (stack: readonly Layer[], prefix: string) => {
    for (const layer of stack) {
      const raw = layer.route ? layer.route.path : layer.rawPath;
      const paths = raw === undefined ? [''] : Array.isArray(raw) ? raw : [raw];
      for (const p of paths) {
        const path = prefix + (p === '/' && !layer.route ? '' : p);
        if (layer.route) {
          const ids = layer.route[OPERATION_ID];
          for (const m of Object.keys(layer.route.methods)) {
            if (m === '_all') continue;
            const operationId = ids?.[m.toUpperCase()];
            out.push({ method: m.toUpperCase(), path: openApiPath(path), ...(operationId ? { operationId } : {}) });
          }
        } else if (layer.handle?.stack) walk(layer.handle.stack, path);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  const seen = new Set<string>();
  return out.filter((r) => (seen.has(`${r.method} ${r.path}`) ? false : (seen.add(`${r.method} ${r.path}`), true)));
}

function openApiPath(expressPath: string): string {
  const p = expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}
