// OpenTelemetry tracing (issue 30), imported by main.ts only when OTEL_EXPORTER_OTLP_ENDPOINT is set and before
// anything loads Express, pg, ioredis or node:http's server: the instrumentations patch those modules as they
// are loaded. The server is ESM, so require hooks alone would miss `import express from 'express'`;
// import-in-the-middle's loader hook sees those imports, and its message channel limits it to the modules an
// instrumentation asked for (every other import is left unwrapped). Spans go by OTLP/HTTP, JSON, to
// <endpoint>/v1/traces, batched (the SDK's batch processor; OTEL_BSP_* tune it).
import { register } from 'node:module';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';

export interface TracingSettings {
  endpoint: string | null;
  serviceName: string;
}

export interface Tracing {
  /** Sends the spans still batched and stops the SDK. */
  stop(): Promise<void>;
}

export async function startTracing(settings: TracingSettings): Promise<Tracing> {
  if (!settings.endpoint) throw new Error('startTracing needs OTEL_EXPORTER_OTLP_ENDPOINT');
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
  const sdk = new NodeSDK({
    serviceName: settings.serviceName,
    traceExporter: new OTLPTraceExporter({ url: `${settings.endpoint.replace(/\/+$/, '')}/v1/traces` }),
    instrumentations: [
      // The probes and the scrape would be most of the spans and tell nothing about a request's path.
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => req.url === '/health' || req.url === '/ready' || req.url === '/metrics' }),
      // One span per middleware (request id, helmet, body parser, ... most of them anonymous) was a third of a
      // sign-in's spans and says little; the route's request handler span stays.
      new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] }),
      // requireParentSpan: pool housekeeping and background jobs outside any request make no root traces.
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  // The loader runs on its own thread: the modules to hook must have reached it before the server is imported.
  await waitForAllMessagesAcknowledged();
  return { stop: () => sdk.shutdown() };
}
