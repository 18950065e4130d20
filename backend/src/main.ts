// Process entry point: `npm start` (and `npm run start:prod`, compiled). Everything else is loaded only after
// tracing is decided: OpenTelemetry's instrumentations patch Express, pg, ioredis and node:http as they are
// loaded, so with OTEL_EXPORTER_OTLP_ENDPOINT set the SDK starts first and the server is imported after it;
// unset, the SDK is never imported and the server runs as it would without this file (server.ts).
import cluster from 'node:cluster';
import { loadConfig } from './config';

const config = loadConfig();
// A cluster primary serves nothing; each worker runs this file again and starts its own SDK.
const traced = config.tracing.endpoint !== null && !(config.runtime.clusterWorkers > 1 && cluster.isPrimary);
const tracing = traced ? await (await import('./infrastructure/observability/tracing')).startTracing(config.tracing) : null;
const { run } = await import('./server');
await run(config, tracing);
