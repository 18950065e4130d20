// One soak: the stack up, people at work, faults in turn until the duration has passed, everything healed,
// then the final checks. Returns what was measured; report.ts turns it into docs/reliability.md.
import { readdirSync } from 'node:fs';
import type { Target } from './client';
import { FAULTS, runFaults, type FaultDurations, type FaultLog } from './faults';
import { finalChecks } from './final-checks';
import { Recorder } from './record';
import { rssOf, startStack } from './stack';
import { startWorkload } from './workload';

export interface SoakOptions {
  durationMs: number;
  warmUpMs: number;
  people: number;
  faults: FaultDurations;
  log?: (line: string) => void;
}

export interface MemorySample {
  at: number;
  phase: string;
  instance: string;
  rss: number;
  fds: number;
}

export interface SoakResult {
  options: SoakOptions;
  rec: Recorder;
  faults: FaultLog[];
  memory: MemorySample[];
  revocationLags: Map<string, number[]>;
  outbox: { events: number; messages: number };
  startedAt: Date;
  wallMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fdsOf(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return -1;
  }
}

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const log = options.log ?? (() => undefined);
  const startedAt = new Date();
  const t0 = Date.now();
  const stack = await startStack();
  log(`stack up in ${Date.now() - t0} ms (${stack.dir})`);
  const rec = new Recorder();
  try {
    const servers: Target[] = stack.instances.map((i) => ({ name: i.name, url: i.url }));
    const service: Target = { name: 'service', url: stack.verifierUrl };
    const memory: MemorySample[] = [];
    const sampler = setInterval(() => {
      for (const i of stack.instances) {
        const pid = i.pid();
        const rss = pid ? rssOf(pid) : null;
        if (pid && rss) memory.push({ at: Date.now(), phase: rec.phase, instance: i.name, rss, fds: fdsOf(pid) });
      }
    }, 1000);
    const work = startWorkload(rec, servers, service, options.people);
    const began = Date.now();
    await sleep(options.warmUpMs);
    rec.phase = 'steady';
    log('warm-up over, faults begin');
    const faults = await runFaults(rec, stack, options.faults, began + options.durationMs);
    for (const f of faults) log(`${f.kind}: ${f.detail}`);
    // Everything back: whatever a fault left stopped is started, then a quiet phase under load.
    await Promise.all([stack.pg.start().catch(() => undefined), stack.redis.start(), stack.nats.start(), ...stack.instances.map((i) => i.start())]);
    rec.phase = 'recovery';
    await sleep(Math.min(10_000, options.faults.gapMs * 2));
    await work.stop();
    clearInterval(sampler);
    rec.phase = 'final checks';
    const outbox = await finalChecks(rec, stack, work, [...servers, service]);
    checkMemory(rec, memory, began + options.warmUpMs, faults);
    const revocationLags = new Map<string, number[]>();
    for (const w of work.watches) {
      for (const [target, lag] of w.lags) if (lag !== null) revocationLags.set(target, [...(revocationLags.get(target) ?? []), lag]);
    }
    return { options, rec, faults, memory, revocationLags, outbox, startedAt, wallMs: Date.now() - t0 };
  } finally {
    const keep = rec.violations().length > 0;
    await stack.close(keep);
    if (keep) log(`instance logs kept in ${stack.dir}`);
  }
}

/**
 * Instance B is never killed. A leak across restarts of the dependencies shows as growth from one fault cycle
 * to the next, so with at least two full cycles the peaks of the two halves of the run after warm-up are
 * compared: flat = the second half's peak RSS at most 20 % + 16 MiB above the first's, open descriptors at
 * most 16 more. With fewer cycles the first half is still warming up (pools filling, JIT, heap growth) and the
 * comparison would say nothing: the numbers are reported, the invariant is marked not checked.
 */
function checkMemory(rec: Recorder, memory: MemorySample[], warmedAt: number, faults: FaultLog[]): void {
  const name = 'memory and open descriptors flat after warm-up (instance B)';
  const b = memory.filter((m) => m.instance === 'B' && m.at >= warmedAt);
  if (faults.length < 2 * FAULTS.length || b.length < 4) {
    rec.invariant(name).note = `not checked: ${faults.length} faults, fewer than two full cycles (RSS reported below)`;
    return;
  }
  const half = b[0].at + (b.at(-1)!.at - b[0].at) / 2;
  const peak = (xs: MemorySample[], f: (m: MemorySample) => number) => Math.max(...xs.map(f));
  const first = b.filter((m) => m.at < half);
  const second = b.filter((m) => m.at >= half);
  const [r1, r2] = [peak(first, (m) => m.rss), peak(second, (m) => m.rss)];
  const [d1, d2] = [peak(first, (m) => m.fds), peak(second, (m) => m.fds)];
  rec.check(name, r2 <= r1 * 1.2 + 16 * 1024 * 1024, () => `peak RSS ${mib(r1)} MiB in the first half, ${mib(r2)} MiB in the second`);
  rec.check(name, d2 <= d1 + 16, () => `peak open descriptors ${d1} in the first half, ${d2} in the second`);
}

export const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
