// Scenario "tracing" (issue 30): what OpenTelemetry tracing costs a sign-in. Three servers on the bench
// database, under the same login load in alternating short rounds (the machine's speed drifts within minutes,
// more than the differences measured here):
//   before — bench/server-without-main.ts: the server as `npm start` ran it before tracing existed;
//   off    — backend/src/main.ts without OTEL_EXPORTER_OTLP_ENDPOINT (today's default);
//   on     — main.ts with the endpoint set to an OTLP/HTTP sink in this process (every span sampled and sent).
// BCRYPT_COST=4 and bcrypt in child processes: the login's request path (pg, in-process rate limits, signing,
// the spans) is what the server process spends, not hashing. Figures are medians over the rounds.
import { createServer } from 'node:http';
import os from 'node:os';
import { stopChild, type Child } from '../children';
import { cpuSince, sampleCpu } from '../cpu';
import { cannon, runState } from '../load';
import type { ScenarioResult } from '../report';
import { benchEnv, errorLines, register, startApp } from '../servers';
import { loginLoad } from './login';
import { LOGIN_CONNECTIONS, SEED_COST, log } from '../settings';

// 11 rounds: on this shared machine single rounds of one server differ by 2-3x in req/s (other processes).
const ROUNDS = { rounds: 11, seconds: 3, warmupLogins: 400 };
const VARIANTS = ['before', 'off', 'on'] as const;
type Variant = (typeof VARIANTS)[number];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Round {
  rps: number;
  p50: number;
  p99: number;
  /** Server process CPU ms per login. */
  cpu: number;
  /** Its PostgreSQL backends' CPU ms per login. */
  pg: number;
  total: number;
  errors: number;
  non2xx: number;
  mismatches: number;
}

/** An OTLP/HTTP receiver that only counts: the spans' cost is the server's, not a collector's. */
async function startSink() {
  const counts = { requests: 0, bytes: 0, spans: 0 };
  const server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', () => {
      counts.requests++;
      counts.bytes += Buffer.byteLength(text);
      counts.spans += text.split('"spanId"').length - 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, counts, close: () => new Promise((r) => server.close(r)) };
}

