// Per-IP and per-account rate limits (rate-limiter-flexible). In-process counters by default; with Redis,
// counters are shared by every instance, and a per-process memory limiter takes over while Redis is down
// (insuranceLimiter), so an outage degrades to per-instance limits instead of no limits or 500s.
//
// perIp    — mounted by the app on /api/auth and /oauth; keyed by req.ip, which Express derives from
//            X-Forwarded-For only when TRUST_PROXY is set (we never read that header ourselves).
//            GET /api/auth/validate never reaches it: the app mounts that route ahead of the limiter, since it
//            is called service-to-service, often from a few IPs.
// perAccount — mounted after validation on POST /api/auth/login (keyed by the normalised email) and
//            /api/auth/login/2fa (keyed by a SHA-256 of the mfaToken), so rotating IPs does not buy an
//            attacker more guesses against one account. Keys are hashed: no emails or tokens in Redis.
//
// Every limited response carries IETF draft RateLimit-Limit / -Remaining / -Reset / -Policy headers;
// a rejected one becomes Errors.rateLimited(seconds) → 429 RATE_LIMITED with Retry-After.
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { normalizeEmail } from '../domain/email';
import { Errors } from '../domain/errors';

export interface RateLimitOptions {
  perIpPerMin: number;
  perAccountPerMin: number;
  /** Password-reset and verification-mail requests per hour, per address and per IP (default 5 and 30). */
  mailPerAddressPerHour?: number;
  mailPerIpPerHour?: number;
  /** Shared counters across instances when given; in-process counters otherwise. */
  redis: Redis | null;
  /** Namespace for Redis keys, e.g. `auth:rl:`. */
  keyPrefix: string;
}

export interface RateLimits {
  perIp: RequestHandler;
  perAccount: RequestHandler;
  /** Authenticated attempts that check a password or code (change-password, 2FA settings), per user. */
  perUser: RequestHandler;
  /**
   * Requests that mail someone (password reset, verification resend): per client IP and per address (the
   * normalised `email` of the body, hashed), hourly. The per-address limit counts whether or not an account
   * has the address, so a 429 tells nothing about the account; it also stops mail-bombing one inbox.
   */
  perMailRequest: RequestHandler[];
  close(): Promise<void>;
}

const WINDOW_SECONDS = 60;

interface Quota {
  /** Window, seconds. */
  window: number;
  limit: number;
  remaining: number;
  resetSeconds: number;
}

function makeLimiter(name: string, points: number, redis: Redis | null, keyPrefix: string, duration = WINDOW_SECONDS): RateLimiterAbstract {
  const base = { keyPrefix: `${keyPrefix}${name}`, points, duration };
  if (!redis) return new RateLimiterMemory(base);
  return new RateLimiterRedis({
    ...base,
    // ioredis client: no useRedisPackage (that flag is for the `redis` package).
    storeClient: redis,
    // While the connection is not ready, go straight to the insurance limiter instead of queueing.
    rejectIfRedisNotReady: true,
    // Once a key is over the limit, refuse it from memory until its window ends: a flood costs no Redis calls.
    inMemoryBlockOnConsumed: points + 1,
    insuranceLimiter: new RateLimiterMemory(base),
  });
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * Writes the draft-standard headers. When two limiters apply to one request (per-IP and per-account on
 * login) the policy lists both and Limit/Remaining/Reset describe the one closest to exhaustion.
 */
function setHeaders(res: Response, quota: Quota): void {
  const quotas: Quota[] = (res.locals.rateLimitQuotas ??= []);
  quotas.push(quota);
  const tightest = quotas.reduce((a, b) => (b.remaining < a.remaining || (b.remaining === a.remaining && b.resetSeconds > a.resetSeconds) ? b : a));
  res.setHeader('RateLimit-Policy', quotas.map((q) => `${q.limit};w=${q.window}`).join(', '));
  res.setHeader('RateLimit-Limit', String(tightest.limit));
  res.setHeader('RateLimit-Remaining', String(tightest.remaining));
  res.setHeader('RateLimit-Reset', String(tightest.resetSeconds));
}

function middleware(limiter: RateLimiterAbstract, points: number, keyOf: (req: Request) => string | null, window = WINDOW_SECONDS): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'OPTIONS') return next();
    const key = keyOf(req);
    if (key === null) return next();
    limiter.consume(key).then(
      (r) => {
        setHeaders(res, { window, limit: points, remaining: r.remainingPoints, resetSeconds: seconds(r.msBeforeNext) });
        next();
      },
      (err: unknown) => {
        if (err instanceof RateLimiterRes) {
          const wait = seconds(err.msBeforeNext);
          setHeaders(res, { window, limit: points, remaining: 0, resetSeconds: wait });
          next(Errors.rateLimited(wait));
          return;
        }
        // Only reachable if both the store and the insurance limiter fail.
        next(err);
      },
    );
  };
}

