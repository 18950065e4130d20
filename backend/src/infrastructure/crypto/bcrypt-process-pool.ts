// Runs bcrypt in a few child processes at a lower CPU priority (nice 10). bcrypt is deliberately slow:
// run on the server's own libuv threads, a burst of logins takes the CPU from the event loop and every
// authenticated request waits (p99 in the hundreds of ms on 2 cores). Niced children still use every idle
// cycle, so login throughput stays bcrypt-bound, while the kernel gives the event loop the CPU first.
import { fork, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';

type Job = { op: 'hash'; data: string; cost: number } | { op: 'compare'; data: string; hash: string };

interface Pending {
  child: ChildProcess;
  resolve(value: unknown): void;
  reject(err: Error): void;
}

const WORKER = fileURLToPath(new URL('./bcrypt-worker.cjs', import.meta.url));

export class BcryptProcessPool {
  private readonly children: ChildProcess[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly size: number, private readonly nice = 10) {}

  run(job: Job): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('bcrypt pool closed'));
    const child = this.pick();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { child, resolve, reject });
      this.hold(child, true);
      child.send({ id, ...job });
    });
  }

  /** Refuses new jobs, lets those in flight finish (bounded), then stops the children. */
  async close(graceMs = 5_000): Promise<void> {
    this.closed = true;
    const deadline = Date.now() + graceMs;
    while (this.pending.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    for (const child of this.children) if (child.connected) child.disconnect();
    for (const p of this.pending.values()) p.reject(new Error('bcrypt pool closed'));
    this.pending.clear();
  }

  private inFlight(child: ChildProcess): number {
    let n = 0;
    for (const p of this.pending.values()) if (p.child === child) n++;
    return n;
  }

  /** Least-loaded child; children start lazily and are replaced when they die. */
  private pick(): ChildProcess {
    const idle = this.children.find((c) => this.inFlight(c) === 0);
    if (idle) return idle;
    if (this.children.length < this.size) return this.spawn();
    return this.children.reduce((a, b) => (this.inFlight(b) < this.inFlight(a) ? b : a));
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
      if (child.pid) setPriority(child.pid, this.nice);
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
    });
    child.on('exit', () => {
      const i = this.children.indexOf(child);
      if (i >= 0) this.children.splice(i, 1);
      // Jobs in flight on a dead child cannot be recovered: fail them rather than hang.
      for (const [id, p] of this.pending) {
        if (p.child !== child) continue;
        this.pending.delete(id);
        p.reject(new Error('bcrypt worker exited'));
      }
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
