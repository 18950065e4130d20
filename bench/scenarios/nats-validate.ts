// Scenario "nats-validate": auth.validate over NATS request/reply (backend/src/nats/request-server.ts)
// on a server started with NATS_URL and a subject prefix of its own, with the seeded users' access tokens —
// the NATS twin of `validate` (GET /api/auth/validate on server A). autocannon speaks HTTP only, so the load
// is `concurrency` request loops on one NATS connection in this process. `npm run bench:nats`
// (bench/nats-validate.ts) runs the same load alone, next to HTTP validate on one server.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { connect } from 'nats';
import { stopChild } from '../children';
import { percentile, runState } from '../load';
import type { ScenarioResult } from '../report';
import { errorLines, startApp, type Seeded } from '../servers';
import { CONNECTIONS, DURATION, SEED_COST, WARMUP, log } from '../settings';

export const NATS_URL = process.env.TEST_NATS_URL || 'nats://127.0.0.1:4222';

export interface NatsLoadResult {
  rps: number;
  p50: number;
  p99: number;
  total: number;
  /** Replies that were not `valid: true`. */
  bad: number;
  /** Requests that failed (timeout, no responder). */
  errors: number;
}

/** `concurrency` loops, each sending auth.validate requests back to back for `seconds`. */
export async function natsLoad(opts: { url: string; subject: string; tokens: string[]; concurrency: number; seconds: number }): Promise<NatsLoadResult> {
  const nc = await connect({ servers: opts.url });
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  const payloads = opts.tokens.map((t) => enc.encode(JSON.stringify({ accessToken: t })));
  const latencies: number[] = [];
  let bad = 0;
  let errors = 0;
  const started = performance.now();
  const until = started + opts.seconds * 1000;
  try {
    await Promise.all(
      Array.from({ length: opts.concurrency }, async (_, c) => {
        let i = c;
        while (performance.now() < until && !runState.aborted) {
          const t0 = performance.now();
          try {
            const reply = await nc.request(opts.subject, payloads[i++ % payloads.length], { timeout: 5000 });
            latencies.push(performance.now() - t0);
            if (!dec.decode(reply.data).includes('"valid":true')) bad += 1;
          } catch {
            errors += 1;
          }
        }
      }),
    );
  } finally {
    await nc.close();
  }
  const elapsed = (performance.now() - started) / 1000;
  return { rps: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), total: latencies.length, bad, errors };
}

/** The server's JetStream outbox stream for a subject prefix (container.ts eventStream), removed after the run. */
export async function dropEventStream(url: string, prefix: string): Promise<void> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(`AUTH_EVENTS_${prefix.replace(/[^A-Za-z0-9]+/g, '_').replace(/_+$/, '').toUpperCase()}`).catch(() => undefined);
  } finally {
    await nc.close();
  }
}

/** null (with a log line) when no NATS server answers: the rest of the run goes on without this scenario. */
export async function runNatsValidate(seeded: Seeded, maxSessions: number): Promise<ScenarioResult | null> {
  try {
    await (await connect({ servers: NATS_URL, timeout: 2000 })).close();
  } catch (err) {
    log(`nats-validate skipped: no NATS at ${NATS_URL} (${err instanceof Error ? err.message : String(err)}); set TEST_NATS_URL`);
    return null;
  }
  const prefix = `bench.${randomBytes(5).toString('hex')}.`;
  const n = await startApp({ name: 'server-N', logLevel: 'warn', bcryptCost: SEED_COST, maxSessionsPerUser: maxSessions, env: { NATS_URL, NATS_SUBJECT_PREFIX: prefix } });
  const notes: string[] = [];
  try {
    log(`scenario nats-validate (${CONNECTIONS} concurrent requests on one NATS connection)`);
    const load = (seconds: number) => natsLoad({ url: NATS_URL, subject: `${prefix}auth.validate`, tokens: seeded.accessTokens, concurrency: CONNECTIONS, seconds });
    await load(WARMUP);
    runState.loadAtStart = os.loadavg()[0]!;
    const m = await load(DURATION);
    notes.push(`load: ${CONNECTIONS} request loops on one NATS connection in the load generator (not autocannon); compare with \`GET /api/auth/validate\` above`);
    return {
      id: 'nats-validate',
      title: 'auth.validate over NATS request/reply',
      connections: CONNECTIONS,
      rps: m.rps,
      p50: m.p50,
      p99: m.p99,
      total: m.total,
      errors: m.errors,
      non2xx: 0,
      mismatches: m.bad,
      statusCodes: {},
      load1: runState.loadAtStart,
      notes,
    };
  } finally {
    await stopChild(n);
    await dropEventStream(NATS_URL, prefix).catch(() => undefined);
    const errs = errorLines(n);
    if (errs.count) notes.push(`server logged ${errs.count} error-level line(s); first: \`${errs.first}\``);
  }
}
