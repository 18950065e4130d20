// Summarises a V8 .cpuprofile (from `node --cpu-prof`): top functions by self time, and self time grouped
// by where the code lives (app source, each npm package, Node internals, GC/idle).
// Usage: node --import tsx bench/profile-summary.ts <file.cpuprofile> [topN]
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native/V8)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  if (url.startsWith('node:')) return 'node internals';
  if (url.includes('/backend/src/')) return 'app (backend/src)';
  return url.replace(/^file:\/\//, '');
}

/**
 * `window` ([from, to] in µs of CLOCK_MONOTONIC, i.e. `process.hrtime.bigint() / 1000n` in any process on the
 * machine — V8 profile timestamps use the same clock on Linux) restricts the summary to samples taken then,
 * e.g. only the measured part of one scenario, leaving out start-up and seeding.
 */
export function summarise(file: string, top = 25, window?: [number, number]): string {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let t = p.startTime;
  let kept = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    t += dt;
    if (window && (t < window[0] || t > window[1])) continue;
    kept++;
    selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + dt);
  }
  if (window && kept === 0) return `profile ${file}: no samples inside the requested window (clock mismatch?)`;
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0) || 1;
  const idle = [...selfUs].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)').reduce((a, [, v]) => a + v, 0);
  const busy = total - idle || 1;

  const fns = new Map<string, number>();
  const areas = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const cf = byId.get(id)!.callFrame;
    const where = cf.url ? `${cf.url.replace(/^file:\/\/.*?\/(node_modules|backend)\//, '$1/')}:${cf.lineNumber + 1}` : '';
    const key = `${cf.functionName || '(anonymous)'}  ${where}`.trim();
    fns.set(key, (fns.get(key) ?? 0) + us);
    const a = area(cf.url, cf.functionName);
    areas.set(a, (areas.get(a) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)}%`;
  const lines: string[] = [];
  lines.push(
    `profile ${file}${window ? ' (measured window only)' : ''}: ${(total / 1e6).toFixed(1)} s sampled, ` +
      `${((100 * idle) / total).toFixed(1)}% idle; percentages below are of non-idle time`,
  );
  lines.push('', 'self time by area:');
  for (const [a, us] of [...areas].filter(([a]) => a !== '(idle)').sort((x, y) => y[1] - x[1]).slice(0, 15)) lines.push(`  ${pct(us)}  ${a}`);
  lines.push('', `top ${top} functions by self time:`);
  for (const [k, us] of [...fns].filter(([k]) => !k.startsWith('(idle)')).sort((x, y) => y[1] - x[1]).slice(0, top)) lines.push(`  ${pct(us)}  ${k}`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, n, from, to] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node --import tsx bench/profile-summary.ts <file.cpuprofile> [topN] [fromUs toUs]');
    process.exit(2);
  }
  console.log(summarise(file, n ? Number(n) : 25, from && to ? [Number(from), Number(to)] : undefined));
}
