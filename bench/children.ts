// Child processes for the benchmark: the server under test and the baseline each run in their own Node
// process, so the load generator (this process) never shares an event loop with them.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export interface Child {
  name: string;
  proc: ChildProcess;
  url: string;
  logFile: string;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  exited: Promise<number | string>;
}

const live = new Set<Child>();

/** A free loopback TCP port (tiny race between closing and the child binding it; fine for a benchmark). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts `node [nodeArgs] --import tsx <script>` with stdout+stderr appended to logFile (a file, not a pipe
 * into this process, so reading logs costs the load generator nothing).
 */
export function spawnNode(opts: {
  name: string;
  script: string;
  cwd: string;
  env: Record<string, string>;
  port: number;
  logFile: string;
  nodeArgs?: string[];
}): Child {
  const fd = openSync(opts.logFile, 'a');
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  // Nothing from the caller's shell may point the server at Redis/NATS or change its keys.
  // Nor turn tracing on: only the tracing phase does, for one of its servers.
  for (const k of ['REDIS_URL', 'NATS_URL', 'JWT_PRIVATE_KEY', 'JWT_PRIVATE_KEY_FILE', 'JWT_PUBLIC_KEYS_FILE', 'NODE_OPTIONS', 'OTEL_EXPORTER_OTLP_ENDPOINT']) delete env[k];
  Object.assign(env, opts.env);
  const proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', opts.script], {
    cwd: opts.cwd,
    env,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const exited = new Promise<number | string>((resolve) => {
    proc.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    proc.once('error', () => resolve('spawn-error'));
  });
  const child: Child = { name: opts.name, proc, url: `http://127.0.0.1:${opts.port}`, logFile: opts.logFile, exited };
  live.add(child);
  void exited.then(() => live.delete(child));
  return child;
}

export function logTail(child: Child, lines = 30): string {
  try {
    return readFileSync(child.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Polls `url + path` until it answers 200; fails early when the child exits. */
export async function waitForHttp(child: Child, path: string, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitedWith: number | string | null = null;
  void child.exited.then((c) => (exitedWith = c));
  while (Date.now() < deadline) {
    if (exitedWith !== null) throw new Error(`${child.name} exited (${String(exitedWith)}) before becoming ready:\n${logTail(child)}`);
    try {
      const res = await fetch(child.url + path, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${child.name} not ready after ${timeoutMs} ms:\n${logTail(child)}`);
}

/** SIGTERM (graceful: lets --cpu-prof write its file), then SIGKILL after graceMs. */
export async function stopChild(child: Child, graceMs = 8_000): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  child.proc.kill('SIGTERM');
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((c) => stopChild(c)));
}

/** Last resort from a synchronous 'exit' handler: no waiting possible, so SIGKILL what is left. */
export function killAllSync(): void {
  for (const c of live) {
    try {
      c.proc.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}
