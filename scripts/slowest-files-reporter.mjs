// A node:test reporter for run-tests.mjs, writing two things the runner's own output buries:
// - each file's time (the durations of its top-level tests and suites added up), for the ten slowest files;
// - each failed test or suite with its file and the error's message, for the reason a file failed. CI may keep
//   only the start and the end of a long log, and a failing `before` hook shows up in the middle as its suite's
//   error while every test under it reads only "cancelled".
// Process start and imports are not in a test's duration, so a file's wall time is a little longer.
// Both are also written to files as the run goes (SLOWEST_FILES_OUT, FAILED_TESTS_OUT, set by run-tests.mjs),
// which prints them once the runner has exited, whether or not this generator reached its end.
import { writeFileSync } from 'node:fs';

/** The innermost message of a failure: node wraps a test's own error in ERR_TEST_FAILURE with the cause. */
function reason(error) {
  let err = error;
  while (err && typeof err === 'object' && err.cause && err.code === 'ERR_TEST_FAILURE') err = err.cause;
  const text = err && typeof err === 'object' && 'message' in err ? String(err.message) : String(err);
  return text.split('\n').slice(0, 6).join('\n').slice(0, 1200);
}

export default async function* slowestFiles(source) {
  const perFile = new Map();
  const failed = [];
  const slowestOut = process.env.SLOWEST_FILES_OUT;
  const failedOut = process.env.FAILED_TESTS_OUT;
  for await (const event of source) {
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.nesting === 0 && event.data.file) {
      perFile.set(event.data.file, (perFile.get(event.data.file) ?? 0) + (event.data.details?.duration_ms ?? 0));
      if (slowestOut) writeFileSync(slowestOut, JSON.stringify([...perFile]));
    }
    // A test cancelled because its suite failed says nothing of its own; the suite's failure carries the reason.
    if (event.type === 'test:fail' && event.data.details?.error?.failureType !== 'cancelledByParent' && failed.length < 50) {
      const error = event.data.details?.error;
      failed.push({ file: event.data.file ?? '', name: event.data.name, failureType: error?.failureType ?? '', reason: reason(error) });
      if (failedOut) writeFileSync(failedOut, JSON.stringify(failed));
    }
  }
  if (slowestOut) return;
  const cwd = process.cwd();
  const slowest = [...perFile].sort((a, b) => b[1] - a[1]).slice(0, 10);
  if (slowest.length === 0) return;
  yield '\nslowest test files (sum of their top-level tests):\n';
  for (const [file, ms] of slowest) yield `  ${(ms / 1000).toFixed(1).padStart(7)} s  ${file.startsWith(cwd) ? file.slice(cwd.length + 1) : file}\n`;
}