export async function runTracing(runId: string): Promise<ScenarioResult[]> {
  const sink = await startSink();
  const servers = new Map<Variant, Child>();
  try {
    const common = { logLevel: 'warn' as const, bcryptCost: SEED_COST, maxSessionsPerUser: 10 };
    servers.set('before', await startApp({ ...common, name: 'tracing-before', script: 'bench/server-without-main.ts' }));
    servers.set('off', await startApp({ ...common, name: 'tracing-off' }));
    servers.set('on', await startApp({ ...common, name: 'tracing-on', env: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_SERVICE_NAME: 'sessionary-bench' } }));
    const emails = Array.from({ length: LOGIN_CONNECTIONS }, (_, i) => `tracing${i}.${runId}@example.com`);
    await register(servers.get('off')!.url, emails);
    const loginOpts = (c: Child) => loginLoad(c.url, emails);
    log(`scenario tracing: warm-up (${ROUNDS.warmupLogins} logins each), then ${ROUNDS.rounds} rounds of ${ROUNDS.seconds} s per server (before, off, on; order rotates)`);
    // Warm-up by count, not time: after 2-5 s (50-150 logins on the shared machine) a fresh server still spent
    // 2-5x the CPU per login of its later rounds (JIT, pools), which swamped the differences measured here.
    for (const v of VARIANTS) await cannon({ ...loginOpts(servers.get(v)!), amount: ROUNDS.warmupLogins });
    const spansBefore = sink.counts.spans;
    const load1 = (runState.loadAtStart = os.loadavg()[0]!);
    const rounds = new Map<Variant, Round[]>(VARIANTS.map((v) => [v, []]));
    for (let i = 0; i < ROUNDS.rounds; i++) {
      for (let k = 0; k < VARIANTS.length; k++) {
        if (runState.aborted) throw new Error('aborted');
        const v = VARIANTS[(i + k) % VARIANTS.length];
        const c = servers.get(v)!;
        const target = { serverPid: c.proc.pid!, databaseUrl: benchEnv.db!.url };
        const before = await sampleCpu(target);
        const r = await cannon({ ...loginOpts(c), duration: ROUNDS.seconds });
        const used = await cpuSince(target, before);
        rounds.get(v)!.push({
          rps: r.requests.average,
          p50: r.latency.p50,
          p99: r.latency.p99,
          cpu: r.requests.total > 0 ? used.server / r.requests.total : Number.NaN,
          pg: r.requests.total > 0 ? used.postgres / r.requests.total : Number.NaN,
          total: r.requests.total,
          errors: r.errors + r.timeouts,
          non2xx: r.non2xx,
          mismatches: r.mismatches,
        });
      }
    }
    const onLogins = rounds.get('on')!.reduce((n, r) => n + r.total, 0);
    const ratio = (a: Variant, b: Variant, key: 'rps' | 'cpu') => rounds.get(a)!.map((r, i) => r[key] / rounds.get(b)![i][key]);
    const fmt = (xs: number[]) => `${xs.map((x) => x.toFixed(3)).join(', ')} (median ${median(xs).toFixed(3)})`;
    const titles: Record<Variant, string> = {
      before: 'POST /api/auth/login (BCRYPT_COST=4), server as started before tracing',
      off: 'POST /api/auth/login (BCRYPT_COST=4), tracing off (OTEL_EXPORTER_OTLP_ENDPOINT unset)',
      on: 'POST /api/auth/login (BCRYPT_COST=4), tracing on (OTLP/HTTP JSON to a counting sink)',
    };
    return VARIANTS.map((v) => {
      const rs = rounds.get(v)!;
      const notes = [`medians of ${ROUNDS.rounds} alternating rounds of ${ROUNDS.seconds} s; req/s per round ${rs.map((r) => r.rps.toFixed(0)).join(', ')}; server CPU ms/login ${rs.map((r) => r.cpu.toFixed(2)).join(', ')}`];
      if (v === 'off') notes.push(`off/before per round: req/s ${fmt(ratio('off', 'before', 'rps'))}; server CPU per login ${fmt(ratio('off', 'before', 'cpu'))}`);
      if (v === 'on') {
        notes.push(`on/off per round: req/s ${fmt(ratio('on', 'off', 'rps'))}; server CPU per login ${fmt(ratio('on', 'off', 'cpu'))}`);
        const spans = sink.counts.spans - spansBefore;
        notes.push(`the sink received ${spans} spans in the measured rounds, ${(spans / Math.max(1, onLogins)).toFixed(1)} per login (${sink.counts.requests} export requests, ${(sink.counts.bytes / 2 ** 20).toFixed(1)} MiB, warm-up included)`);
      }
      return {
        id: `tracing-${v}`,
        title: titles[v],
        connections: LOGIN_CONNECTIONS,
        rps: median(rs.map((r) => r.rps)),
        p50: median(rs.map((r) => r.p50)),
        p99: median(rs.map((r) => r.p99)),
        total: rs.reduce((n, r) => n + r.total, 0),
        errors: rs.reduce((n, r) => n + r.errors, 0),
        non2xx: rs.reduce((n, r) => n + r.non2xx, 0),
        mismatches: rs.reduce((n, r) => n + r.mismatches, 0),
        statusCodes: {},
        load1,
        cpu: { server: median(rs.map((r) => r.cpu)), postgres: median(rs.map((r) => r.pg)) },
        notes,
      };
    });
  } finally {
    for (const c of servers.values()) {
      await stopChild(c);
      const errs = errorLines(c);
      if (errs.count) log(`${c.name} logged ${errs.count} error line(s), first: ${errs.first}`);
    }
    await sink.close();
  }
}
