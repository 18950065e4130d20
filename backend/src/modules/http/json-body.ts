// JSON bodies for the API. PostgreSQL text cannot hold U+0000: a NUL anywhere in a body would otherwise
// reach the database and fail there as a 500, so it is refused here, for every route, as a VALIDATION_ERROR
// naming the field.
import express, { type RequestHandler } from 'express';
import { Errors } from '../../domain/errors';

function findNul(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path || 'body' : null;
  if (depth > 8 || value === null || typeof value !== 'object') return null;
  for (const [key, v] of Object.entries(value)) {
    const found = findNul(v, path ? `${path}.${key}` : key, depth + 1);
    if (found) return found;
  }
  return null;
}

export const rejectNul: RequestHandler = (req, _res, next) => {
  const field = findNul(req.body, '');
  if (field) return next(Errors.validation([{ field, message: 'must not contain NUL characters' }]));
  next();
};

/** JSON body parsing plus the NUL check, skipped outright for requests without a body (most GETs). */
export function jsonBody(limit: string): RequestHandler {
  const parse = express.json({ limit });
  return (req, res, next) => {
    if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) return next();
    parse(req, res, (err?: unknown) => (err ? next(err) : rejectNul(req, res, next)));
  };
}
