// X-Request-Id on every response: the caller's when it looks like an id, else a fresh UUID.
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

export const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export const requestId: RequestHandler = (req, res, next) => {
  const incoming = req.get('x-request-id');
  req.id = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', req.id);
  next();
};
