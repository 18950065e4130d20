// Bounded polling for things that happen asynchronously elsewhere (Redis pub/sub delivery, another
// process's start-up): check often, give up with a message after a bound that is only a hang guard, far
// above the expected latency, so a busy machine slows a test down instead of failing it.
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** Upper bound; the per-file test timeout is the outer guard. */
  timeoutMs?: number;
  intervalMs?: number;
}

/** Resolves with the first value `check` returns that `done` accepts; rejects naming `what` after the bound. */
export async function waitFor<T>(what: string, check: () => Promise<T> | T, done: (value: T) => boolean, opts: WaitOptions = {}): Promise<T> {
  const { timeoutMs = 15_000, intervalMs = 25 } = opts;
  const deadline = Date.now() + timeoutMs;
  let last = await check();
  while (!done(last)) {
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last value: ${JSON.stringify(last)})`);
    await sleep(intervalMs);
    last = await check();
  }
  return last;
}
