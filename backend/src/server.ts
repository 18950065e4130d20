// The server process after main.ts has decided about tracing: one process by default; CLUSTER_WORKERS=n (or
// auto) forks n workers that share the port, the database, and — through Redis — revocations and rate limits.
import cluster from 'node:cluster';
import v8 from 'node:v8';
import type { Config } from './config';
import { buildContainer } from './container';
import { createLogger } from './infrastructure/logger';
import type { Tracing } from './infrastructure/observability/tracing';
import { StartupError } from './lifecycle';

export async function run(config: Config, tracing: Tracing | null): Promise<void> {
  const logger = createLogger(config.runtime.logLevel);
  // Before any request: V8 decides per allocation site, from what survived its scavenges, to allocate that
  // site's objects straight into the old generation, and keeps that decision. Here it did so for short-lived
  // per-request objects: under session-list load the server moved ~2.4 KB per request into the old generation
  // (the floor, same pg code, none), garbage that only the full collector frees; with pretenuring off ~1 KB and
  // 5–13% less CPU per request (docs/performance.md). setFlagsFromString is Node's API for setting a V8 flag at
  // run time; the collector reads this one on each scavenge.
  if (!config.runtime.v8Pretenuring) v8.setFlagsFromString('--no-allocation-site-pretenuring');

  if (config.runtime.clusterWorkers > 1 && cluster.isPrimary) {
    runPrimary(config, logger);
  } else {
    await runServer(config, logger, tracing);
  }
}

type Logger = ReturnType<typeof createLogger>;

async function runServer(config: Config, logger: Logger, tracing: Tracing | null): Promise<void> {
  try {
    const container = await buildContainer(config, { logger });
    await container.start();
    let stopping = false;
    const shutdown = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info('shutting down', { signal });
      await container.stop();
      // The spans of the last requests are still in the batch: send them before exiting.
      await tracing?.stop();
      logger.info('stopped');
      process.exit(0);
    };
    process.on('SIGTERM', () => void shutdown('SIGTERM'));
    process.on('SIGINT', () => void shutdown('SIGINT'));
  } catch (err) {
    // buildContainer has closed whatever it had started; one line says which area failed and why.
    logger.error('failed to start', { area: err instanceof StartupError ? err.area : undefined, error: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  }
}

function runPrimary(config: Config, logger: Logger): void {
  // The in-process revocation view and rate-limit counters are per process: workers must share them.
  if (!config.database.url || !config.redis.url) {
    logger.error('CLUSTER_WORKERS > 1 needs DATABASE_URL (PGlite is single-process) and REDIS_URL (shared revocations and rate limits)');
    process.exit(1);
  }
  let stopping = false;
  let jobsWorker: number | undefined;
  const fork = (withJobs: boolean) => {
    // Read by the worker's loadConfig() as config.runtime.backgroundJobs.
    const worker = cluster.fork({ AUTH_BACKGROUND_JOBS: withJobs ? '1' : '0' });
    if (withJobs) jobsWorker = worker.id;
  };
  // Only one worker runs the outbox relay and housekeeping timers.
  for (let i = 0; i < config.runtime.clusterWorkers; i++) fork(i === 0);
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
  logger.info('cluster primary started', { workers: config.runtime.clusterWorkers });
}
