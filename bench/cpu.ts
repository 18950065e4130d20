// CPU time per request, read from /proc: on a machine shared with other work, req/s depends on how much of
// the CPU the scheduler hands us, while CPU milliseconds per request barely does — the steadier measure for
// comparing two servers doing the same work. Counted for the server process (all its threads) and for the
// PostgreSQL backends serving its database.
import { readFileSync } from 'node:fs';
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
