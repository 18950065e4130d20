// docker-compose.yml is the documented production-like path (`docker compose up`), but nothing here runs a
// container engine. So the file is checked as far as it can be without one: its shape (the services the
// README promises, health checks, start order), that every variable it gives the app is a configuration key
// that loads, and Compose's own validation (`docker-compose config`) where that tool is installed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { describeConfig, loadConfig } from '../../backend/src/config';

const FILE = new URL('../../docker-compose.yml', import.meta.url).pathname;

interface Service {
  image?: string;
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  depends_on?: Record<string, { condition?: string }> | string[];
}

const compose = parse(readFileSync(FILE, 'utf8')) as { services: Record<string, Service> };
const services = compose.services;

/** Compose allows both `KEY: value` and `- KEY=value`. */
function environment(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) return Object.fromEntries(env.map((e) => [e.split('=')[0], e.slice(e.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

/** `docker-compose` (v1, Debian's package) or `docker compose` (v2 plugin), whichever works here. */
function composeCommand(): string[] | null {
  for (const cmd of [['docker-compose'], ['docker', 'compose']]) {
    const probe = spawnSync(cmd[0], [...cmd.slice(1), 'version'], { encoding: 'utf8' });
    if (probe.status === 0) return cmd;
  }
  return null;
}

function composeConfig(cmd: string[], file: string) {
  // No engine is needed to validate; COMPOSE_* variables from the caller's shell must not change the result.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('COMPOSE_')));
  return spawnSync(cmd[0], [...cmd.slice(1), '-f', file, 'config', '-q'], { encoding: 'utf8', env, timeout: 60_000 });
}

describe('docker-compose.yml', () => {
  it('when parsed, then it has PostgreSQL, Redis, NATS with JetStream and the app, each with a health check', () => {
    assert.deepEqual(Object.keys(services).sort(), ['app', 'nats', 'postgres', 'redis']);
    assert.match(services.postgres.image ?? '', /^postgres:\d+/);
    assert.match(services.redis.image ?? '', /^redis:\d+/);
    assert.match(services.nats.image ?? '', /^nats:\d+/);
    assert.ok([services.nats.command ?? []].flat().join(' ').split(' ').includes('-js'), 'NATS runs with JetStream (-js)');
    for (const [name, service] of Object.entries(services)) {
      const test = [service.healthcheck?.test ?? []].flat();
      assert.ok(test.length > 0 && test[0] !== 'NONE' && !service.healthcheck?.disable, `${name} has a health check`);
    }
  });

  it('when the app starts, then it waits for the other three to be healthy and runs on a Node version CI tests', () => {
    const dependsOn = services.app.depends_on;
    assert.ok(dependsOn && !Array.isArray(dependsOn), 'depends_on with conditions');
    for (const name of ['postgres', 'redis', 'nats']) assert.equal(dependsOn[name]?.condition, 'service_healthy', name);
    // Built from docs/ops/Dockerfile, whose stages run on a Node version CI tests (issue 30).
    const build = (services.app as Service & { build?: { context?: string; dockerfile?: string } }).build;
    assert.equal(build?.dockerfile, 'docs/ops/Dockerfile');
    const froms = [...readFileSync(new URL('../../docs/ops/Dockerfile', import.meta.url), 'utf8').matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    assert.ok(froms.length > 0 && froms.every((image) => /^node:(20|24)\b/.test(image)), froms.join(', '));
    // It waits for readiness, not mere liveness.
    assert.match([services.app.healthcheck?.test ?? []].flat().join(' '), /\/ready/);
  });

  it('when the app service sets a variable, then it is a configuration key, and together they load as a cluster on the other services', () => {
    const env = environment(services.app);
    const known = new Set(describeConfig().map((row) => row.env));
    assert.deepEqual(Object.keys(env).filter((name) => !known.has(name)), [], 'variables backend/src/config.ts does not know');
    const config = loadConfig(env);
    assert.ok(config.runtime.clusterWorkers > 1, 'CLUSTER_WORKERS runs several workers');
    assert.equal(new URL(config.database.url!).hostname, 'postgres');
    assert.equal(new URL(config.redis.url!).hostname, 'redis');
    assert.equal(new URL(config.nats.url!).hostname, 'nats');
    assert.equal(config.http.port, 3000);
  });

  it('when docker-compose is installed, then `docker-compose config` accepts the file and refuses a broken copy', (t) => {
    const cmd = composeCommand();
    if (!cmd) {
      t.skip('neither docker-compose nor docker compose is installed (.ci/run installs docker-compose)');
      return;
    }
    const ok = composeConfig(cmd, FILE);
    assert.equal(ok.status, 0, `${cmd.join(' ')} config: ${ok.stderr}`);
    // The check can fail: the same file with one misspelt option is refused.
    const dir = mkdtempSync(join(tmpdir(), 'compose-'));
    try {
      const broken = join(dir, 'docker-compose.yml');
      writeFileSync(broken, readFileSync(FILE, 'utf8').replace('    healthcheck:\n', '    healthchek:\n'));
      const refused = composeConfig(cmd, broken);
      assert.notEqual(refused.status, 0);
      assert.match(refused.stderr, /healthchek/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
