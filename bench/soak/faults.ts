// Faults on a schedule with jitter, one at a time, each followed by a quiet gap: kill -9 of instance A and its
// restart, a PostgreSQL restart, a PostgreSQL outage, Redis stopped, NATS stopped, a bcrypt child of an
// instance killed. The current phase (its name) labels every request made meanwhile.
import type { Recorder } from './record';
import { childPids, type Stack } from './stack';

export interface FaultDurations {
  pgOutageMs: number;
  redisDownMs: number;
  natsDownMs: number;
  /** Quiet time between two faults. */
  gapMs: number;
}

export type FaultKind = 'kill -9 instance A' | 'PostgreSQL restart' | 'PostgreSQL outage' | 'Redis stopped' | 'NATS stopped' | 'bcrypt child killed';
export const FAULTS: FaultKind[] = ['kill -9 instance A', 'PostgreSQL restart', 'Redis stopped', 'bcrypt child killed', 'NATS stopped', 'PostgreSQL outage'];

export interface FaultLog {
  kind: FaultKind;
  startedAt: number;
  endedAt: number;
  detail: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** ±25 % jitter. */
const jitter = (ms: number) => Math.round(ms * (0.75 + Math.random() * 0.5));

async function inject(kind: FaultKind, stack: Stack, d: FaultDurations): Promise<string> {
  const [a, b] = stack.instances;
  switch (kind) {
    case 'kill -9 instance A': {
      const pid = a.pid();
      await a.kill9();
      const t = Date.now();
      await a.start();
      return `pid ${pid} killed; back after ${Date.now() - t} ms`;
    }
    case 'PostgreSQL restart':
      await stack.pg.stop();
      await stack.pg.start();
      return 'pg_ctl stop -m fast, start';
    case 'PostgreSQL outage': {
      const ms = jitter(d.pgOutageMs);
      await stack.pg.stop();
      await sleep(ms);
      await stack.pg.start();
      return `down ${ms} ms`;
    }
    case 'Redis stopped': {
      const ms = jitter(d.redisDownMs);
      await stack.redis.stop();
      await sleep(ms);
      await stack.redis.start();
      return `down ${ms} ms`;
    }
    case 'NATS stopped': {
      const ms = jitter(d.natsDownMs);
      await stack.nats.stop();
      await sleep(ms);
      await stack.nats.start();
      return `down ${ms} ms`;
    }
    case 'bcrypt child killed': {
      const target = Math.random() < 0.5 ? a : b;
      const pid = target.pid();
      const children = pid ? childPids(pid) : [];
      if (children.length === 0) return `no bcrypt child of ${target.name} found (not injected)`;
      process.kill(children[0], 'SIGKILL');
      await sleep(jitter(2000));
      return `killed pid ${children[0]} of instance ${target.name}`;
    }
  }
}

/** Runs faults in turn until `until`; returns what was injected. */
export async function runFaults(rec: Recorder, stack: Stack, d: FaultDurations, until: number, kinds: FaultKind[] = FAULTS): Promise<FaultLog[]> {
  const log: FaultLog[] = [];
  for (let i = 0; Date.now() < until; i++) {
    await sleep(jitter(d.gapMs));
    if (Date.now() >= until) break;
    const kind = kinds[i % kinds.length];
    rec.phase = kind;
    const startedAt = Date.now();
    const detail = await inject(kind, stack, d);
    log.push({ kind, startedAt, endedAt: Date.now(), detail });
    rec.phase = 'steady';
  }
  return log;
}
