// A node:test reporter for run-tests.mjs: adds up the durations of each file's top-level tests and suites
// and, at the end of the run, prints the ten slowest files (where a faster suite has most to gain).
// Process start and imports are not in a test's duration, so a file's wall time is a little longer.
// With --test-force-exit the runner may exit before this generator reaches its end, so the running totals are
// also written to SLOWEST_FILES_OUT (set by run-tests.mjs), which prints them once the runner has exited.
import { writeFileSync } from 'node:fs';

export default async function* slowestFiles(source) {
  const perFile = new Map();
  const out = process.env.SLOWEST_FILES_OUT;
  for await (const event of source) {
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.nesting === 0 && event.data.file) {
      perFile.set(event.data.file, (perFile.get(event.data.file) ?? 0) + (event.data.details?.duration_ms ?? 0));
      if (out) writeFileSync(out, JSON.stringify([...perFile]));
    }
  }
  if (out) return;
  const cwd = process.cwd();
  const slowest = [...perFile].sort((a, b) => b[1] - a[1]).slice(0, 10);
  if (slowest.length === 0) return;
  yield '\nslowest test files (sum of their top-level tests):\n';
  for (const [file, ms] of slowest) yield `  ${(ms / 1000).toFixed(1).padStart(7)} s  ${file.startsWith(cwd) ? file.slice(cwd.length + 1) : file}\n`;
}
