// Per-account rate-limit keys, picked by the route that mounts `perAccount`. Decided by route, never by
// which fields a body happens to carry: an extra random `mfaToken` on /login must not move the request into
// a fresh bucket. Keys are hashed: no emails or tokens reach Redis. The NATS handlers use the same buckets
// (emailBucket, mfaTokenBucket), so HTTP and NATS attempts against one account count together.
import { createHash } from 'node:crypto';
import { normalizeEmail } from '../domain/email';
import type { RateLimitKey } from './rate-limits';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

const field = (req: { body?: unknown }, name: string): unknown => ((req.body ?? {}) as Record<string, unknown>)[name];

/** The bucket of the account an email names, in the account's own canonical form (NFD, case, punycode). */
export const emailBucket = (email: unknown): string | null => {
  if (typeof email !== 'string') return null;
  const normalised = normalizeEmail(email);
  return normalised ? `email:${sha256(normalised)}` : null;
};

/** The bucket of the sign-in a second-factor step continues: one per mfaToken. */
export const mfaTokenBucket = (token: unknown): string | null => (typeof token === 'string' && token ? `mfa:${sha256(token)}` : null);

/** The account named by an email in body field `name` (emailBucket). */
export const emailKey = (name: string): RateLimitKey => (req) => emailBucket(field(req, name));

/** The sign-in a second-factor step continues (mfaTokenBucket). */
export const mfaTokenKey: RateLimitKey = (req) => mfaTokenBucket(field(req, 'mfaToken'));
