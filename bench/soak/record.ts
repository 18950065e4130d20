// What the soak saw: every request (phase, target, operation, outcome, latency, request id) and every
// invariant with the number of checks made and the violations found (each naming request ids).
import { randomBytes } from 'node:crypto';

export type Outcome = '2xx' | '4xx' | '503' | '500' | 'other-5xx' | 'network';

export interface Sample {
  phase: string;
  target: string;
  op: string;
  outcome: Outcome;
  status: number;
  ms: number;
  rid: string;
  at: number;
}

export interface Invariant {
  name: string;
  checks: number;
  violations: string[];
  /** Said when it was not (fully) checked, so the report never implies more than was done. */
  note?: string;
}

export class Recorder {
  readonly samples: Sample[] = [];
  readonly invariants = new Map<string, Invariant>();
  phase = 'warm-up';
  private seq = 0;
  private readonly runId = randomBytes(3).toString('hex');

  nextRequestId(): string {
    this.seq += 1;
    return `soak-${this.runId}-${this.seq}`;
  }

  invariant(name: string): Invariant {
    let inv = this.invariants.get(name);
    if (!inv) {
      inv = { name, checks: 0, violations: [] };
      this.invariants.set(name, inv);
    }
    return inv;
  }

  /** One check of `name`; when `ok` is false the violation (with its request ids) is kept. */
  check(name: string, ok: boolean, violation: () => string): void {
    const inv = this.invariant(name);
    inv.checks += 1;
    if (!ok) inv.violations.push(violation());
  }

  violations(): string[] {
    return [...this.invariants.values()].flatMap((i) => i.violations.map((v) => `${i.name}: ${v}`));
  }
}

export function outcomeOf(status: number): Outcome {
  if (status === 0) return 'network';
  if (status < 400) return '2xx';
  if (status < 500) return '4xx';
  if (status === 503) return '503';
  if (status === 500) return '500';
  return 'other-5xx';
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
