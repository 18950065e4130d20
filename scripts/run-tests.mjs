// `npm test`: type-check, then every test/**/*.test.ts and backend/verifier/test/**/*.test.ts with node's test runner (tsx for TypeScript).
// Node 20's --test does not expand globs, so the files are listed here.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism, tmpdir } from 'node:os';

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
const timeoutMs = Number(process.env.TEST_FILE_TIMEOUT_MS || 5 * 60_000);
// Files run in parallel, each in its own process. Most of a file's time is spent waiting (PostgreSQL, Redis,
// NATS, timers), so twice the core count keeps the CPUs busy without the contention that makes the timing
// tests noisy (docs/testing.md has the measurements). TEST_CONCURRENCY overrides it.
const concurrency = Number(process.env.TEST_CONCURRENCY) || availableParallelism() * 2;
// The runner's usual output (tap on Node 20 when piped, spec from Node 23), plus the slowest files at the end.
const reporter = Number(process.versions.node.split('.')[0]) >= 23 ? 'spec' : 'tap';
const reporters = ['--test-reporter', reporter, '--test-reporter-destination', 'stdout', '--test-reporter', './scripts/slowest-files-reporter.mjs', '--test-reporter-destination', 'stdout'];
// No --test-force-exit: a file whose process outlives its tests has leaked a handle, and the file timeout
// says so. (It was on for a while, hiding one: test/helpers/services.ts's reachability probe half-closed its
// socket with end(), and a peer that never closed its side kept test/http/readiness.test.ts alive; later a NATS
// connection drained between reconnect attempts stayed open: test/integration/nats-shutdown.test.ts.)
const outDir = mkdtempSync(join(tmpdir(), 'run-tests-'));
const slowestOut = join(outDir, 'slowest.json');
const failedOut = join(outDir, 'failed.json');
const child = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, `--test-timeout=${timeoutMs}`, ...reporters, ...files], {
  stdio: ['inherit', 'pipe', 'pipe'],
  env: { ...process.env, NODE_ENV: 'test', SLOWEST_FILES_OUT: slowestOut, FAILED_TESTS_OUT: failedOut },
});

// A file can fail with every test in it passing: an error thrown after a test ended (an unhandled rejection,
// an uncaught exception) sets the file's exit code, and the runner reports only "test failed" for the file at
// the end, with the cause printed somewhere in the middle of a long log. CI may keep only the log's end, so
// such lines are collected and repeated after the run when it failed.
const telling = /asynchronous activity after the test ended|unhandledRejection|uncaughtException|Unhandled error event|exitCode|signal: '/;
const kept = [];
function forward(stream, out) {
  let partial = '';
  stream.on('data', (chunk) => {
    out.write(chunk);
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (telling.test(line) && kept.length < 40) kept.push(line.slice(0, 1000));
  });
}
forward(child.stdout, process.stdout);
forward(child.stderr, process.stderr);
/** The ten slowest files (sum of their top-level tests), from what the reporter wrote as the run went. */
function printSlowest() {
  if (!existsSync(slowestOut)) return;
  const cwd = process.cwd();
  const slowest = JSON.parse(readFileSync(slowestOut, 'utf8')).sort((a, b) => b[1] - a[1]).slice(0, 10);
  console.log('\nslowest test files (sum of their top-level tests):');
  for (const [file, ms] of slowest) console.log(`  ${(ms / 1000).toFixed(1).padStart(7)} s  ${file.startsWith(cwd) ? file.slice(cwd.length + 1) : file}`);
}

/** Every failed test or suite with its file and reason (a failed hook's suite included), after the run. */
function printFailed() {
  if (!existsSync(failedOut)) return;
  const cwd = process.cwd();
  console.log('\nfailed tests and suites, with the reason:');
  for (const { file, name, failureType, reason } of JSON.parse(readFileSync(failedOut, 'utf8'))) {
    console.log(`  ${file.startsWith(cwd) ? file.slice(cwd.length + 1) : file}: ${name}${failureType ? ` [${failureType}]` : ''}`);
    for (const line of reason.split('\n')) console.log(`      ${line}`);
  }
}

child.on('close', (code, signal) => {
  printSlowest();
  printFailed();
  if (code !== 0 && kept.length) {
    console.log('\nrun-tests: lines that may explain a failed file (repeated from above):');
    for (const line of kept) console.log(`  ${line.trim()}`);
  }
  process.exit(code ?? (signal ? 1 : 0));
});
