// named-statement.ts writes pg's private per-connection fields: it is only sound on the pg release it was
// written against. package.json pins that release exactly, and this test fails when anything else is
// installed (a loosened range, a lockfile refresh, a dependency pulling another pg to the top).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { PG_VERSION_WRITTEN_FOR } from '../../backend/src/infrastructure/prisma/named-statement';

const require = createRequire(import.meta.url);
const root = new URL('../../', import.meta.url);

describe('pg pin', () => {
  it('when pg is installed, then it is exactly the release named-statement.ts was written for', () => {
    const installed = (require('pg/package.json') as { version: string }).version;
    assert.equal(installed, PG_VERSION_WRITTEN_FOR, `pg ${installed} is installed; named-statement.ts was written for ${PG_VERSION_WRITTEN_FOR}: check pg's Connection fields, then move the pin`);
  });

  it('when package.json and the lockfile name pg, then both pin that exact version (no range)', () => {
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { dependencies: Record<string, string> };
    const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as { packages: Record<string, { version?: string; dependencies?: Record<string, string> }> };
    assert.equal(pkg.dependencies.pg, PG_VERSION_WRITTEN_FOR);
    assert.equal(lock.packages['']?.dependencies?.pg, PG_VERSION_WRITTEN_FOR);
    assert.equal(lock.packages['node_modules/pg']?.version, PG_VERSION_WRITTEN_FOR);
  });

  it('when a pg connection is made, then it has the private fields named-statement.ts reads and writes', () => {
    const connection = new pg.Client().connection as unknown as Record<string, unknown>;
    for (const field of ['parsedStatements', 'submittedNamedStatements']) assert.equal(typeof connection[field], 'object', field);
    for (const method of ['parse', 'bind', 'execute', 'sync', 'sendCopyFail']) assert.equal(typeof connection[method], 'function', method);
  });
});
