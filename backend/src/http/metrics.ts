// Prometheus metrics (prom-client): request latency by route template and status, plus process metrics.
// Served at GET /metrics in the Prometheus text format.
import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { RouteLatencyHistogram } from './route-latency';

export interface Metrics {
  middleware: RequestHandler;
  /** One observation, for routes that time themselves (the lean hot routes, lean-route.ts). */
  observe(method: string, route: string, status: number, seconds: number): void;
  handler: RequestHandler;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const duration = new RouteLatencyHistogram(registry, {
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });
  return {
    observe: (method, route, status, seconds) => duration.observe(method, route, status, seconds),
    middleware: (req, res, next) => {
      const started = performance.now();
      res.once('finish', () => {
        // The route template (never the raw path: ids would explode the label set).
        const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
        duration.observe(req.method, route, res.statusCode, (performance.now() - started) / 1000);
      });
      next();
    },
    handler: async (_req, res) => {
      res.setHeader('Content-Type', registry.contentType);
      res.send(await registry.metrics());
    },
  };
}
