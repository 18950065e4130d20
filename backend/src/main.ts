// Process entry point: `npm start`. One process by default; CLUSTER_WORKERS=n (or auto) forks n workers
// that share the port, the database, and — through Redis — revocations and rate limits.
import cluster from 'node:cluster';
import { loadConfig } from './config';
import { buildContainer } from './container';
import { createLogger } from './infrastructure/logger';

const config = loadConfig();
const logger = createLogger(config.logLevel);

if (config.clusterWorkers > 1 && cluster.isPrimary) {
  runPrimary();
} else {
  await runServer(process.env.AUTH_BACKGROUND_JOBS !== '0');
}

async function runServer(backgroundJobs: boolean): Promise<void> {
  try {
    // NATS_SUBJECT_PREFIX: a namespace for every subject (several deployments on one NATS, benchmarks).
    const container = await buildContainer(config, { logger, backgroundJobs, natsSubjectPrefix: process.env.NATS_SUBJECT_PREFIX ?? '' });
    await container.start();
    let stopping = false;
    const shutdown = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info('shutting down', { signal });
      await container.stop();
      logger.info('stopped');
      process.exit(0);
    };
    process.on('SIGTERM', () => void shutdown('SIGTERM'));
    process.on('SIGINT', () => void shutdown('SIGINT'));
  } catch (err) {
    logger.error('failed to start', { error: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  }
}

function runPrimary(): void {
  // The in-process revocation view and rate-limit counters are per process: workers must share them.
  if (!config.databaseUrl || !config.redisUrl) {
    logger.error('CLUSTER_WORKERS > 1 needs DATABASE_URL (PGlite is single-process) and REDIS_URL (shared revocations and rate limits)');
    process.exit(1);
  }
  let stopping = false;
  let jobsWorker: number | undefined;
  const fork = (withJobs: boolean) => {
    const worker = cluster.fork({ AUTH_BACKGROUND_JOBS: withJobs ? '1' : '0' });
    if (withJobs) jobsWorker = worker.id;
  };
  // Only one worker runs the outbox relay and housekeeping timers.
  for (let i = 0; i < config.clusterWorkers; i++) fork(i === 0);
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    logger.warn('worker exited; starting another', { workerId: worker.id, code, signal });
    fork(worker.id === jobsWorker);
  });
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down workers', { signal });
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    const check = setInterval(() => {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        clearInterval(check);
        process.exit(0);
      }
    }, 100);
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  logger.info('cluster primary started', { workers: config.clusterWorkers });
}
