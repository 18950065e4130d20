// JSON bodies for the API. Text that cannot be stored (storable-text.ts: NUL, lone surrogates) is refused
// here, for every route, as a VALIDATION_ERROR naming the field, before any handler or validator sees it.
import express, { type RequestHandler } from 'express';
import { Errors } from '../domain/errors';
import { findUnreadableText } from './storable-text';

export const rejectUnreadableText: RequestHandler = (req, _res, next) => {
  const problem = findUnreadableText(req.body);
  if (problem) return next(Errors.validation([problem]));
  next();
};

/** JSON body parsing plus the text check, skipped outright for requests without a body (most GETs). */
export function jsonBody(limit: string): RequestHandler {
  const parse = express.json({ limit });
  return (req, res, next) => {
    if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) return next();
    parse(req, res, (err?: unknown) => (err ? next(err) : rejectUnreadableText(req, res, next)));
  };
}
