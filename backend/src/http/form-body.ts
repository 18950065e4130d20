// application/x-www-form-urlencoded bodies (the OAuth endpoints, RFC 6749 §3.2 / RFC 7662 §2.1). The /oauth
// router parses them with body-parser's urlencoded(); the fast path (fast-path.ts) reads the everyday one
// itself — utf-8, no content or transfer encoding, a Content-Length within the limit — and parses it with the
// same qs options body-parser uses, so a field comes out the same either way (a repeated field as an array, a
// bracketed name as a plain key, + as a space, a bad %-escape left as is). Anything else goes to Express.
import type { IncomingHttpHeaders } from 'node:http';
import express, { type RequestHandler } from 'express';
import qs from 'qs';

/** The OAuth forms' limits: a few short fields, never more than 8 KiB or 20 of them. */
const LIMIT_BYTES = 8192;
const PARAMETER_LIMIT = 20;

/** body-parser's form parser with those limits (the Express path). */
export function formBody(): RequestHandler {
  return express.urlencoded({ extended: false, limit: LIMIT_BYTES, parameterLimit: PARAMETER_LIMIT });
}

const PLAIN_FORM = /^application\/x-www-form-urlencoded(?:;\s*charset=utf-8)?$/i;

/**
 * The Content-Length of a form body the fast path reads itself, or null when the request is left to
 * body-parser: another type or charset (iso-8859-1 decodes differently), gzip or any content encoding, chunked,
 * an empty or missing body, or one past the limit (body-parser answers 413 for that).
 */
export function leanFormLength(h: IncomingHttpHeaders): number | null {
  const type = h['content-type'];
  const len = h['content-length'];
  if (!type || !PLAIN_FORM.test(type) || h['content-encoding'] !== undefined || h['transfer-encoding'] !== undefined) return null;
  if (!len || !/^\d{1,5}$/.test(len)) return null;
  const n = Number(len);
  return n > 0 && n <= LIMIT_BYTES ? n : null;
}

/** body-parser-shaped errors, so the route's error mapping answers them as it answers body-parser's. */
const parseError = (status: number, message: string, type: string) => Object.assign(new Error(message), { status, statusCode: status, expose: true, type });

/**
 * Parses a form body as body-parser 2's urlencoded({ extended: false, parameterLimit: 20 }) does: the same
 * parameter count check (413 parameters.too.many) and the same qs call.
 */
export function parseLeanForm(text: string): Record<string, unknown> {
  if (!text.length) return {};
  let count = 0;
  let index = -1;
  do {
    count++;
    if (count > PARAMETER_LIMIT) throw parseError(413, 'too many parameters', 'parameters.too.many');
    index = text.indexOf('&', index + 1);
  } while (index !== -1);
  try {
    return qs.parse(text, { allowPrototypes: true, arrayLimit: count, depth: 0, charset: 'utf-8', parameterLimit: PARAMETER_LIMIT, strictDepth: true });
  } catch (err) {
    if (err instanceof RangeError) throw parseError(400, 'The input exceeded the depth', 'querystring.parse.rangeError');
    throw err;
  }
}
