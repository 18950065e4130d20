// JSON bodies for the API. Text that cannot be stored (storable-text.ts: NUL, lone surrogates) is refused
// here, for every route, as a VALIDATION_ERROR naming the field, before any handler or validator sees it.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
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

/** "16kb" → 16384 (b, kb, mb; the forms BODY_LIMIT is given in); null for anything else. */
export function simpleBytes(limit: string): number | null {
  const m = /^\s*(\d+)\s*(b|kb|mb)?\s*$/i.exec(limit);
  if (!m) return null;
  return Number(m[1]) * { b: 1, kb: 1024, mb: 1024 * 1024 }[(m[2] ?? 'b').toLowerCase() as 'b' | 'kb' | 'mb'];
}

const PLAIN_JSON = /^application\/json(?:;\s*charset=utf-8)?$/i;
/** Largest body the lean reader takes; anything larger goes through body-parser. */
const LEAN_MAX = 8192;

/** A body-parser-shaped error, so the error handler answers it as it answers body-parser's. */
const readError = (message: string, type: string) => Object.assign(new Error(message), { status: 400, statusCode: 400, expose: true, type });

/**
 * The hot routes' body reader (the fast path): for the everyday request — `application/json` (utf-8), no
 * content or transfer encoding, a Content-Length within BODY_LIMIT and 8 KiB — it reads and parses the body the
 * way body-parser's json() does (empty body = {}, strict: an object or array at the top, a length mismatch is
 * a 400) plus the NUL/surrogate check, with none of its per-request machinery. Anything else (gzip, chunked,
 * another charset...) returns null and the caller uses jsonBody(), so every unusual case keeps body-parser's
 * handling.
 */
export function readLeanJson(req: IncomingMessage, limitBytes: number): Promise<unknown> | null {
  const expected = leanJsonLength(req.headers, limitBytes);
  return expected === null ? null : readLeanBody(req, expected);
}

/**
 * The Content-Length of a body the lean reader takes (see readLeanJson), or null when the request needs
 * body-parser. The fast path (fast-path.ts) asks before it takes a request, and leaves the rest to Express.
 */
export function leanJsonLength(h: IncomingHttpHeaders, limitBytes: number): number | null {
  const type = h['content-type'];
  const len = h['content-length'];
  if (!type || !PLAIN_JSON.test(type) || h['content-encoding'] !== undefined || h['transfer-encoding'] !== undefined) return null;
  if (!len || !/^\d{1,5}$/.test(len)) return null;
  const expected = Number(len);
  if (expected > limitBytes || expected > LEAN_MAX) return null;
  return expected;
}

/** Reads and parses a body that leanJsonLength accepted (`expected` bytes). */
export async function readLeanBody(req: IncomingMessage, expected: number): Promise<unknown> {
  const text = await readLeanText(req, expected);
  if (text.length === 0) return {};
  // JSON's whitespace (RFC 8259 §2): space, tab, line feed, carriage return.
  const first = /^[ \t\n\r]*(.)/s.exec(text)?.[1];
  let body: unknown;
  try {
    if (first !== '{' && first !== '[') throw new SyntaxError('Unexpected token');
    body = JSON.parse(text);
  } catch (err) {
    throw Object.assign(readError((err as Error).message, 'entity.parse.failed'), { body: text });
  }
  const problem = findUnreadableText(body);
  if (problem) throw Errors.validation([problem]);
  return body;
}

/**
 * Reads a body of `expected` bytes (a Content-Length) as utf-8 text, less a leading BOM, as raw-body does for
 * body-parser: a length mismatch or an abort is a body-parser-shaped 400. Also the fast path's form reader.
 */
export function readLeanText(req: IncomingMessage, expected: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    req.on('data', (c: Buffer) => {
      received += c.length;
      chunks.push(c);
    });
    req.once('error', reject);
    req.once('aborted', () => reject(readError('request aborted', 'request.aborted')));
    req.once('end', () => {
      if (received !== expected) return reject(readError('request size did not match content length', 'request.size.invalid'));
      resolve((chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString('utf8').replace(/^\uFEFF/, ''));
    });
  });
}
