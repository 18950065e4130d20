// `npm test`: type-check, then every test/**/*.test.ts and backend/verifier/test/**/*.test.ts with node's test runner (tsx for TypeScript).
// Node 20's --test does not expand globs, so the files are listed here.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return find(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const filters = process.argv.slice(2);
// The verifier package keeps its tests beside its code (backend/verifier/test).
const files = [...find('test'), ...find('backend/verifier/test')].filter((f) => filters.length === 0 || filters.some((x) => f.includes(x))).sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// A hang guard, not a speed target: no test file may run longer than this (a missing service fails fast
// on its own; this catches whatever still waits for ever). Generous because the machine may be shared.
const timeoutMs = Number(process.env.TEST_FILE_TIMEOUT_MS || 15 * 60_000);
const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', `--test-timeout=${timeoutMs}`, ...files], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } });
process.exit(run.status ?? 1);
