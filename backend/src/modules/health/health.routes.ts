// GET /ready: readiness for load balancers, orchestrators and the image's HEALTHCHECK (issue 30).
// 200 with status "healthy" when every configured dependency answers, 503 with status "unhealthy" otherwise.
// Never cached: the answer is about this moment.
import type { RequestHandler } from 'express';
import type { ReadinessReport } from '../../infrastructure/observability/readiness';

export function readyRoute(probe: () => Promise<ReadinessReport>): RequestHandler {
  return async (_req, res) => {
    const report = await probe();
    res.setHeader('Cache-Control', 'no-store');
    res.status(report.status === 'healthy' ? 200 : 503).json(report);
  };
}
