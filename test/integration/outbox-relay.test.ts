// Domain events leave through the AuditEvent outbox to the real NATS JetStream on 127.0.0.1:4222.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect, JSONCodec, AckPolicy, type NatsConnection } from 'nats';
import pg from 'pg';
import { TEST_NATS_URL, useTestApp, uniqueEmail, TEST_PASSWORD } from '../helpers/app';

const suffix = randomBytes(4).toString('hex');
const stream = `TEST_AUTH_EVENTS_${suffix}`;
const subjectPrefix = `test.${suffix}.auth.events`;

describe('NATS outbox relay', () => {
  const app = useTestApp({ nats: true, events: { stream, subjectPrefix } });
  let nc: NatsConnection;

  before(async () => {
    nc = await connect({ servers: TEST_NATS_URL, timeout: 2000, maxReconnectAttempts: 0 });
  });
  after(async () => {
    await (await nc.jetstreamManager()).streams.delete(stream).catch(() => undefined);
    await nc.close();
  });

  it('when a user registers and logs in, then both events reach JetStream once and are stamped published', async () => {
    const email = uniqueEmail('relay');
    const reg = await app.http.post('/api/auth/register').send({ email, password: TEST_PASSWORD });
    await app.http.post('/api/auth/login').send({ email, password: TEST_PASSWORD }).expect(200);
    const relay = app.container.relay!;
    // The timer may already have published them; flush until the outbox is empty.
    while ((await relay.flush()) > 0);

    const jsm = await nc.jetstreamManager();
    await jsm.consumers.add(stream, { durable_name: 'test', ack_policy: AckPolicy.None });
    const consumer = await nc.jetstream().consumers.get(stream, 'test');
    const codec = JSONCodec<{ id: string; type: string; userId: string; metadata: Record<string, unknown> }>();
    const seen: { subject: string; type: string; userId: string }[] = [];
    // Catalogue events double the messages; a loaded machine needs more than a second to deliver them all.
    const batch = await consumer.fetch({ max_messages: 10, expires: 3000 });
    for await (const m of batch) {
      const body = codec.decode(m.data);
      seen.push({ subject: m.subject, type: body.type, userId: body.userId });
    }
    // The catalogue events (USER_CREATED, ...) of the same rows travel beside them; this test is about the original subjects.
    const mine = seen.filter((e) => e.userId === reg.body.user.id && !e.subject.startsWith(`${subjectPrefix}.catalogue.`));
    assert.deepEqual(mine.map((e) => e.type).sort(), ['login.succeeded', 'user.registered']);
    assert.ok(mine.every((e) => e.subject === `${subjectPrefix}.${e.type}`));

    const db = new pg.Client({ connectionString: app.database.url });
    await db.connect();
    try {
      const { rows } = await db.query('SELECT count(*)::int AS n FROM "AuditEvent" WHERE "publishedAt" IS NULL');
      assert.equal(rows[0].n, 0);
      // A crash between publish and stamp re-sends: JetStream drops the duplicate by message id.
      await db.query('UPDATE "AuditEvent" SET "publishedAt" = NULL');
    } finally {
      await db.end();
    }
    const before = (await jsm.streams.info(stream)).state.messages;
    assert.ok((await relay.flush()) >= 2);
    assert.equal((await jsm.streams.info(stream)).state.messages, before);
  });
});
