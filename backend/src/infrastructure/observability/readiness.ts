// Readiness (GET /ready, issue 30): can this instance serve traffic right now? It asks each dependency it was
// configured with — PostgreSQL, Redis, NATS — once, each bounded by a short timeout, and reads the outbox's
// backlog. A required dependency that does not answer makes the instance not ready (503), so a load balancer
// or orchestrator stops sending it requests until it does; liveness (/health) stays a separate, cheap check.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { NatsConnection } from 'nats';
import type { PrismaClient } from '../prisma/client';

export type DependencyState = 'connected' | 'disconnected' | 'not_configured';

export interface ReadinessReport {
  status: 'healthy' | 'unhealthy';
  version: string;
  database: DependencyState;
  redis: DependencyState;
  nats: DependencyState;
  /** Audit events not yet published to NATS; null when the database did not answer or NATS is not configured. */
  outbox: { pending: number; oldestAgeSeconds: number | null } | null;
  uptimeSeconds: number;
}

export interface ReadinessDeps {
  prisma: PrismaClient;
  redis: Redis | null;
  nats: NatsConnection | null;
  /** Ms each probe may take before its dependency counts as down (default 1000). */
  timeoutMs?: number;
}

/** The server's version: package.json's, read from the working directory the server runs in (as migrations are). */
export function serverVersion(cwd = process.cwd()): string {
  try {
    const pkg = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

const state = async (probe: () => Promise<unknown>, ms: number): Promise<DependencyState> =>
  within(ms, probe()).then(
    () => 'connected' as const,
    () => 'disconnected' as const,
  );

export interface OutboxBacklog {
  pending: number;
  oldestAgeSeconds: number | null;
}

/** The unpublished outbox rows: one index-only range on (publishedAt, createdAt). */
export async function outboxBacklog(prisma: PrismaClient): Promise<OutboxBacklog> {
  const [row] = await prisma.$queryRaw<{ pending: bigint; oldest: Date | null }[]>`
    SELECT count(*) AS "pending", min("createdAt") AS "oldest" FROM "AuditEvent" WHERE "publishedAt" IS NULL`;
  const oldest = row?.oldest ? new Date(row.oldest).getTime() : null;
  return { pending: Number(row?.pending ?? 0), oldestAgeSeconds: oldest === null ? null : Math.max(0, Math.round((Date.now() - oldest) / 1000)) };
}

export function readinessProbe(deps: ReadinessDeps, version = serverVersion()): () => Promise<ReadinessReport> {
  const ms = deps.timeoutMs ?? 1000;
  const { prisma, redis, nats } = deps;
  return async () => {
    const [database, redisState, natsState] = await Promise.all([
      state(() => prisma.$queryRaw`SELECT 1`, ms),
      // ioredis queues commands while it reconnects: a client that is not 'ready' is down now, whatever it may queue.
      redis ? (redis.status === 'ready' ? state(() => redis.ping(), ms) : Promise.resolve('disconnected' as const)) : Promise.resolve('not_configured' as const),
      // flush() is a PING/PONG round trip to the server; while disconnected it waits for a reconnect (the timeout ends that).
      nats ? (nats.isClosed() ? Promise.resolve('disconnected' as const) : state(() => nats.flush(), ms)) : Promise.resolve('not_configured' as const),
    ]);
    const outbox = database === 'connected' && nats ? await within(ms, outboxBacklog(prisma)).catch(() => null) : null;
    const down = [database, redisState, natsState].includes('disconnected');
    return {
      status: down ? 'unhealthy' : 'healthy',
      version,
      database,
      redis: redisState,
      nats: natsState,
      outbox,
      uptimeSeconds: Math.round(process.uptime()),
    };
  };
}
