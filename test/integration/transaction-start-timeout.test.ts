// A unit of work that cannot get a pool connection within its maxWait (every connection busy, or the client
// disconnecting at shutdown) fails with Prisma's P2028 "Unable to start a transaction in the given time". That
// is a busy or closing database, not a bug: the answer is 503 SERVICE_UNAVAILABLE with Retry-After, as for
// any other database outage, never a 500 logged as "unhandled error". Real PostgreSQL, real Prisma, a pool of
// one connection held by the test.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import supertest from 'supertest';
import { createDatabaseClients, type PrismaClient } from '../../backend/src/infrastructure/prisma/client';
import { PrismaUnitOfWork } from '../../backend/src/infrastructure/prisma/unit-of-work';
import { createLogger } from '../../backend/src/infrastructure/logger';
import { errorHandler } from '../../backend/src/http/errors';
import { MemoryTransport } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import type pg from 'pg';

describe('unit of work: no pool connection within maxWait', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  let pool: pg.Pool;

  before(async () => {
    db = await createTestDatabase();
    ({ prisma, pool } = createDatabaseClients(db.url, { poolMax: 1 }));
  });

  after(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  it('when every pool connection stays busy past maxWait, then the request answers 503 with Retry-After, not 500', async () => {
    const uow = new PrismaUnitOfWork(prisma, { maxWait: 200, timeout: 5_000 });
    const lines = new MemoryTransport();
    const app = express();
    app.post('/work', async (_req, res) => {
      await uow.run((r) => r.users.findByEmail('nobody@example.com'));
      res.json({ ok: true });
    });
    app.use(errorHandler(createLogger('debug', [lines])));

    const held = await pool.connect();
    let res: supertest.Response;
    try {
      res = await supertest(app).post('/work');
    } finally {
      held.release();
    }
    assert.equal(res.status, 503, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'SERVICE_UNAVAILABLE');
    assert.ok(Number(res.headers['retry-after']) >= 1);
    assert.deepEqual(lines.lines.filter((l) => l.includes('unhandled error')), []);
    assert.equal(lines.lines.filter((l) => l.includes('database unreachable')).length, 1);
    // Once the connection is free again, the same unit of work runs.
    await supertest(app).post('/work').expect(200);
  });
});
