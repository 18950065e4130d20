// Prometheus metrics (prom-client): request latency by route template and status, plus process metrics.
// Served at GET /metrics in the Prometheus text format, to the callers metricsGuard lets through.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import ipaddr from 'ipaddr.js';
import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { Errors } from '../domain/errors';
import { bearerToken } from './authenticate';
import { bearerRefusal } from './errors';
import { RouteLatencyHistogram } from './route-latency';
import { TokenMetrics } from './token-metrics';

/**
 * Who may read /metrics (issue 22, item 11): it tells anyone the traffic per route and status, the heap, the
 * event-loop lag — an identity server's load and failure rates are worth keeping to its operators.
 *   - METRICS_TOKEN set: only `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time), from anywhere.
 *   - unset, PUBLIC_URL unset (development): only callers on this machine — a loopback socket address and no
 *     forwarding header (a reverse proxy on the same host adds X-Forwarded-For/Forwarded/X-Real-IP).
 *   - unset, PUBLIC_URL set (a deployment): nobody; set METRICS_TOKEN for the Prometheus scraper.
 */
export interface MetricsAccess {
  token: string | null;
  /** True in development (no PUBLIC_URL): local callers need no token. */
  openLocally: boolean;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

function isLocal(req: IncomingMessage): boolean {
  const h = req.headers;
  if (h['x-forwarded-for'] !== undefined || h.forwarded !== undefined || h['x-real-ip'] !== undefined) return false;
  const address = req.socket.remoteAddress;
  // ipaddr.process reads an IPv4-mapped IPv6 address (::ffff:127.0.0.1) as its IPv4 address.
  return !!address && ipaddr.isValid(address) && ipaddr.process(address).range() === 'loopback';
}

/** The guard in front of the /metrics handler: calls next() or next(err) with the contract's 401/403. */
export function metricsGuard(access: MetricsAccess): RequestHandler {
  const expected = access.token === null ? null : digest(access.token);
  return (req, _res, next) => {
    if (expected) {
      const token = bearerToken(req);
      if (token && timingSafeEqual(digest(token), expected)) return next();
      return next(bearerRefusal(token ? Errors.invalidToken('The metrics token is wrong') : Errors.unauthenticated()));
    }
    if (access.openLocally && isLocal(req)) return next();
    next(Errors.forbidden(access.openLocally ? '/metrics answers only local callers; set METRICS_TOKEN to scrape it from elsewhere' : '/metrics needs METRICS_TOKEN to be set'));
  };
}

export interface Metrics {
  middleware: RequestHandler;
  /** One observation, for routes that time themselves (the fast path, fast-path.ts). */
  observe(method: string, route: string, status: number, seconds: number): void;
  handler: RequestHandler;
  /** Where every metric is registered: other adapters add theirs here (observability/auth-metrics.ts). */
  registry: Registry;
}

/** `registry`: one the caller has already registered metrics in (default: a new one). */
export function createMetrics(access: MetricsAccess = { token: null, openLocally: true }, registry = new Registry()): Metrics {
  const guard = metricsGuard(access);
  collectDefaultMetrics({ register: registry });
  const duration = new RouteLatencyHistogram(registry, {
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });
  const tokens = new TokenMetrics(registry);
  return {
    registry,
    // The hot routes (http/hot-route.ts: refresh) have no parsed form body: their grant type is fixed by the route.
    observe: (method, route, status, seconds) => {
      duration.observe(method, route, status, seconds);
      tokens.observe(route, status, seconds);
    },
    middleware: (req, res, next) => {
      const started = performance.now();
      // The router sets req.route when a route matches, while req.baseUrl is that route's mount path; by
      // 'finish' an error passed to next() has left the sub-routers, which restored baseUrl ('' for
      // /api/auth/login, labelled "/login"). Remember the mount path as the route is set.
      let matched: { path?: string | string[] } | undefined;
      let mount = '';
      Object.defineProperty(req, 'route', {
        configurable: true,
        enumerable: true,
        get: () => matched,
        set: (value: { path?: string | string[] } | undefined) => {
          matched = value;
          mount = req.baseUrl;
        },
      });
      res.once('finish', () => {
        // The route template (never the raw path: ids would explode the label set).
        const route = matched?.path ? `${mount}${[matched.path].flat().join(',')}` : 'unmatched';
        const seconds = (performance.now() - started) / 1000;
        duration.observe(req.method, route, res.statusCode, seconds);
        tokens.observe(route, res.statusCode, seconds, req.body);
      });
      next();
    },
    handler: (req, res, next) =>
      guard(req, res, (err?: unknown) => {
        if (err) return next(err);
        res.setHeader('Content-Type', registry.contentType);
        registry.metrics().then((text) => res.send(text), next);
      }),
  };
}
