// The document and the app, route by route: every route the Express app answers is an operation in
// docs/openapi.yaml and every operation is a route, so neither can gain an endpoint the other lacks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useTestApp } from '../helpers/app';
import { openApiDocument } from '../../backend/src/modules/docs/openapi-document';
import { documentedOperations } from '../helpers/openapi-routes';

/** Routes that are not API operations: the document describes the API, not its own viewer. */
const NOT_OPERATIONS = new Set(['GET /api/docs', 'GET /api/docs/{asset}', 'GET /api/openapi.json']);

describe('OpenAPI document against the routes', () => {
  const app = useTestApp();

  it('when the app\'s routes are listed, then each is a documented operation', () => {
    const documented = new Set(documentedOperations().map((op) => `${op.method.toUpperCase()} ${op.template}`));
    const missing = app.container.routes.map((r) => `${r.method} ${r.path}`).filter((r) => !documented.has(r) && !NOT_OPERATIONS.has(r));
    assert.deepEqual(missing, []);
  });

  it('when the document\'s operations are listed, then each is a route of the app', () => {
    const routes = new Set(app.container.routes.map((r) => `${r.method} ${r.path}`));
    const extra = documentedOperations().map((op) => `${op.method.toUpperCase()} ${op.template}`).filter((op) => !routes.has(op));
    assert.deepEqual(extra, []);
  });

  it('when an endpoint is declared with endpoint(), then its operationId is the one the document gives that method and path', () => {
    const doc = openApiDocument();
    const declared = app.container.routes.filter((r) => r.operationId);
    const wrong = declared
      .map((r) => ({ route: `${r.method} ${r.path}`, declared: r.operationId, documented: (doc.paths[r.path]?.[r.method.toLowerCase()] as { operationId?: string } | undefined)?.operationId }))
      .filter((r) => r.declared !== r.documented);
    assert.deepEqual(wrong, []);
    // The control: declared endpoints are seen (the user module is declared this way).
    assert.ok(declared.some((r) => r.operationId === 'changePassword'));
  });

  it('when the route list is read, then it has the hot routes and the parametrised ones (the control: the walk sees into routers)', () => {
    const routes = app.container.routes.map((r) => `${r.method} ${r.path}`);
    assert.ok(routes.includes('POST /api/auth/refresh'));
    assert.ok(routes.includes('DELETE /api/user/sessions/{sessionId}'));
    assert.ok(routes.includes('POST /oauth/token'));
  });
});
