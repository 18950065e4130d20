// One object that knows how to undo whatever a process has started. The composition root's builders register
// a closer right after each thing they open (a connection, a child process, a thread, a timer); stop() and a
// failed start both close them newest first, so nothing is closed while something opened later still uses it.
import type { Logger } from './infrastructure/logger';

type Closer = () => unknown;

/** A start that failed: names the area (database, redis, crypto, domain, jobs, messaging, http) that threw. */
export class StartupError extends Error {
  constructor(
    readonly area: string,
    cause: unknown,
  ) {
    super(`${area}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'StartupError';
  }
}

export class Lifecycle {
  private readonly closers: { name: string; close: Closer }[] = [];
  private closing: Promise<void> | null = null;

  constructor(private readonly logger: Pick<Logger, 'warn'>) {}

  /**
   * Registers what undoes something just opened. Register before awaiting its start when the start itself
   * may open things and then fail (a connection made, a subscription refused): the closer must cope with a
   * half-started object.
   */
  onClose(name: string, close: Closer): void {
    if (this.closing) throw new Error(`lifecycle: "${name}" registered after close`);
    this.closers.push({ name, close });
  }

  /** Runs one area's builder; an error becomes a StartupError naming the area (closing is the caller's job). */
  async step<T>(area: string, build: () => Promise<T> | T): Promise<T> {
    try {
      return await build();
    } catch (err) {
      throw err instanceof StartupError ? err : new StartupError(area, err);
    }
  }

  /** What has been registered, oldest first (tests check the order). */
  names(): string[] {
    return this.closers.map((c) => c.name);
  }

  /** Closes everything registered, newest first; a closer that fails is logged and the others still run. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const { name, close } of [...this.closers].reverse()) {
        try {
          await close();
        } catch (err) {
          this.logger.warn('shutdown step failed', { step: name, error: err instanceof Error ? err.message : String(err) });
        }
      }
    })();
    return this.closing;
  }
}
