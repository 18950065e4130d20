// Which requests the hot routes' fast path (backend/src/http/fast-path.ts) answers itself and which it leaves
// to the Express app: only the exact method and path of a hot route, with a body the lean reader takes.
// (test/http/fast-path.test.ts shows on the real app that both paths answer alike.)
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { createLogger } from '../../backend/src/infrastructure/logger';
import { errorAnswers } from '../../backend/src/http/errors';
import { fastPath } from '../../backend/src/http/fast-path';
import { sendJson, type HotRoute } from '../../backend/src/http/hot-route';
import { createMetrics } from '../../backend/src/http/metrics';
import { createRateLimits } from '../../backend/src/http/rate-limits';

describe('fast path: what it takes and what it leaves to Express', () => {
  let server: http.Server;
  let base = '';
  const routes: HotRoute[] = [
    { method: 'GET', path: '/hot', operationId: 'hot', handler: (req, res) => sendJson(req, res, 200, { by: 'fast', ip: req.ip }) },
    { method: 'POST', path: '/hot-body', operationId: 'hotBody', jsonBody: true, perIp: true, handler: (req, res) => sendJson(req, res, 200, { by: 'fast', body: req.body }) },
  ];
  const metrics = createMetrics();
  const limits = createRateLimits({ perIpPerMin: 1000, perAccountPerMin: 1000, redis: null, keyPrefix: 'unit:' });
  const logger = createLogger('error');
  const fallback = (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ by: 'express' }));
  };

  before(async () => {
    const listener = fastPath({
      routes,
      fallback,
      trust: () => false,
      cors: null,
      bodyLimitBytes: 16 * 1024,
      perIp: limits.perIpStep,
      errors: errorAnswers(logger),
      logger,
      metrics,
    });
    server = http.createServer(listener);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  function ask(method: string, path: string, headers: Record<string, string> = {}, body?: Buffer | Buffer[]): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: any }> {
    return new Promise((resolve, reject) => {
      const h = { ...headers };
      if (Buffer.isBuffer(body)) h['Content-Length'] = String(body.length);
      const req = http.request(`${base}${path}`, { method, headers: h }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : undefined }));
      });
      req.on('error', reject);
      if (Array.isArray(body)) for (const c of body) req.write(c);
      else if (body) req.write(body);
      req.end();
    });
  }
  const by = async (...args: Parameters<typeof ask>) => (await ask(...args)).body?.by;
  const json = { 'Content-Type': 'application/json' };

  it('when a GET names a hot path exactly, then the fast path answers, with the client address as Express would give it', async () => {
    const r = await ask('GET', '/hot');
    assert.equal(r.body.by, 'fast');
    assert.equal(r.body.ip, '127.0.0.1');
    assert.match(String(r.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
  });

  it('when the method, path or query differ in any way, then Express answers', async () => {
    assert.equal(await by('HEAD', '/hot'), undefined); // HEAD has no body: what matters is that it did not fail
    assert.equal(await by('GET', '/hot?x=1'), 'express');
    assert.equal(await by('GET', '/hot/'), 'express');
    assert.equal(await by('GET', '/HOT'), 'express');
    assert.equal(await by('POST', '/hot', json, Buffer.from('{}')), 'express');
    assert.equal(await by('GET', '/hot-body'), 'express');
    assert.equal(await by('OPTIONS', '/hot'), 'express');
    assert.equal(await by('GET', '/elsewhere'), 'express');
  });

  it('when a GET carries a body, then Express answers', async () => {
    assert.equal(await by('GET', '/hot', json, Buffer.from('{"a":1}')), 'express');
    // Node's client frames a GET body in chunks only when told to.
    assert.equal(await by('GET', '/hot', { ...json, 'Transfer-Encoding': 'chunked' }, [Buffer.from('{"a":'), Buffer.from('1}')]), 'express');
  });

  it('when the body is plain JSON within the limits, then the fast path reads it', async () => {
    const r = await ask('POST', '/hot-body', json, Buffer.from('{"a":1}'));
    assert.deepEqual(r.body, { by: 'fast', body: { a: 1 } });
    assert.equal(await by('POST', '/hot-body', { 'Content-Type': 'application/json; charset=utf-8' }, Buffer.from('{}')), 'fast');
    assert.equal(r.headers['ratelimit-limit'], '1000');
  });

  it('when the body is gzip, chunked, another charset or type, or past 8 KiB, then Express reads it', async () => {
    assert.equal(await by('POST', '/hot-body', { ...json, 'Content-Encoding': 'gzip' }, gzipSync('{}')), 'express');
    assert.equal(await by('POST', '/hot-body', json, [Buffer.from('{"a":'), Buffer.from('1}')]), 'express');
    assert.equal(await by('POST', '/hot-body', { 'Content-Type': 'application/json; charset=utf-16' }, Buffer.from('{}')), 'express');
    assert.equal(await by('POST', '/hot-body', { 'Content-Type': 'text/plain' }, Buffer.from('{}')), 'express');
    assert.equal(await by('POST', '/hot-body', {}, Buffer.from('{}')), 'express');
    assert.equal(await by('POST', '/hot-body', json, Buffer.from(JSON.stringify({ a: 'x'.repeat(9000) }))), 'express');
  });

  it('when the fast path fails a request, then the answer has the contract error shape and the same headers', async () => {
    const r = await ask('POST', '/hot-body', json, Buffer.from('{"a": '));
    assert.equal(r.status, 400);
    assert.deepEqual(r.body, { error: { code: 'VALIDATION_ERROR', message: 'Request body is not valid JSON', details: [{ field: 'body', message: 'Malformed JSON' }] } });
    assert.match(String(r.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
  });
});

describe('fast path: form routes (OAuth introspection) and what they leave to their Express router', () => {
  let server: http.Server;
  let base = '';
  const challenge = ['Cache-Control', 'no-store', 'WWW-Authenticate', 'Basic realm="test"'];
  const routes: HotRoute[] = [
    {
      method: 'POST',
      path: '/form',
      operationId: 'form',
      formBody: true,
      // A route's own error shape and headers, as the OAuth endpoints answer.
      errors: (err) => ({ status: 400, body: { error: 'invalid_request', error_description: String((err as { type?: string }).type) }, headers: challenge }),
      handler: (req, res) => sendJson(req, res, 200, { by: 'fast', body: req.body }),
    },
  ];
  const logger = createLogger('error');
  const fallback = (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ by: 'express' }));
  };

  before(async () => {
    const limits = createRateLimits({ perIpPerMin: 1000, perAccountPerMin: 1000, redis: null, keyPrefix: 'unit-form:' });
    const listener = fastPath({ routes, fallback, trust: null, cors: null, bodyLimitBytes: 16 * 1024, perIp: limits.perIpStep, errors: errorAnswers(logger), logger, metrics: createMetrics() });
    server = http.createServer(listener);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  function ask(headers: Record<string, string>, body: Buffer | Buffer[], path = '/form'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: any }> {
    return new Promise((resolve, reject) => {
      const h = { ...headers };
      if (Buffer.isBuffer(body)) h['Content-Length'] = String(body.length);
      const req = http.request(`${base}${path}`, { method: 'POST', headers: h }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : undefined }));
      });
      req.on('error', reject);
      if (Array.isArray(body)) for (const c of body) req.write(c);
      else req.write(body);
      req.end();
    });
  }
  const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
  const by = async (...args: Parameters<typeof ask>) => (await ask(...args)).body?.by;

  it('when the body is a plain utf-8 form of 1 byte to 8 KiB, then the fast path reads it as body-parser would', async () => {
    const r = await ask(form, Buffer.from('token=a+b%2Bc&hint=x&hint=y&k%5Bx%5D=1&bad=%zz&flag'));
    assert.deepEqual(r.body, { by: 'fast', body: { token: 'a b+c', hint: ['x', 'y'], 'k[x]': '1', bad: '%zz', flag: '' } });
    assert.equal(await by({ 'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8' }, Buffer.from('a=1')), 'fast');
    assert.equal(await by(form, Buffer.from(`a=${'x'.repeat(8190)}`)), 'fast');
  });

  it('when the body is empty, chunked, gzip, past 8 KiB, or of another charset or type, or the target has a query, then Express reads it', async () => {
    assert.equal(await by(form, Buffer.alloc(0)), 'express');
    assert.equal(await by(form, [Buffer.from('a='), Buffer.from('1')]), 'express');
    assert.equal(await by({ ...form, 'Content-Encoding': 'gzip' }, gzipSync('a=1')), 'express');
    assert.equal(await by(form, Buffer.from(`a=${'x'.repeat(8191)}`)), 'express');
    assert.equal(await by({ 'Content-Type': 'application/x-www-form-urlencoded; charset=iso-8859-1' }, Buffer.from('a=1')), 'express');
    assert.equal(await by({ 'Content-Type': 'application/json' }, Buffer.from('{"a":1}')), 'express');
    assert.equal(await by({}, Buffer.from('a=1')), 'express');
    assert.equal(await by(form, Buffer.from('a=1'), '/form?x=1'), 'express');
  });

  it('when a form body has more than 20 fields, then the route answers with its own error mapping and headers', async () => {
    const r = await ask(form, Buffer.from(Array.from({ length: 21 }, (_, i) => `f${i}=x`).join('&')));
    assert.equal(r.status, 400);
    assert.deepEqual(r.body, { error: 'invalid_request', error_description: 'parameters.too.many' });
    assert.equal(r.headers['www-authenticate'], 'Basic realm="test"');
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.match(String(r.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal((await ask(form, Buffer.from(Array.from({ length: 20 }, (_, i) => `f${i}=x`).join('&')))).body.by, 'fast');
  });
});
