// Process entry point: `npm start`.
import { loadConfig } from './config';
import { buildContainer } from './container';
import { createLogger } from './infrastructure/logger';

const config = loadConfig();
const logger = createLogger(config.logLevel);

try {
  const container = await buildContainer(config, { logger });
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
