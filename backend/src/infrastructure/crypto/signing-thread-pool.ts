// A few worker threads that run jsonwebtoken.sign, so RS256 signing (the largest single cost of a refresh)
// uses another core instead of blocking the event loop.
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type jwt from 'jsonwebtoken';

const WORKER = fileURLToPath(new URL('./sign-worker.cjs', import.meta.url));

interface Pending {
  resolve(token: string): void;
  reject(err: Error): void;
}

export class SigningThreadPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private turn = 0;

  constructor(privateKeyPem: string, size: number) {
    for (let i = 0; i < size; i++) {
      // execArgv: [] — the worker is plain JS; inheriting `--import tsx` would only slow its start.
      const worker = new Worker(WORKER, { workerData: { privateKeyPem }, execArgv: [] });
      worker.on('message', (msg: { id: number; token?: string; error?: string }) => {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if (this.pending.size === 0) this.workers.forEach((w) => w.unref());
        if (msg.token) p.resolve(msg.token);
        else p.reject(new Error(msg.error ?? 'signing failed'));
      });
      worker.on('error', (err) => this.failAll(err));
      worker.unref();
      this.workers.push(worker);
    }
  }

  sign(payload: object, options: jwt.SignOptions): Promise<string> {
    const worker = this.workers[this.turn++ % this.workers.length]!;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // A job in flight keeps the process alive; an idle pool does not.
      worker.ref();
      worker.postMessage({ id, payload, options });
    });
  }

  /** Lets jobs in flight finish (a request whose client hung up may still be signing), then stops. */
  async close(graceMs = 5_000): Promise<void> {
    const deadline = Date.now() + graceMs;
    while (this.pending.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    this.failAll(new Error('signing pool closed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
