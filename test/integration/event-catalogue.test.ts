// Catalogue events reach JetStream through the outbox, with Nats-Msg-Id = event id, beside the original subjects.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { AckPolicy, connect, type NatsConnection } from 'nats';
import pg from 'pg';
import { bearer, registerAndLogin, TEST_NATS_URL, useTestApp } from '../helpers/app';

describe('event catalogue over JetStream', () => {
  let nc: NatsConnection;
  const prefix = `test.${randomBytes(6).toString('hex')}.`;
  const stream = `TEST_CATALOGUE_${randomBytes(4).toString('hex')}`;
  const app = useTestApp({ nats: true, natsSubjectPrefix: prefix, events: { stream, subjectPrefix: `${prefix}auth.events` } });

  before(async () => {
    nc = await connect({ servers: TEST_NATS_URL });
  });
  after(async () => {
    await (await nc.jetstreamManager()).streams.delete(stream).catch(() => undefined);
    await nc.close();
  });

  async function drain(): Promise<{ subject: string; msgId: string | undefined; body: any }[]> {
    const relay = app.container.relay!;
    while ((await relay.flush()) > 0);
    const jsm = await nc.jetstreamManager();
    const name = `c${randomBytes(4).toString('hex')}`;
    await jsm.consumers.add(stream, { durable_name: name, ack_policy: AckPolicy.None });
    const consumer = await nc.jetstream().consumers.get(stream, name);
    const total = (await jsm.streams.info(stream)).state.messages;
    const out: { subject: string; msgId: string | undefined; body: any }[] = [];
    const batch = await consumer.fetch({ max_messages: total, expires: 2000 });
    for await (const m of batch) out.push({ subject: m.subject, msgId: m.headers?.get('Nats-Msg-Id'), body: m.json() });
    await jsm.consumers.delete(stream, name);
    return out;
  }

  it('when a user registers, logs in, changes password and logs out everywhere, then the catalogue events arrive once each', async () => {
    const user = await registerAndLogin(app);
    const other = await app.http.post('/api/auth/login').send({ email: user.email, password: user.password }).expect(200);
    await app.http.post('/api/user/change-password').set(bearer(user.accessToken)).send({ currentPassword: user.password, newPassword: 'violet-Canyon-42-drum' }).expect(200);
    await app.http.post('/api/auth/logout-all').set(bearer(user.accessToken)).expect(204);

    const messages = await drain();
    const mine = messages.filter((m) => m.body.userId === user.userId && !m.subject.startsWith(`${prefix}auth.events.`));
    assert.deepEqual(mine.map((m) => m.subject), ['USER_CREATED', 'USER_LOGGED_IN', 'USER_LOGGED_IN', 'auth.password.reset', 'USER_LOGGED_OUT'].map((n) => `${prefix}${n}`));
    for (const m of mine) {
      assert.equal(m.msgId, m.body.id, 'the event id is the JetStream message id');
      assert.equal(m.body.version, 1);
      assert.ok(!Number.isNaN(Date.parse(m.body.time)));
    }
    assert.equal(mine[0].body.data.email, user.email);
    assert.deepEqual(mine[3].body.data.revokedSessionIds, [other.body.sessionId]);
    assert.equal(mine[4].body.data.allDevices, true);
    assert.ok(messages.some((m) => m.subject === `${prefix}auth.events.user.registered` && m.body.userId === user.userId), 'the original subjects keep working');
    assert.doesNotMatch(JSON.stringify(mine), /refreshToken|accessToken|passwordHash|violet-Canyon/);

    // A crash between publishing and stamping: the same rows go out again and JetStream drops the copies.
    const before = (await (await nc.jetstreamManager()).streams.info(stream)).state.messages;
    const db = new pg.Client({ connectionString: app.database.url });
    await db.connect();
    await db.query('UPDATE "AuditEvent" SET "publishedAt" = NULL WHERE "userId" = $1', [user.userId]);
    await db.end();
    while ((await app.container.relay!.flush()) > 0);
    assert.equal((await (await nc.jetstreamManager()).streams.info(stream)).state.messages, before);
  });
});
