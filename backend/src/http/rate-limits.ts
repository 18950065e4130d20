// Per-IP, per-account and per-user rate limits (rate-limiter-flexible) as Express middleware. In-process
// counters by default; with Redis, counters are shared by every instance, and a per-process memory limiter
// takes over while Redis is down (insuranceLimiter), so an outage degrades to per-instance limits instead of
// no limits or 500s.
//
// perIp      — mounted by the app on /api/auth and /oauth; keyed by req.ip, which Express derives from
//              X-Forwarded-For only when TRUST_PROXY is set (we never read that header ourselves).
//              GET /api/auth/validate never reaches it: the app mounts that route ahead of the limiter, since it
//              is called service-to-service, often from a few IPs.
// perAccount — one counter per account, whichever route is used, so rotating IPs does not buy an attacker
//              more guesses against one account. The route that mounts it says which account a request is
//              after (`perAccount(key)`, keys in rate-limit-keys.ts): the email on login, the mfaToken on
//              the 2FA step, the username of an OAuth password grant. This module never reads a body.
// perUser    — authenticated attempts that check a password or code, keyed by the signed-in user.
//
// Every limited response carries IETF draft RateLimit-Limit / -Remaining / -Reset / -Policy headers;
// a rejected one becomes Errors.rateLimited(seconds) → 429 RATE_LIMITED with Retry-After.
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { Errors } from '../domain/errors';

export interface RateLimitOptions {
  perIpPerMin: number;
  perAccountPerMin: number;
  /** Password-reset and verification-mail requests per hour, per address and per IP (default 5 and 30). */
  mailPerAddressPerHour?: number;
  mailPerIpPerHour?: number;
  /** Dynamic client registrations (POST /oauth/register) per hour, per client IP (default 10). */
  clientRegistrationPerIpPerHour?: number;
  /** Authorization requests (GET/POST /oauth/authorize) per minute, per client IP (default 60). */
  authorizePerIpPerMin?: number;
  /** Shared counters across instances when given; in-process counters otherwise. */
  redis: Redis | null;
  /** Namespace for Redis keys, e.g. `auth:rl:`. */
  keyPrefix: string;
}

/** The kinds of mail request, each with its own per-address buckets. */
export type MailRequestKind = 'password_reset' | 'verification';

/** The address-wide ceiling on reset requests, as a multiple of the per-address (per network) limit. */
export const MAIL_RESET_ADDRESS_CEILING = 10;

/** Which bucket a request counts against; `null` lets it through uncounted (no account named). */
export type RateLimitKey = (req: Request) => string | null;

