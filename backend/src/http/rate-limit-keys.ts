// Per-account rate-limit keys, picked by the route that mounts `perAccount`. Decided by route, never by
// which fields a body happens to carry: an extra random `mfaToken` on /login must not move the request into
// a fresh bucket. Keys are hashed: no emails or tokens reach Redis.
import { createHash } from 'node:crypto';
import { normalizeEmail } from '../domain/email';
import type { RateLimitKey } from './rate-limits';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

const field = (req: { body?: unknown }, name: string): unknown => ((req.body ?? {}) as Record<string, unknown>)[name];

/** The account named by an email in body field `name`, in the account's own canonical form (NFD, case, punycode). */
export const emailKey = (name: string): RateLimitKey => (req) => {
  const email = field(req, name);
  if (typeof email !== 'string') return null;
  const normalised = normalizeEmail(email);
  return normalised ? `email:${sha256(normalised)}` : null;
};

/** The sign-in a second-factor step continues: one bucket per mfaToken. */
export const mfaTokenKey: RateLimitKey = (req) => {
  const token = field(req, 'mfaToken');
  return typeof token === 'string' && token ? `mfa:${sha256(token)}` : null;
};
