// GET /api/openapi.json: the API description, read and serialised once when the app is built.
// GET /api/docs: a reference page rendering it with Swagger UI. Every asset comes from this server (the
// swagger-ui-dist package and this folder's public/), never a CDN, under a page CSP that allows scripts
// from this origin only; Swagger UI sets style attributes, so inline styles are allowed, nothing else.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router, type Response } from 'express';
import { pageCsp } from '../../http/security-headers';
import { openApiJson } from './openapi-document';

const DOCS_CSP = pageCsp({ inlineStyles: true });

const PUBLIC = fileURLToPath(new URL('./public/', import.meta.url));
const SWAGGER_UI = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** The only files served under /api/docs/: name → [file, content type]. */
const ASSETS: Record<string, [string, string]> = {
  'swagger-ui.css': [join(SWAGGER_UI, 'swagger-ui.css'), 'text/css; charset=utf-8'],
  'swagger-ui-bundle.js': [join(SWAGGER_UI, 'swagger-ui-bundle.js'), 'text/javascript; charset=utf-8'],
  'init.js': [join(PUBLIC, 'init.js'), 'text/javascript; charset=utf-8'],
  'docs.css': [join(PUBLIC, 'docs.css'), 'text/css; charset=utf-8'],
};

const page = (res: Response) => res.setHeader('Content-Security-Policy', DOCS_CSP);

export function docsRoutes(): Router {
  const json = openApiJson();
  // Read once at start: a few MB that never change while the process runs.
  const assets = new Map(Object.entries(ASSETS).map(([name, [file, type]]) => [name, { body: readFileSync(file), type }]));
  const html = readFileSync(join(PUBLIC, 'index.html'));
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.type('application/json').send(json);
  });
  router.get('/docs', (_req, res) => {
    page(res).setHeader('Cache-Control', 'no-cache');
    res.type('text/html; charset=utf-8').send(html);
  });
  router.get('/docs/:asset', (req, res, next) => {
    const asset = assets.get(String(req.params.asset));
    if (!asset) return next();
    page(res).setHeader('Cache-Control', 'public, max-age=3600');
    res.setHeader('Content-Type', asset.type);
    res.send(asset.body);
  });
  return router;
}
