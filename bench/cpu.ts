// CPU time per request, read from /proc: on a machine shared with other work, req/s depends on how much of
// the CPU the scheduler hands us, while CPU milliseconds per request barely does — the steadier measure for
// comparing two servers doing the same work. Counted for the server process (all its threads) and for the
// PostgreSQL backends serving its database.
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';

const TICK_MS = 10; // CLK_TCK = 100 on Linux

/** utime + stime of a process (all threads), in ms; 0 when it is gone or unreadable. */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command name: state is field 3, utime field 14, stime field 15 (1-based in proc(5)).
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

export interface CpuTarget {
  serverPid: number;
  databaseUrl: string;
}

export interface CpuSample {
  server: number;
  postgres: Map<number, number>;
}

async function backendPids(databaseUrl: string): Promise<number[]> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const { rows } = await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
    return rows.map((r) => r.pid);
  } finally {
    await c.end();
  }
}

export async function sampleCpu(t: CpuTarget): Promise<CpuSample> {
  const pids = await backendPids(t.databaseUrl).catch(() => []);
  return { server: cpuMs(t.serverPid), postgres: new Map(pids.map((p) => [p, cpuMs(p)])) };
}

/** ms of CPU between two samples: the server's, and the database backends' (one that started in between counts from 0). */
export async function cpuSince(t: CpuTarget, before: CpuSample): Promise<{ server: number; postgres: number }> {
  const after = await sampleCpu(t);
  let postgres = 0;
  for (const [pid, ms] of after.postgres) postgres += ms - (before.postgres.get(pid) ?? 0);
  return { server: after.server - before.server, postgres };
}

/** Child processes of a process (e.g. the server's bcrypt children): every /proc/<pid>/stat whose ppid matches. */
function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // After the command name: state, then ppid.
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(name));
    } catch {
      // gone in between
    }
  }
  return out;
}

/** Busy (non-idle, non-iowait) CPU ms of the whole machine, every tenant included, from /proc/stat. */
function machineBusyMs(): number {
  const [cpu] = readFileSync('/proc/stat', 'utf8').split('\n');
  const f = cpu.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal ...
  return (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) * TICK_MS;
}

export interface CpuBreakdown {
  server: number;
  children: number;
  postgres: number;
  bench: number;
  machine: number;
}

/**
 * Where the CPU went during a window (ms): the server process, its child processes (bcrypt), the PostgreSQL
 * backends of its database, this load generator, and the whole machine (so what is left is other tenants).
 */
export async function sampleBreakdown(t: CpuTarget): Promise<() => Promise<CpuBreakdown>> {
  const kids = () => new Map(childPids(t.serverPid).map((p) => [p, cpuMs(p)]));
  const before = { pg: await sampleCpu(t), kids: kids(), bench: cpuMs(process.pid), machine: machineBusyMs() };
  return async () => {
    const pg = await cpuSince(t, before.pg);
    let children = 0;
    for (const [pid, ms] of kids()) children += ms - (before.kids.get(pid) ?? 0);
    return { server: pg.server, children, postgres: pg.postgres, bench: cpuMs(process.pid) - before.bench, machine: machineBusyMs() - before.machine };
  };
}
