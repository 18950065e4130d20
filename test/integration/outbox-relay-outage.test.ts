// The outbox relay through a NATS outage longer than NATS's default reconnect budget (10 attempts): events
// written during the outage are published once NATS is back, without a restart. Its own nats-server (stopped
// and started here), its own database.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { connect } from 'nats';
import { createDatabaseClients, type PrismaClient } from '../../backend/src/infrastructure/prisma/client';
import { NatsOutboxRelay } from '../../backend/src/infrastructure/events/nats-outbox-relay';
import { createLogger } from '../../backend/src/infrastructure/logger';
import { MemoryTransport } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { ownNats, waitFor, type OwnNats } from '../helpers/own-servers';

describe('outbox relay: NATS outage', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  let nats: OwnNats;

  before(async () => {
    [db, nats] = await Promise.all([createTestDatabase(), ownNats()]);
    ({ prisma } = createDatabaseClients(db.url));
  });
  after(async () => {
    await prisma?.$disconnect();
    await nats?.remove();
    await db?.drop();
  });

  const event = () => prisma.auditEvent.create({ data: { id: randomUUID(), type: 'login.succeeded', metadata: {} } });
  const unpublished = () => prisma.auditEvent.count({ where: { publishedAt: null } });

  it('when NATS is down for longer than ten reconnect attempts, then events written meanwhile are published once it is back', async () => {
    const lines = new MemoryTransport();
    // 20 ms between attempts: ten attempts are spent in a fraction of the outage below.
    const relay = new NatsOutboxRelay(prisma, createLogger('debug', [lines]), { natsUrl: nats.url, stream: 'OUTAGE_TEST', subjectPrefix: 'outage.events', intervalMs: 100, reconnectTimeWaitMs: 20 });
    await relay.start();
    try {
      await event();
      await waitFor('the first event published', async () => (await unpublished()) === 0);

      await nats.stop();
      await event();
      await new Promise((r) => setTimeout(r, 1_500));
      assert.equal(await unpublished(), 1, 'nothing can be published while NATS is down');
      await nats.start();

      await waitFor('the event written during the outage published', async () => (await unpublished()) === 0, 20_000);
      const nc = await connect({ servers: nats.url });
      try {
        const info = await (await nc.jetstreamManager()).streams.info('OUTAGE_TEST');
        assert.equal(info.state.messages >= 2, true, `stream holds ${info.state.messages} messages`);
      } finally {
        await nc.close();
      }
    } finally {
      await relay.stop();
    }
  });
});
