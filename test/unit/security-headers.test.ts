import { test } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import helmet from 'helmet';
import supertest from 'supertest';
import { securityHeaders } from '../../backend/src/http/security-headers';

function headersOf(middleware: express.RequestHandler) {
  const app = express();
  app.disable('x-powered-by');
  app.use(middleware);
  app.get('/', (_req, res) => {
    res.json({});
  });
  return supertest(app).get('/');
}

test('when helmet headers are replayed from a one-time recording, then every response carries exactly what helmet() would set', async () => {
  const [ours, theirs] = await Promise.all([headersOf(securityHeaders()), headersOf(helmet())]);
  const pick = (h: Record<string, string>) =>
    Object.fromEntries(Object.entries(h).filter(([k]) => !['date', 'etag', 'content-length', 'connection', 'keep-alive'].includes(k)));
  assert.deepEqual(pick(ours.headers), pick(theirs.headers));
  assert.ok(ours.headers['content-security-policy']);
  assert.equal(ours.headers['x-content-type-options'], 'nosniff');
});
