// Bench settings from BENCH_* environment variables, the scenario ids, and the fixed values every phase uses.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number`);
  return n;
}

export const DURATION = envInt('BENCH_DURATION', 10);
export const WARMUP = envInt('BENCH_WARMUP', 2);
export const CONNECTIONS = envInt('BENCH_CONNECTIONS', 50);
export const LOGIN_CONNECTIONS = envInt('BENCH_LOGIN_CONNECTIONS', 16);
export const USERS = envInt('BENCH_USERS', 50);
export const CLUSTER_WORKERS = envInt('BENCH_CLUSTER_WORKERS', 1);
// A watchdog, not a budget: the full run (floor, OAuth, code flow, NATS and tracing phases included) takes 6-9 minutes on a busy 2-core machine.
export const MAX_SECONDS = envInt('BENCH_MAX_SECONDS', 900);
/** The steady /me load beside the login storm (issue 15: 300 req/s); enough connections that a slow answer does not throttle the rate. */
export const LIGHT_ME = { connections: 16, rate: 300 };
/**
 * The OAuth refresh_token grant runs at a fixed rate (the design's target is p95 < 200 ms at 100 req/s). A
 * connection waits for each answer, so 20 connections (5 req/s each) keep the offered rate from being capped
 * by connections / latency while the server answers within 200 ms.
 */
export const OAUTH_REFRESH = { rate: envInt('BENCH_OAUTH_RATE', 100), connections: envInt('BENCH_OAUTH_CONNECTIONS', 20) };
export const LOGIN_COST = 12;
export const SEED_COST = 4;
export const ISSUER = 'http://sessionary.bench';
export const HUGE_LIMIT = '10000000';
export const PASSWORD = `Bench-${randomBytes(6).toString('hex')}-pw`;

/**
 * Every scenario, in report order. Scenarios on the seeded server A are listed in scenarios/index.ts;
 * a new one goes there and here.
 */
export const ALL = [
  'baseline',
  'validate',
  'oauth-introspect',
  'oauth-userinfo',
  'oauth-code',
  'nats-validate',
  'me',
  'me-info',
  'floor-sessions',
  'sessions',
  'floor-refresh',
  'refresh',
  'oauth-refresh',
  'oauth-client-credentials',
  'login',
  'tracing',
] as const;
export type ScenarioId = (typeof ALL)[number];
export const PROFILE = (process.env.BENCH_PROFILE || null) as ScenarioId | null;
export const ONLY: ScenarioId[] = PROFILE
  ? [PROFILE]
  : process.env.BENCH_ONLY
    ? (process.env.BENCH_ONLY.split(',').map((s) => s.trim()) as ScenarioId[])
    : [...ALL];
for (const s of ONLY) if (!ALL.includes(s)) throw new Error(`unknown scenario "${s}"; known: ${ALL.join(', ')}`);
if (PROFILE === 'baseline') throw new Error('BENCH_PROFILE profiles the server under test (the app, or the floor for floor-*); the baseline has no profile');
export const FULL = ONLY.length === ALL.length;
export const selected = (id: ScenarioId) => ONLY.includes(id);

export const log = (msg: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);
