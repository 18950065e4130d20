// Load generation: autocannon runs (tracked so Ctrl-C can stop them), the warm-up + measured pair, and
// turning a run into a ScenarioResult. Also the small HTTP helpers seeding uses.
import os from 'node:os';
import autocannon from 'autocannon';
import { cpuSince, sampleCpu, type CpuTarget } from './cpu';
import type { ScenarioResult } from './report';
import { DURATION, WARMUP } from './settings';

/** State of the current run, shared by the phases. */
export const runState = {
  /** Set on Ctrl-C/SIGTERM: running load stops, and no further phase starts. */
  aborted: false,
  /** 1-minute load average sampled when the last measured run started (includes the bench's own load). */
  loadAtStart: 0,
  /** CLOCK_MONOTONIC µs of the last measured run, to cut a CPU profile down to it. */
  lastWindow: [0, 0] as [number, number],
  /** Whose CPU time the next measured run counts (set by the scenario), and what it counted. */
  cpuTarget: null as CpuTarget | null,
  lastCpu: null as { server: number; postgres: number } | null,
};

const running = new Set<autocannon.Instance>();

/**
 * autocannon, tracked so an abort can stop it (which also lets the servers close their connections).
 * `onLatency` receives every response time (ms), for percentiles autocannon does not report (p95).
 */
export function cannon(opts: autocannon.Options, onLatency?: (ms: number, status: number) => void): Promise<autocannon.Result> {
  if (runState.aborted) return Promise.reject(new Error('aborted'));
  const inst = autocannon(opts);
  // 'response' is emitted as (client, statusCode, resBytes, responseTime).
  if (onLatency) inst.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => onLatency(ms, status));
  running.add(inst);
  return Promise.resolve(inst).finally(() => running.delete(inst));
}

export function abortLoad(): void {
  runState.aborted = true;
  for (const inst of running) inst.stop();
}

export const monoUs = () => Number(process.hrtime.bigint() / 1000n);

export function summarize(id: string, title: string, r: autocannon.Result, notes: string[] = []): ScenarioResult {
  const statusCodes: Record<string, number> = {};
  for (const [code, v] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = Number(v.count);
  return {
    id,
    title,
    connections: r.connections,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    total: r.requests.total,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    mismatches: r.mismatches,
    statusCodes,
    load1: runState.loadAtStart,
    cpu: runState.lastCpu && r.requests.total > 0 ? { server: runState.lastCpu.server / r.requests.total, postgres: runState.lastCpu.postgres / r.requests.total } : null,
    notes,
  };
}

/** The p-th percentile (0-100) of response times, nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const clean = (s: ScenarioResult | undefined) => !!s && s.errors === 0 && s.non2xx === 0 && s.mismatches === 0 && s.total > 0;

/** Warm-up run (discarded), then the measured run (`duration` s, default BENCH_DURATION); `make` builds fresh options for each. */
export async function measure(
  make: (phase: 'warmup' | 'measure') => autocannon.Options,
  onLatency?: (ms: number, status: number) => void,
  duration = DURATION,
): Promise<autocannon.Result> {
  await cannon({ ...make('warmup'), duration: WARMUP });
  return measuredRun({ ...make('measure'), duration }, onLatency);
}

/**
 * The measured run alone, with the load average, profile window and CPU per request bookkeeping; for a
 * scenario that prepares its own warm-up and data in between (oauth-code mints codes that expire in 60 s).
 */
export async function measuredRun(opts: autocannon.Options, onLatency?: (ms: number, status: number) => void): Promise<autocannon.Result> {
  runState.loadAtStart = os.loadavg()[0]!;
  const target = runState.cpuTarget;
  const cpuBefore = target ? await sampleCpu(target) : null;
  const from = monoUs();
  const r = await cannon(opts, onLatency);
  runState.lastWindow = [from, monoUs()];
  runState.lastCpu = target && cpuBefore ? await cpuSince(target, cpuBefore) : null;
  return r;
}

/** Each connection sends `Authorization: Bearer <token>` of its own user (round robin over the seeded users). */
export function bearerPerConnection(tokens: string[]) {
  let n = 0;
  return (client: autocannon.Client) => client.setHeaders({ authorization: `Bearer ${tokens[n++ % tokens.length]}` });
}

export async function api(base: string, method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

export async function pool<T, R>(items: T[], concurrency: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}
