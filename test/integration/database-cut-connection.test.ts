// A connection cut by a PostgreSQL restart can be handed out once more before the pool drops it; pg then
// fails the query with "Client has encountered a connection error and is not queryable". The chaos soak
// (issue 32) saw that answered as a 500; it is an outage like any other: 503 with Retry-After.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { errorAnswers } from '../../backend/src/http/errors';
import { createLogger } from '../../backend/src/infrastructure/logger';
import { MemoryTransport } from '../helpers/app';
import { adminUrl } from '../helpers/database';
import { waitFor } from '../helpers/own-servers';

describe('a query on a connection PostgreSQL cut', () => {
  let victim: pg.Client;
  let admin: pg.Client;
  before(async () => {
    victim = new pg.Client({ connectionString: adminUrl() });
    admin = new pg.Client({ connectionString: adminUrl() });
    await Promise.all([victim.connect(), admin.connect()]);
  });
  after(async () => {
    await victim.end().catch(() => undefined);
    await admin.end();
  });

  it('when the connection was cut and the client is used again, then the error is answered 503 with Retry-After, not 500', async () => {
    let cut = false;
    victim.on('error', () => (cut = true));
    const pid = (await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await waitFor('the client to see its connection cut', () => cut, 10_000);
    const err = await victim.query('SELECT 1').then(() => null, (e: unknown) => e);
    assert.match(String((err as Error)?.message), /not queryable/);
    const lines = new MemoryTransport();
    const answer = errorAnswers(createLogger('debug', [lines]))(err, { id: 'r1', method: 'POST', path: '/api/auth/login' });
    assert.equal(answer.status, 503);
    assert.equal(answer.body.error.code, 'SERVICE_UNAVAILABLE');
    assert.ok((answer.retryAfterSeconds ?? 0) >= 1);
  });
});
