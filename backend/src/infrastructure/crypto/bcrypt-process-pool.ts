// Runs bcrypt in a few child processes at a lower CPU priority (BCRYPT_NICE, default 10 below the server's).
// bcrypt is deliberately slow: run on the server's own libuv threads, a burst of logins takes the CPU from
// the event loop and every authenticated request waits (p99 in the hundreds of ms on 2 cores). Niced children still use every idle
// cycle, so login throughput stays bcrypt-bound, while the kernel gives the event loop the CPU first.
import { fork, type ChildProcess } from 'node:child_process';
import { getPriority, setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';

type Job = { op: 'hash'; data: string; cost: number } | { op: 'compare'; data: string; hash: string };

interface Pending {
  child: ChildProcess;
  queued: Queued;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

interface Queued {
  job: Job;
  signal: AbortSignal | undefined;
  /** Children that died with this job in flight. */
  deaths: number;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/** A job is tried on at most this many children that die under it. */
const MAX_DEATHS_PER_JOB = 2;

const WORKER = fileURLToPath(new URL('./bcrypt-worker.cjs', import.meta.url));

/**
 * Jobs wait here, in the parent, and go to a child only when it is idle: first come, first served over all
 * children, and a job whose request was abandoned (its AbortSignal fired: the client hung up, e.g. a login
 * that timed out on the client's side) is dropped before it costs a hash. A child never holds a queue of its
 * own, so nothing it would hash later is beyond reach.
 */
export class BcryptProcessPool {
  private readonly children: ChildProcess[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly queue: Queued[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly size: number, private readonly nice = 10) {}

  /** Rejects with `signal.reason` (an AbortError) when the signal fires before the job reached a child. */
  run(job: Job, signal?: AbortSignal): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('bcrypt pool closed'));
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise((resolve, reject) => {
      this.queue.push({ job, signal, deaths: 0, resolve, reject });
      this.dispatch();
    });
  }

  /** Jobs waiting for a child (not yet hashing). */
  get queued(): number {
    return this.queue.length;
  }

  /** Refuses new jobs, lets those queued and in flight finish (bounded), then stops the children. */
  async close(graceMs = 5_000): Promise<void> {
    this.closed = true;
    const deadline = Date.now() + graceMs;
    while ((this.pending.size > 0 || this.queue.length > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    for (const child of this.children) if (child.connected) child.disconnect();
    for (const p of this.pending.values()) p.reject(new Error('bcrypt pool closed'));
    this.pending.clear();
    for (const q of this.queue.splice(0)) q.reject(new Error('bcrypt pool closed'));
  }

  private inFlight(child: ChildProcess): number {
    let n = 0;
    for (const p of this.pending.values()) if (p.child === child) n++;
    return n;
  }

  /** Hands queued jobs to idle children (started lazily, replaced when they die), skipping abandoned ones. */
  private dispatch(): void {
    while (this.queue.length > 0) {
      // A child whose channel has closed (it died; its 'exit', which fails its jobs, may still be to come)
      // takes no job and gives its place to a new one: a send to it fails.
      for (let i = this.children.length - 1; i >= 0; i--) if (!this.children[i].connected) this.children.splice(i, 1);
      const child = this.children.find((c) => this.inFlight(c) === 0) ?? (this.children.length < this.size ? this.spawn() : null);
      if (!child) return;
      const next = this.queue.shift()!;
      if (next.signal?.aborted) {
        next.reject(abortReason(next.signal));
        continue;
      }
      const id = this.nextId++;
      this.pending.set(id, { child, queued: next, resolve: next.resolve, reject: next.reject });
      this.hold(child, true);
      child.send({ id, ...next.job }, (err) => {
        if (!err || !this.pending.delete(id)) return;
        // The job never reached the child: it waits again, first in line, for the next child ('exit' dispatches).
        this.queue.unshift(next);
      });
    }
  }

  private spawn(): ChildProcess {
    // No inherited --import flags: the worker is plain JS and starts fast.
    // One libuv thread per child: the pool has one child per core, so jobs queue instead of 4 bcrypt threads
    // per child fighting over the same cores.
    const child = fork(WORKER, [], {
      execArgv: [],
      env: { ...process.env, UV_THREADPOOL_SIZE: '1' },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    try {
      // Relative to this process: a server started with `nice -n 5` would otherwise see its hashing children
      // at 10 only five steps below it instead of ten.
      if (child.pid) setPriority(child.pid, Math.min(19, getPriority() + this.nice));
    } catch {
      // Not permitted here: bcrypt still works, only without the priority advantage.
    }
    child.on('message', (msg: { id: number; result?: unknown; error?: string }) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (this.inFlight(child) === 0) this.hold(child, false);
      if (msg.error) p.reject(new Error(msg.error));
      else p.resolve(msg.result);
      this.dispatch();
    });
    // A failed send is handled by its callback, a dead child by 'exit'; an 'error' without a listener would end the server.
    child.on('error', () => undefined);
    child.on('exit', () => {
      const i = this.children.indexOf(child);
      if (i >= 0) this.children.splice(i, 1);
      // A hash or compare has no side effect, so a job in flight on a dead child runs again, first in line, on
      // a new one: a killed child (OOM killer, an operator) costs a login some time, not a 500 (found by the
      // chaos soak, issue 32). A job whose second child dies too fails rather than kill children for ever.
      for (const [id, p] of this.pending) {
        if (p.child !== child) continue;
        this.pending.delete(id);
        p.queued.deaths += 1;
        if (p.queued.deaths < MAX_DEATHS_PER_JOB && !this.closed) this.queue.unshift(p.queued);
        else p.reject(new Error('bcrypt worker exited'));
      }
      this.dispatch();
    });
    this.hold(child, false);
    this.children.push(child);
    return child;
  }

  /** An idle pool must not keep the process alive; a job in flight must. */
  private hold(child: ChildProcess, busy: boolean): void {
    const channel = child.channel as { ref?: () => void; unref?: () => void } | null | undefined;
    if (busy) {
      child.ref();
      channel?.ref?.();
    } else {
      child.unref();
      channel?.unref?.();
    }
  }
}

/** The signal's reason (an AbortError unless the caller gave another Error). */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error(String(reason));
}
