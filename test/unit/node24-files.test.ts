// test/node24-files.txt names what .ci/run runs again on Node 24. A renamed or deleted file would silently
// drop out of that run (run-tests.mjs matches substrings), so every line must still name a test file.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return testFiles(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('the Node 24 file list of CI', () => {
  const lines = readFileSync('test/node24-files.txt', 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const files = [...testFiles('test'), ...testFiles('backend/verifier/test')];

  it('when .ci/run runs the Node 24 pass, then it reads this list', () => {
    assert.match(readFileSync('.ci/run', 'utf8'), /node@24 scripts\/run-tests\.mjs \$\(cat test\/node24-files\.txt/);
  });

  it('when a line names test files, then at least one test file matches it', () => {
    assert.ok(lines.length > 10);
    for (const line of lines) assert.ok(files.some((f) => f.includes(line)), `test/node24-files.txt: "${line}" matches no test file`);
  });
});
