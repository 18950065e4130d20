// The hexagon's one hard rule, checked on every test run with dependency-cruiser: the domain imports
// nothing outside itself — no infrastructure, HTTP, feature modules or generated Prisma client, and none
// of the libraries that belong to adapters. Type-only imports count (tsPreCompilationDeps), since a type
// from Prisma or Express in a port would tie the domain to them just the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cruise, type IForbiddenRuleType, type IModule } from 'dependency-cruiser';

/** Libraries of the adapters: a domain file importing one of them is in the wrong layer. */
const ADAPTER_LIBRARIES = [
  'express', 'express-validator', 'cors', 'helmet', 'cookie', 'basic-auth', 'supertest',
  '@prisma', 'prisma', 'pg', '@electric-sql', 'ioredis', 'nats', 'rate-limiter-flexible',
  'jsonwebtoken', 'jose', 'bcrypt', 'otplib', 'qrcode', 'ua-parser-js', 'nodemailer', 'winston', 'prom-client',
];

/** Forbids `layer` (a folder of backend/src) from importing other source folders or adapter libraries. */
function selfContained(layer: string): IForbiddenRuleType[] {
  return [
    {
      name: `${layer}-imports-only-itself`,
      severity: 'error',
      from: { path: `^backend/src/${layer}/` },
      to: { path: '^backend/src/', pathNot: `^backend/src/${layer}/` },
    },
    {
      name: `${layer}-imports-no-adapter-library`,
      severity: 'error',
      from: { path: `^backend/src/${layer}/` },
      to: { path: `(^|/)node_modules/(${ADAPTER_LIBRARIES.join('|')})(/|$)` },
    },
  ];
}

/** One cruise of backend/src with the rule aimed at the domain and, as a control, at the HTTP kit. */
const cruised = (async () => {
  const result = await cruise(['backend/src'], {
    validate: true,
    ruleSet: { forbidden: [...selfContained('domain'), ...selfContained('http')] },
    tsPreCompilationDeps: true,
    // Follow nothing into node_modules: only the edge out of our code matters.
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^backend/src/generated/' },
  });
  if (typeof result.output === 'string') throw new Error('dependency-cruiser returned a report string, not a result');
  return result.output;
})();

async function violationsOf(layer: string) {
  const output = await cruised;
  const modules = output.modules.filter((m: IModule) => m.source.startsWith(`backend/src/${layer}/`));
  const violations = output.summary.violations.filter((v) => v.rule.name.startsWith(`${layer}-`)).map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
  return { modules, violations };
}

test('when the dependency graph is cruised, then the domain imports neither Express, Prisma, other adapters nor any other source folder', async () => {
  const { modules, violations } = await violationsOf('domain');
  assert.ok(modules.length >= 15, `the domain was cruised (${modules.length} files)`);
  assert.deepEqual(violations, []);
});

test('when the same rule is aimed at the HTTP kit (which rightly uses Express and the domain), then it reports violations, so the domain check is not vacuous', async () => {
  const { violations } = await violationsOf('http');
  assert.ok(violations.some((v) => v.startsWith('http-imports-only-itself: backend/src/http/') && v.includes('→ backend/src/domain/')), violations.join('\n'));
  assert.ok(violations.some((v) => v.startsWith('http-imports-no-adapter-library:') && v.includes('node_modules/express')), violations.join('\n'));
});
