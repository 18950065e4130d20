// A few worker threads that run jsonwebtoken.sign, so RS256 signing (the largest single cost of a refresh)
// uses another core instead of blocking the event loop.
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type jwt from 'jsonwebtoken';

const WORKER = fileURLToPath(new URL('./sign-worker.cjs', import.meta.url));

interface Pending {
  resolve(token: string): void;
  reject(err: Error): void;
  /** The worker the job was posted to: its jobs fail when it stops. */
  worker: Worker;
}

export class SigningThreadPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private turn = 0;
  private closing = false;

  constructor(
    private readonly privateKeyPem: string,
    size: number,
  ) {
    for (let i = 0; i < size; i++) this.workers.push(this.spawn(i));
  }

  /**
   * A worker for slot `slot`. A worker that stops on its own (an uncaught error in it, an out-of-memory end)
   * fails the jobs it held and is replaced: a job posted to a stopped worker would never be answered, and
   * every request whose turn fell on that slot would hang.
   */
  private spawn(slot: number): Worker {
    // execArgv: [] — the worker is plain JS; inheriting `--import tsx` would only slow its start.
    const worker = new Worker(WORKER, { workerData: { privateKeyPem: this.privateKeyPem }, execArgv: [] });
    worker.on('message', (msg: { id: number; token?: string; error?: string }) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (this.pending.size === 0) this.workers.forEach((w) => w.unref());
      if (msg.token) p.resolve(msg.token);
      else p.reject(new Error(msg.error ?? 'signing failed'));
    });
    // 'exit' follows and does the work; without a listener the 'error' would end the process.
    worker.on('error', () => undefined);
    worker.on('exit', () => {
      this.failJobsOf(worker, new Error('signing worker stopped'));
      if (!this.closing && this.workers[slot] === worker) this.workers[slot] = this.spawn(slot);
    });
    worker.unref();
    return worker;
  }

  sign(payload: object, options: jwt.SignOptions): Promise<string> {
    const worker = this.workers[this.turn++ % this.workers.length];
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker });
      // A job in flight keeps the process alive; an idle pool does not.
      worker.ref();
      worker.postMessage({ id, payload, options });
    });
  }

  /** Lets jobs in flight finish (a request whose client hung up may still be signing), then stops. */
  async close(graceMs = 5_000): Promise<void> {
    const deadline = Date.now() + graceMs;
    while (this.pending.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    this.closing = true;
    for (const p of this.pending.values()) p.reject(new Error('signing pool closed'));
    this.pending.clear();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private failJobsOf(worker: Worker, err: Error): void {
    for (const [id, p] of this.pending) {
      if (p.worker !== worker) continue;
      this.pending.delete(id);
      p.reject(err);
    }
  }
}
