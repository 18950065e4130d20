// GET /api/openapi.json: the API description, read and serialised once when the app is built.
import { Router } from 'express';
import { openApiJson } from './openapi-document';

export function docsRoutes(): Router {
  const json = openApiJson();
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.type('application/json').send(json);
  });
  return router;
}