export interface RateLimits {
  perIp: RequestHandler;
  /** perIp outside Express (the hot routes' fast path, fast-path.ts): the same limiter, key and headers. */
  perIpStep: (req: LimitedRequest, res: HeaderSink) => Promise<void>;
  /** The per-account limiter, counting by the key the mounting route gives (one shared set of buckets). */
  perAccount(key: RateLimitKey): RequestHandler;
  /** Authenticated attempts that check a password or code (change-password, 2FA settings), per user. */
  perUser: RequestHandler;
  /**
   * Requests that mail someone (password reset, verification resend): per client IP and per address (the
   * route's key, e.g. emailKey('email')), hourly. The per-address limit counts whether or not an account
   * has the address, so a 429 tells nothing about the account; it also stops mail-bombing one inbox.
   * Each kind has its own per-address buckets (issue 22: five verification resends, which anyone may send,
   * used to block the owner's password reset for an hour). A reset's per-address bucket is also per client
   * network, so requests from elsewhere cannot use up the owner's; an address-wide ceiling of
   * MAIL_RESET_ADDRESS_CEILING × the per-address limit still bounds what many networks together can mail.
   */
  perMailRequest(kind: MailRequestKind, address: RateLimitKey): RequestHandler[];
  /** POST /oauth/register (RFC 7591): hourly, per client IP (its own buckets: registering is rare, and each one writes a client). */
  perClientRegistration: RequestHandler;
  /**
   * GET/POST /oauth/authorize: per minute, per client IP, in buckets of its own (a person signing in makes a
   * few; the limit is there because each request naming a new Client ID Metadata Document URL makes this
   * server fetch it, and a refused one writes an audit row, from unauthenticated traffic).
   */
  perAuthorizeRequest: RequestHandler;
  /**
   * The same limiters for entry points other than HTTP (NATS requests): counts one attempt against `key` in
   * the perIp (key: ipBucket(ip)), perAccount (emailBucket, mfaTokenBucket) or perUser (`user:<id>`) buckets,
   * which HTTP requests share; rejects with Errors.rateLimited(seconds) when the bucket is spent.
   */
  consume(limit: 'perIp' | 'perAccount' | 'perUser', key: string): Promise<void>;
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

/** Where a response's quotas are kept between limiters (a symbol, so plain Node responses carry it too). */
const QUOTAS = Symbol('rateLimitQuotas');
/** Where the RateLimit-* headers go: a response, or a list that collects them (hot-route.ts HeaderList). */
export interface HeaderSink {
  setHeader(name: string, value: string): unknown;
}
type QuotaCarrier = HeaderSink & { [QUOTAS]?: Quota[] };

/**
 * Writes the draft-standard headers. When two limiters apply to one request (per-IP and per-account on
 * login) the policy lists both and Limit/Remaining/Reset describe the one closest to exhaustion.
 */
function setHeaders(res: QuotaCarrier, quota: Quota): void {
  const quotas: Quota[] = (res[QUOTAS] ??= []);
  quotas.push(quota);
  const tightest = quotas.reduce((a, b) => (b.remaining < a.remaining || (b.remaining === a.remaining && b.resetSeconds > a.resetSeconds) ? b : a));
  res.setHeader('RateLimit-Policy', quotas.map((q) => `${q.limit};w=${q.window}`).join(', '));
  res.setHeader('RateLimit-Limit', String(tightest.limit));
  res.setHeader('RateLimit-Remaining', String(tightest.remaining));
  res.setHeader('RateLimit-Reset', String(tightest.resetSeconds));
}

/** A request as the limiters read it: Express's Request, or a plain Node request with `ip` set (fast-path.ts). */
export interface LimitedRequest {
  method?: string | undefined;
  ip?: string | undefined;
  socket: { remoteAddress?: string | undefined };
}

/**
 * One limiter as a step: counts the request against its bucket and sets the RateLimit-* headers; resolves
 * when it may go on, rejects with Errors.rateLimited (429 with Retry-After) when it may not.
 */
function limitStep<R extends LimitedRequest>(limiter: RateLimiterAbstract, points: number, keyOf: (req: R) => string | null, window = WINDOW_SECONDS) {
  return async (req: R, res: QuotaCarrier): Promise<void> => {
    if (req.method === 'OPTIONS') return;
    const key = keyOf(req);
    if (key === null) return;
    let r: RateLimiterRes;
    try {
      r = await limiter.consume(key);
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        const wait = seconds(err.msBeforeNext);
        setHeaders(res, { window, limit: points, remaining: 0, resetSeconds: wait });
        throw Errors.rateLimited(wait);
      }
      // Only reachable if both the store and the insurance limiter fail.
      throw err;
    }
    setHeaders(res, { window, limit: points, remaining: r.remainingPoints, resetSeconds: seconds(r.msBeforeNext) });
  };
}

function middleware(limiter: RateLimiterAbstract, points: number, keyOf: RateLimitKey, window = WINDOW_SECONDS): RequestHandler {
  const step = limitStep<Request>(limiter, points, keyOf, window);
  return (req: Request, res: Response, next: NextFunction) => {
    step(req, res).then(() => next(), next);
  };
}

/**
 * The bucket for a client address. IPv6 clients usually control a whole /64, so they share one bucket per
 * /64; IPv4-mapped IPv6 addresses count as their IPv4 address.
 */