/**
 * The bucket for a client address. IPv6 clients usually control a whole /64, so they share one bucket per
 * /64; IPv4-mapped IPv6 addresses count as their IPv4 address.
 */
export function ipBucket(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (isIP(ip) !== 6) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('%')[0]!.split('::');
  const h = head ? head.split(':') : [];
  const t = ip.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = ip.includes('::') ? [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t] : h;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** Per-account key: the mfaToken's hash on the second step, the normalised email's hash otherwise. */
function accountKey(req: Request): string | null {
  const body = (req.body ?? {}) as Record<string, unknown>;
  // Decided by route, never by which fields are present: an extra random `mfaToken` on /login must not
  // move the request into a fresh bucket.
  if (/\/2fa\/?$/i.test(req.path)) {
    return typeof body.mfaToken === 'string' && body.mfaToken ? `mfa:${sha256(body.mfaToken)}` : null;
  }
  const email = typeof body.email === 'string' ? body.email : body.grant_type === 'password' ? body.username : undefined;
  if (typeof email !== 'string') return null;
  // The same canonical form as the account itself, so NFD / upper-case / punycode spellings share a bucket.
  const normalised = normalizeEmail(email);
  return normalised ? `email:${sha256(normalised)}` : null;
}

export function createRateLimits(opts: RateLimitOptions): RateLimits {
  const ipLimiter = makeLimiter('ip', opts.perIpPerMin, opts.redis, opts.keyPrefix);
  const accountLimiter = makeLimiter('account', opts.perAccountPerMin, opts.redis, opts.keyPrefix);

  const perIp = middleware(ipLimiter, opts.perIpPerMin, (req) => ipBucket(req.ip ?? req.socket.remoteAddress ?? 'unknown'));
  const perAccount = middleware(accountLimiter, opts.perAccountPerMin, accountKey);
  const userLimiter = makeLimiter('user', opts.perAccountPerMin, opts.redis, opts.keyPrefix);
  const perUser = middleware(userLimiter, opts.perAccountPerMin, (req) => (req.auth ? `user:${req.auth.sub}` : null));

  const HOUR = 3600;
  const mailIp = opts.mailPerIpPerHour ?? 30;
  const mailAddress = opts.mailPerAddressPerHour ?? 5;
  const perMailRequest = [
    middleware(makeLimiter('mail-ip', mailIp, opts.redis, opts.keyPrefix, HOUR), mailIp, (req) => ipBucket(req.ip ?? req.socket.remoteAddress ?? 'unknown'), HOUR),
    middleware(makeLimiter('mail-address', mailAddress, opts.redis, opts.keyPrefix, HOUR), mailAddress, (req) => {
      const email = (req.body as Record<string, unknown> | undefined)?.email;
      return typeof email === 'string' ? `email:${sha256(normalizeEmail(email))}` : null;
    }, HOUR),
  ];

  return {
    perIp,
    perAccount,
    perUser,
    perMailRequest,
    // The Redis client belongs to the container, which closes it; the memory counters use unref'd timers.
    async close() {},
  };
}
