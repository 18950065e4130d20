// The alerting rules and the Grafana dashboard in docs/ops (issue 30): promtool validates the rules and runs
// their unit tests, and every metric a rule or a dashboard query names is one the server really exports
// (read from /metrics of an app with Redis and NATS configured, so every conditional series exists).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { useTestApp } from '../helpers/app';
import { parseExposition } from '../helpers/prometheus-text';

const RULES = 'docs/ops/alerts.rules.yml';
const RULE_TESTS = 'docs/ops/alerts.test.yml';
const DASHBOARD = 'docs/ops/grafana-dashboard.json';

function promtool(...args: string[]) {
  const run = spawnSync('promtool', args, { encoding: 'utf8' });
  assert.ok(!run.error, `promtool runs (Debian package "prometheus"; .ci/run installs it): ${run.error?.message}`);
  return run;
}

const KEYWORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset']);

/** Metric names in a PromQL expression: identifiers outside label matchers and grouping lists, not called as functions. */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/"[^"]*"/g, ' ');
  return [...stripped.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)].map((m) => m[1]).filter((n) => !KEYWORDS.has(n) && !/^\d/.test(n));
}

const ruleExprs = (): string[] =>
  (parse(readFileSync(RULES, 'utf8')) as { groups: { rules: { expr: string }[] }[] }).groups.flatMap((g) => g.rules.map((r) => r.expr));
const dashboardExprs = (): string[] =>
  (JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: { targets?: { expr: string }[] }[] }).panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));

describe('Prometheus rules and Grafana dashboard', () => {
  const tag = Math.random().toString(36).slice(2, 8);
  const app = useTestApp({ redis: true, nats: true, events: { stream: `RULES_${tag}`, subjectPrefix: `rules.${tag}` }, natsSubjectPrefix: `rules.${tag}.` });

  it('when promtool checks the rules file, then it is valid', () => {
    const run = promtool('check', 'rules', RULES);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /SUCCESS: \d+ rules found/);
  });

  it('when promtool runs the rules unit tests, then every alert fires (and stays quiet) as expected', () => {
    const run = promtool('test', 'rules', RULE_TESTS);
    assert.equal(run.status, 0, run.stdout + run.stderr);
  });

  it('when the metric-name reader sees a query, then it keeps the metrics and drops functions, labels and keywords', () => {
    assert.deepEqual(metricNames('histogram_quantile(0.95, sum by (le, route) (rate(a_bucket{x="y"}[5m]))) > 0.2 and b == 0'), ['a_bucket', 'b']);
  });

  it('when every rule and dashboard query is read, then each metric it names is on /metrics', async () => {
    await app.http.post('/api/auth/login').send({ email: 'nobody@example.test', password: 'x-wrong-password-1' });
    const exported = new Set(parseExposition((await app.http.get('/metrics').expect(200)).text).map((s) => s.name));
    const queries = [...ruleExprs(), ...dashboardExprs()];
    assert.ok(dashboardExprs().length >= 10, 'the dashboard has its panels');
    const missing = new Set<string>();
    for (const q of queries) for (const name of metricNames(q)) if (!exported.has(name)) missing.add(`${name} (in ${q})`);
    assert.deepEqual([...missing], []);
  });
});