export function ipBucket(ip: string): string {
  // A zone index (fe80::1%eth0) names the interface, not the address: the bucket ignores it.
  const address = ip.split('%')[0];
  if (isIP(address) !== 6) return ip;
  const v6 = ipaddr.IPv6.parse(address);
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
  return `${v6.parts.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}

export function createRateLimits(opts: RateLimitOptions): RateLimits {
  const ipLimiter = makeLimiter('ip', opts.perIpPerMin, opts.redis, opts.keyPrefix);
  const accountLimiter = makeLimiter('account', opts.perAccountPerMin, opts.redis, opts.keyPrefix);

  const byIp = (req: LimitedRequest) => ipBucket(req.ip ?? req.socket.remoteAddress ?? 'unknown');
  const perIp = middleware(ipLimiter, opts.perIpPerMin, byIp);
  const perIpStep = limitStep(ipLimiter, opts.perIpPerMin, byIp);
  const userLimiter = makeLimiter('user', opts.perAccountPerMin, opts.redis, opts.keyPrefix);
  const perUser = middleware(userLimiter, opts.perAccountPerMin, (req) => (req.auth ? `user:${req.auth.sub}` : null));

  const HOUR = 3600;
  const mailIp = opts.mailPerIpPerHour ?? 30;
  const mailAddress = opts.mailPerAddressPerHour ?? 5;
  const mailIpLimiter = makeLimiter('mail-ip', mailIp, opts.redis, opts.keyPrefix, HOUR);
  const verifyAddressLimiter = makeLimiter('mail-address', mailAddress, opts.redis, opts.keyPrefix, HOUR);
  const resetNetworkLimiter = makeLimiter('mail-reset-network', mailAddress, opts.redis, opts.keyPrefix, HOUR);
  const resetCeiling = mailAddress * MAIL_RESET_ADDRESS_CEILING;
  const resetAddressLimiter = makeLimiter('mail-reset-address', resetCeiling, opts.redis, opts.keyPrefix, HOUR);
  const perMailIp = middleware(mailIpLimiter, mailIp, byIp, HOUR);
  const perMailRequest = (kind: MailRequestKind, address: RateLimitKey): RequestHandler[] => {
    if (kind === 'verification') return [perMailIp, middleware(verifyAddressLimiter, mailAddress, address, HOUR)];
    const addressFromNetwork: RateLimitKey = (req) => {
      const a = address(req);
      return a === null ? null : `${a}:${byIp(req)}`;
    };
    return [perMailIp, middleware(resetNetworkLimiter, mailAddress, addressFromNetwork, HOUR), middleware(resetAddressLimiter, resetCeiling, address, HOUR)];
  };

  const registrations = opts.clientRegistrationPerIpPerHour ?? 10;
  const perClientRegistration = middleware(makeLimiter('client-registration', registrations, opts.redis, opts.keyPrefix, HOUR), registrations, byIp, HOUR);

  const authorizeRequests = opts.authorizePerIpPerMin ?? 60;
  const perAuthorizeRequest = middleware(makeLimiter('authorize', authorizeRequests, opts.redis, opts.keyPrefix), authorizeRequests, byIp);

  const byName = { perIp: ipLimiter, perAccount: accountLimiter, perUser: userLimiter };
  async function consume(limit: keyof typeof byName, key: string): Promise<void> {
    try {
      await byName[limit].consume(key);
    } catch (err) {
      if (err instanceof RateLimiterRes) throw Errors.rateLimited(seconds(err.msBeforeNext));
      throw err;
    }
  }

  return {
    perIp,
    perIpStep,
    consume,
    perAccount: (key) => middleware(accountLimiter, opts.perAccountPerMin, key),
    perUser,
    perMailRequest,
    perClientRegistration,
    perAuthorizeRequest,
    // The Redis client belongs to the container, which closes it; the memory counters use unref'd timers.
    async close() {},
  };
}
