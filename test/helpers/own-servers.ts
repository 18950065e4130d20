// Servers a test owns because it stops and restarts them: a redis-server, a nats-server with JetStream and a
// PostgreSQL cluster (initdb / pg_ctl in a temp dir), each on a free port of its own. The shared services on the standard ports are never
// touched. Every wait is a bounded poll.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Polls `check` every 50 ms until it is true or `ms` have passed (then throws `what`). */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Spawns a server that should listen on `port` and waits until it accepts. When it exits first, the error
 * carries the end of its stderr (why it stopped: "address already in use", a bad config...), and `exited` is
 * set, so a first start can try again on another port: a port freePort() returned may have been taken, in
 * the moment before the server binds it, as the local port of some outgoing connection of a parallel test.
 */
async function spawnListening(command: string, args: string[], port: number, env?: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-2000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  try {
    // A hang guard, generous: on a loaded two-core CI machine a start has been seen to take longer than 15 s.
    await waitFor(`${command} on ${port}`, async () => {
      if (gone) throw Object.assign(new Error(`${command} on ${port} exited before it listened: ${stderr.trim()}`), { exited: true });
      return accepts(port);
    }, 60_000);
  } catch (err) {
    if (!gone) child.kill('SIGKILL');
    throw err;
  }
  return child;
}

/** Starts on a free port, on another one (three tries) when the server exits before listening. */
async function firstStart(start: (port: number) => Promise<void>): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      await start(port);
      return port;
    } catch (err) {
      if (attempt >= 3 || !(err as { exited?: boolean }).exited) throw err;
    }
  }
}

export interface OwnRedis {
  url: string;
  port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A redis-server without persistence on a free port; start() / stop() may be called repeatedly. */
export async function ownRedis(): Promise<OwnRedis> {
  let port = 0;
  let child: ChildProcess | null = null;
  const launch = async (p: number) => {
    child = await spawnListening('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], p);
  };
  port = await firstStart(launch);
  const redis: OwnRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      if (child) return;
      await launch(port);
    },
    async stop() {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise((r) => running.once('exit', r));
      running.kill('SIGKILL');
      await exited;
    },
  };
  return redis;
}

export interface OwnNats {
  url: string;
  /** The running server's monitoring endpoint (http://127.0.0.1:port; a new port on each start). */
  readonly monitorUrl: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stops the server and removes its JetStream directory. */
  remove(): Promise<void>;
}

/**
 * A nats-server with JetStream (store in a temp dir kept across restarts) on a free port; `opts.config` is a
 * config file (the port, address and store dir given here override its own) and `opts.env` its environment.
 */
export async function ownNats(opts: { config?: string; env?: Record<string, string> } = {}): Promise<OwnNats> {
  const dir = mkdtempSync(join(tmpdir(), 'own-nats-'));
  let child: ChildProcess | null = null;
  let monitorPort = 0;
  const config = opts.config ? ['-c', opts.config] : [];
  // Accepting connections is not being ready: JetStream (and with a config, each account's JetStream) comes up
  // after the listener, and a stream created in that moment fails. The monitoring port's /healthz answers 200
  // once JetStream is current, so every start waits for it (on a monitoring port of its own each time).
  const launch = async (p: number) => {
    const monitor = await freePort();
    monitorPort = monitor;
    child = await spawnListening('nats-server', [...config, '-a', '127.0.0.1', '-p', String(p), '-m', String(monitor), '-js', '-sd', dir], p, { ...process.env, ...opts.env });
    await waitFor(`nats-server on ${p}: /healthz`, async () => {
      try {
        return (await fetch(`http://127.0.0.1:${monitor}/healthz`, { signal: AbortSignal.timeout(2000) })).ok;
      } catch {
        return false;
      }
    }, 60_000);
  };
  const port = await firstStart(launch);
  const nats: OwnNats = {
    url: `nats://127.0.0.1:${port}`,
    get monitorUrl() {
      return `http://127.0.0.1:${monitorPort}`;
    },
    async start() {
      if (child) return;
      await launch(port);
    },
    async stop() {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise((r) => running.once('exit', r));
      running.kill('SIGKILL');
      await exited;
    },
    async remove() {
      await nats.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return nats;
}

export interface OwnPostgres {
  port: number;
  /** Admin URL of the `postgres` database (user postgres, trust). */
  url: string;
  start(): Promise<void>;
  /** Fast shutdown: connections are cut as in a crash or restart. */
  stop(): Promise<void>;
  destroy(): Promise<void>;
}

function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const version = readdirSync(root).sort((a, b) => Number(b) - Number(a))[0];
  if (!version) throw new Error('no PostgreSQL binaries under /usr/lib/postgresql');
  return join(root, version, 'bin');
}

/** A throw-away PostgreSQL cluster: initdb in a temp dir, listening on a free loopback port. */
export async function ownPostgres(): Promise<OwnPostgres> {
  const bin = postgresBin();
  const dir = mkdtempSync(join(tmpdir(), 'auth-pg-'));
  const data = join(dir, 'data');
  const port = await freePort();
  // PostgreSQL refuses to run as root: then the cluster belongs to the `postgres` system user.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) spawnSync('chown', ['postgres', dir]);
  const run = (cmd: string, args: string[]) =>
    asRoot ? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8' }) : spawnSync(cmd, args, { encoding: 'utf8' });
  const init = run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const ctl = (...args: string[]) => {
    const r = run(join(bin, 'pg_ctl'), ['-D', data, ...args]);
    if (r.status !== 0) throw new Error(`pg_ctl ${args[0]} failed: ${r.stderr}${r.stdout}`);
  };
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`;
  const pgServer: OwnPostgres = {
    port,
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    async start() {
      ctl('start', '-w', '-l', join(dir, 'log'), '-o', opts);
      await waitFor(`postgres on ${port}`, () => accepts(port));
    },
    async stop() {
      ctl('stop', '-w', '-m', 'fast');
    },
    async destroy() {
      if (existsSync(join(data, 'postmaster.pid'))) ctl('stop', '-w', '-m', 'immediate');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await pgServer.start();
  return pgServer;
}
