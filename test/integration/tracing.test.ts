// OpenTelemetry tracing (issue 30): `npm start` with OTEL_EXPORTER_OTLP_ENDPOINT set exports one trace per
// request, HTTP span → domain span → PostgreSQL (and Redis) spans. The server runs in a child process because
// the instrumentations patch modules for the whole process; the collector is a node:http OTLP/HTTP receiver
// here that decodes the JSON the exporter sends.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { TEST_PASSWORD, uniqueEmail } from '../helpers/app';
import { waitFor } from '../helpers/wait';

const REDIS_URL = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: { stringValue?: string; intValue?: number | string } }[];
}
interface ExportedSpan extends OtlpSpan {
  scope: string;
  service: string | undefined;
}
interface OtlpRequest {
  resourceSpans: {
    resource?: { attributes?: OtlpSpan['attributes'] };
    scopeSpans: { scope?: { name: string }; spans: OtlpSpan[] }[];
  }[];
}

const SPAN_KIND_SERVER = 2;
const attr = (span: OtlpSpan, key: string) => span.attributes?.find((a) => a.key === key)?.value.stringValue;

describe('tracing with OTEL_EXPORTER_OTLP_ENDPOINT set', () => {
  let db: TestDatabase;
  let child: ChildProcess;
  let collector: Server;
  let base: string;
  const spans: ExportedSpan[] = [];
  const paths: string[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'auth-tracing-'));

  before(async () => {
    collector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        paths.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
        if (req.url === '/v1/traces') {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpRequest;
          for (const rs of body.resourceSpans) {
            const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue;
            for (const ss of rs.scopeSpans) for (const s of ss.spans) spans.push({ ...s, scope: ss.scope?.name ?? '', service });
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
    const collectorPort = (collector.address() as { port: number }).port;

    db = await createTestDatabase();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['--import', 'tsx', 'backend/src/main.ts'], {
      env: {
        ...process.env, PORT: String(port), DATABASE_URL: db.url, REDIS_URL, DATA_DIR: dataDir, BCRYPT_COST: '4', BCRYPT_WORKERS: '0',
        LOG_LEVEL: 'warn', JWT_ISSUER: `tracing-${randomBytes(4).toString('hex')}`,
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collectorPort}`, OTEL_SERVICE_NAME: 'sessionary-test',
        // Export within a fifth of a second instead of the default five.
        OTEL_BSP_SCHEDULE_DELAY: '200',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitFor('the traced server to start', async () => {
      try {
        return (await fetch(`${base}/health`)).ok;
      } catch {
        return false;
      }
    }, (up) => up, { timeoutMs: 60_000, intervalMs: 100 });
  });

  after(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await new Promise((r) => collector?.close(r));
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('when a user logs in, then one trace holds the HTTP span, the AuthService.login span under it and pg query spans under that', async () => {
    const json = { 'content-type': 'application/json' };
    const email = uniqueEmail('tracing');
    assert.equal((await fetch(`${base}/api/auth/register`, { method: 'POST', headers: json, body: JSON.stringify({ email, password: TEST_PASSWORD }) })).status, 201);
    const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: json, body: JSON.stringify({ email, password: TEST_PASSWORD }) });
    assert.equal(login.status, 200);

    const isLoginServerSpan = (s: OtlpSpan) => s.kind === SPAN_KIND_SERVER && (attr(s, 'url.path') ?? attr(s, 'http.target')) === '/api/auth/login';
    const byId = new Map<string, ExportedSpan>();
    const ancestors = (s: ExportedSpan): ExportedSpan[] => {
      const chain: ExportedSpan[] = [];
      for (let p = s.parentSpanId ? byId.get(s.parentSpanId) : undefined; p; p = p.parentSpanId ? byId.get(p.parentSpanId) : undefined) chain.push(p);
      return chain;
    };
    let trace: ExportedSpan[] = [];
    // The batch goes out every 200 ms; the login's last pg span may come in a later batch than its HTTP span.
    const complete = () => {
      const server = spans.find(isLoginServerSpan);
      if (!server) return false;
      trace = spans.filter((s) => s.traceId === server.traceId);
      for (const s of trace) byId.set(s.spanId, s);
      const domain = trace.find((s) => s.name === 'AuthService.login');
      return !!domain && trace.some((s) => s.scope.includes('instrumentation-pg') && ancestors(s).includes(domain));
    };
    await waitFor(`a complete login trace (spans so far: ${spans.length}; collector requests: ${paths.length})`, complete, (done) => done, { timeoutMs: 10_000 });

    const server = trace.find(isLoginServerSpan)!;
    const domain = trace.find((s) => s.name === 'AuthService.login')!;
    assert.equal(server.service, 'sessionary-test');
    assert.ok(ancestors(domain).includes(server), 'AuthService.login runs under the HTTP server span');
    const queries = trace.filter((s) => s.scope.includes('instrumentation-pg') && ancestors(s).includes(domain));
    assert.ok(queries.some((s) => /SELECT/i.test(attr(s, 'db.query.text') ?? attr(s, 'db.statement') ?? s.name)), `a SELECT under the login span: ${queries.map((s) => s.name).join(', ')}`);
    // The rate limiters count the login in Redis (ioredis) within the same trace.
    assert.ok(trace.some((s) => s.scope.includes('instrumentation-ioredis')), `ioredis spans in the trace: ${[...new Set(trace.map((s) => s.scope))].join(', ')}`);
  });

  it('when a request carries a W3C traceparent, then its server span continues that trace under the caller\'s span', async () => {
    const traceId = randomBytes(16).toString('hex');
    const parentSpanId = randomBytes(8).toString('hex');
    const email = uniqueEmail('traceparent');
    const res = await fetch(`${base}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${parentSpanId}-01` },
      body: JSON.stringify({ email, password: TEST_PASSWORD }),
    });
    assert.equal(res.status, 201);
    const server = await waitFor('the register span in the caller\'s trace', () => spans.find((s) => s.traceId === traceId && s.kind === SPAN_KIND_SERVER), (s) => !!s, { timeoutMs: 10_000 });
    assert.equal(server!.parentSpanId, parentSpanId);
    assert.equal(attr(server!, 'url.path') ?? attr(server!, 'http.target'), '/api/auth/register');
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
