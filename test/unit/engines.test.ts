// `engines` must stay honest: the Node versions package.json claims are the ones CI runs (the machine's
// Node 20 and Node 24, see .ci/run) plus 22 in between, and every installed package must accept all of them.
// A dependency upgrade that drops Node 20 (cookie 2, eventsource-parser 4, dependency-cruiser 18 all did)
// fails here instead of as an EBADENGINE warning nobody reads.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import semver from 'semver';

const ROOT = new URL('../../', import.meta.url).pathname;

/** The oldest release of each Node line the range claims; CI runs 20 and 24. */
const CLAIMED = ['20.19.0', '22.13.0', '24.0.0'];

/** Installed packages that may ask for more, and why that is acceptable. */
const EXCEPTIONS: Record<string, string> = {
  '@prisma/streams-local': "only the Prisma CLI's `prisma dev` command (a local Prisma Postgres) uses it; nothing here runs it",
};

interface Manifest {
  name?: string;
  version?: string;
  engines?: { node?: string };
}

const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Manifest;

/** Every package under a node_modules tree, nested ones included. */
function installed(dir: string): { manifest: Manifest; path: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    if (name.startsWith('.')) return [];
    const path = join(dir, name);
    if (name.startsWith('@')) return installed(path);
    const file = join(path, 'package.json');
    if (!existsSync(file)) return [];
    return [{ manifest: read(file), path }, ...installed(join(path, 'node_modules'))];
  });
}

describe('Node versions (engines)', () => {
  const range = read(join(ROOT, 'package.json')).engines?.node ?? '';

  it('when package.json states its Node range, then it admits the versions CI runs and the one running now', () => {
    for (const version of CLAIMED) assert.ok(semver.satisfies(version, range), `${version} outside engines ${range}`);
    assert.ok(semver.satisfies(process.version, range), `this Node (${process.version}) is outside engines ${range}`);
    for (const workspace of ['backend/verifier', 'backend/web']) {
      const own = read(join(ROOT, workspace, 'package.json')).engines?.node;
      if (own) for (const version of CLAIMED) assert.ok(semver.satisfies(version, own), `${workspace}: ${version} outside ${own}`);
    }
  });

  it('when a package is installed, then its own engines accept every Node line the project claims', () => {
    const trees = [join(ROOT, 'node_modules'), join(ROOT, 'backend/web/node_modules'), join(ROOT, 'backend/verifier/node_modules')];
    const packages = trees.flatMap(installed);
    assert.ok(packages.length > 100, `only ${packages.length} packages found`);
    const refusing = packages
      .filter(({ manifest }) => manifest.engines?.node && !(manifest.name! in EXCEPTIONS))
      .filter(({ manifest }) => CLAIMED.some((v) => !semver.satisfies(v, manifest.engines!.node!)))
      .map(({ manifest }) => `${manifest.name}@${manifest.version} wants node ${manifest.engines!.node}`);
    assert.deepEqual([...new Set(refusing)], []);
  });
});
