// Prometheus metrics (prom-client): request latency by route template and status, plus process metrics.
// Served at GET /metrics in the Prometheus text format.
import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export interface Metrics {
  middleware: RequestHandler;
  /** One observation, for routes that time themselves (the lean hot routes, lean-route.ts). */
  observe(method: string, route: string, status: number, seconds: number): void;
  handler: RequestHandler;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  // Label children resolved once per method, route and status (labels() validates and copies the label set),
  // found again without building a key string: method and route are the same few constant strings each time.
  type Child = { observe(seconds: number): void };
  const children = new Map<string, Map<string, Map<number, Child>>>();
  const child = (method: string, route: string, status: number): Child => {
    let byRoute = children.get(method);
    if (!byRoute) children.set(method, (byRoute = new Map()));
    let byStatus = byRoute.get(route);
    if (!byStatus) byRoute.set(route, (byStatus = new Map()));
    let c = byStatus.get(status);
    if (!c) byStatus.set(status, (c = duration.labels({ method, route, status: String(status) })));
    return c;
  };
  return {
    observe: (method, route, status, seconds) => child(method, route, status).observe(seconds),
    middleware: (req, res, next) => {
      const started = performance.now();
      res.once('finish', () => {
        // The route template (never the raw path: ids would explode the label set).
        const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
        child(req.method, route, res.statusCode).observe((performance.now() - started) / 1000);
      });
      next();
    },
    handler: async (_req, res) => {
      res.setHeader('Content-Type', registry.contentType);
      res.send(await registry.metrics());
    },
  };
}
