// docs/ops/Dockerfile (issue 30), checked without a container engine: its stages' shape (production
// dependencies only, non-root final stage, NODE_ENV=production, a HEALTHCHECK on readiness), that every path
// it copies exists after `npm run build`, and that the compiled server starts — and serves sign-in, the docs
// page and the web app — from a directory laid out as the final stage lays it out. This is also the suite's
// smoke test of the compiled build (`npm run start:prod` runs the same file).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { waitFor } from '../helpers/own-servers';
import { TEST_PASSWORD } from '../fakes/passwords';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..', '..');
const DOCKERFILE = join(ROOT, 'docs', 'ops', 'Dockerfile');

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  image: string;
  name: string | null;
  body: Instruction[];
}

/** The Dockerfile's stages and their instructions (continuation lines joined, comments dropped). */
function stages(): Stage[] {
  const lines = readFileSync(DOCKERFILE, 'utf8').replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const out: Stage[] = [];
  for (const line of lines) {
    const [op, ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (op === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(args)!;
      out.push({ image: m[1], name: m[2] ?? null, body: [] });
    } else out.at(-1)?.body.push({ op: op.toUpperCase(), args });
  }
  return out;
}

interface Copy {
  from: string | null;
  sources: string[];
  dest: string;
}
const copies = (stage: Stage): Copy[] =>
  stage.body
    .filter((i) => i.op === 'COPY')
    .map((i) => {
      const words = i.args.split(/\s+/);
      const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length) ?? null;
      const paths = words.filter((w) => !w.startsWith('--'));
      return { from, sources: paths.slice(0, -1), dest: paths.at(-1)! };
    });

/** Where a path of the build stage's /app is in this checkout (the build stage copies the repository to /app). */
const inCheckout = (path: string) => join(ROOT, path.replace(/^\/app\/?/, ''));

describe('docs/ops/Dockerfile', () => {
  const all = stages();
  const final = all.at(-1)!;

  before(() => {
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, `npm run build: ${build.stderr}`);
  });

  it('when read, then it builds in one stage, installs production dependencies only in another, and the final stage runs as a non-root user with NODE_ENV=production and a readiness HEALTHCHECK', () => {
    assert.ok(all.length >= 3, 'multi-stage');
    const deps = all.find((s) => s.name === 'deps')!;
    assert.ok(deps.body.some((i) => i.op === 'RUN' && /npm ci\b.*--omit=dev/.test(i.args)), 'deps: npm ci --omit=dev');
    assert.ok(all.find((s) => s.name === 'build')!.body.some((i) => i.op === 'RUN' && /npm run build/.test(i.args)));
    const users = final.body.filter((i) => i.op === 'USER');
    assert.ok(users.length > 0, 'the final stage sets USER');
    assert.doesNotMatch(users.at(-1)!.args, /^(root|0)(:|$)/);
    const userAt = final.body.lastIndexOf(users.at(-1)!);
    assert.ok(final.body.findIndex((i) => i.op === 'CMD') > userAt, 'CMD runs after USER');
    assert.ok(!final.body.slice(userAt + 1).some((i) => i.op === 'USER'), 'nothing switches back');
    assert.ok(final.body.some((i) => i.op === 'ENV' && /\bNODE_ENV=production\b/.test(i.args)));
    assert.match(final.body.find((i) => i.op === 'HEALTHCHECK')?.args ?? '', /\/ready/);
    // The final stage copies only from earlier stages (never the whole context) and installs nothing.
    assert.ok(copies(final).every((c) => c.from === 'build' || c.from === 'deps'));
    assert.ok(!final.body.some((i) => i.op === 'RUN' && /npm (ci|install)/.test(i.args)));
  });

  it('when built, then every path a stage copies exists (from the context, or from the build stage after npm run build)', () => {
    for (const stage of all) {
      for (const c of copies(stage)) {
        if (c.from === 'deps') continue; // node_modules, made by npm ci in that stage
        for (const src of c.sources) assert.ok(existsSync(c.from === 'build' ? inCheckout(src) : join(ROOT, src)), `${stage.name ?? 'final'}: COPY ${src}`);
      }
    }
  });

  describe('the compiled server in the image layout', () => {
    let dir: string;
    let db: TestDatabase;
    let child: ChildProcess | null = null;
    let url = '';
    let output = '';
    before(async () => {
      db = await createTestDatabase();
      dir = mkdtempSync(join(tmpdir(), 'image-layout-'));
      const workdir = final.body.filter((i) => i.op === 'WORKDIR').at(-1)!.args;
      for (const c of copies(final)) {
        const dest = join(dir, resolve(workdir, c.dest).replace(/^\/app\/?/, ''));
        mkdirSync(dirname(dest), { recursive: true });
        // Production node_modules are those of this checkout (a superset): linked, not copied.
        if (c.from === 'deps') symlinkSync(join(ROOT, 'node_modules'), dest, 'dir');
        else for (const src of c.sources) cpSync(inCheckout(src), dest, { recursive: true });
      }
      const cmd = JSON.parse(final.body.find((i) => i.op === 'CMD')!.args) as string[];
      assert.equal(cmd[0], 'node');
      const env = Object.fromEntries(final.body.filter((i) => i.op === 'ENV').flatMap((i) => i.args.split(/\s+/).map((kv) => kv.split('='))));
      child = spawn(process.execPath, cmd.slice(1), {
        cwd: dir,
        env: { PATH: process.env.PATH, ...env, PORT: '0', DATA_DIR: join(dir, 'data'), DATABASE_URL: db.url, LOG_LEVEL: 'info', BCRYPT_COST: '8' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      await waitFor('the compiled server to listen', () => {
        if (child?.exitCode !== null) throw new Error(`it exited: ${output.slice(-2000)}`);
        const m = /"message":"listening","port":(\d+)/.exec(output);
        if (m) url = `http://127.0.0.1:${m[1]}`;
        return !!m;
      }, 60_000);
    });
    after(async () => {
      if (child && child.exitCode === null) {
        child.kill('SIGKILL');
        await new Promise((r) => child!.once('exit', r));
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
      await db?.drop();
    });

    it('when started from the image layout, then it is ready, signs a user in, serves the docs page and the web app, and stops cleanly on SIGTERM', async () => {
      const ready = await fetch(`${url}/ready`);
      assert.equal(ready.status, 200);
      const body = (await ready.json()) as { status: string; version: string };
      assert.equal(body.status, 'healthy');
      assert.equal(body.version, (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
      const email = `image.${Date.now()}@example.test`;
      const post = (path: string, json: unknown) => fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) });
      assert.equal((await post('/api/auth/register', { email, password: TEST_PASSWORD })).status, 201);
      const login = await post('/api/auth/login', { email, password: TEST_PASSWORD });
      assert.equal(login.status, 200);
      assert.ok(((await login.json()) as { accessToken?: string }).accessToken);
      const docs = await fetch(`${url}/api/docs/`);
      assert.equal(docs.status, 200);
      assert.match(await docs.text(), /<html/i);
      const web = await fetch(`${url}/`);
      assert.equal(web.status, 200);
      assert.match(web.headers.get('content-type') ?? '', /text\/html/);
      assert.doesNotMatch(output, /tsx/);
      const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
      child!.kill('SIGTERM');
      assert.equal(await exited, 0, output.slice(-2000));
    });
  });
});
