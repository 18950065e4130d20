// The NATS design's event names (issue 30) end to end over JetStream: the outbox relay publishes
// auth.user.registered, auth.registration.requested, auth.user.login, auth.user.logout (all_devices) and
// auth.password.reset with snake_case fields beside the catalogue, and NATS_EVENT_NAMES turns either set off.
// Each suite has its own stream and subject prefix on the shared NATS.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { AckPolicy, connect, type NatsConnection } from 'nats';
import { bearer, registerAndLogin, TEST_NATS_URL, uniqueEmail, useTestApp, TEST_PASSWORD, type TestApp } from '../helpers/app';

type Message = { subject: string; msgId: string | undefined; body: any };

function eventSuite(env: Record<string, string>) {
  const prefix = `test.${randomBytes(6).toString('hex')}.`;
  const stream = `TEST_DESIGN_${randomBytes(4).toString('hex')}`;
  let nc: NatsConnection;
  const app = useTestApp({ nats: true, env, natsSubjectPrefix: prefix, events: { stream, subjectPrefix: `${prefix}auth.events` } });
  before(async () => {
    nc = await connect({ servers: TEST_NATS_URL });
  });
  after(async () => {
    await (await nc.jetstreamManager()).streams.delete(stream).catch(() => undefined);
    await nc.close();
  });
  /** Everything in the suite's stream, once the relay has published all it has. */
  async function drain(): Promise<Message[]> {
    while ((await app.container.relay!.flush()) > 0);
    const jsm = await nc.jetstreamManager();
    const name = `c${randomBytes(4).toString('hex')}`;
    await jsm.consumers.add(stream, { durable_name: name, ack_policy: AckPolicy.None });
    const consumer = await nc.jetstream().consumers.get(stream, name);
    const total = (await jsm.streams.info(stream)).state.messages;
    const out: Message[] = [];
    for await (const m of await consumer.fetch({ max_messages: total, expires: 2000 })) out.push({ subject: m.subject, msgId: m.headers?.get('Nats-Msg-Id'), body: m.json() });
    await jsm.consumers.delete(stream, name);
    return out;
  }
  return { app, prefix, drain };
}

/** Every key of a JSON value, nested ones included. */
const keysOf = (v: unknown): string[] =>
  v && typeof v === 'object' ? Object.entries(v).flatMap(([k, x]) => (Array.isArray(v) ? keysOf(x) : [k, ...keysOf(x)])) : [];

async function journey(app: TestApp) {
  const user = await registerAndLogin(app);
  const second = await app.http.post('/api/auth/login').send({ email: user.email, password: user.password }).expect(200);
  await app.http.post('/api/auth/logout').set(bearer(second.body.accessToken)).expect(204);
  const third = await app.http.post('/api/auth/login').send({ email: user.email, password: user.password }).expect(200);
  await app.http.post('/api/user/change-password').set(bearer(user.accessToken)).send({ currentPassword: user.password, newPassword: 'violet-Canyon-42-drum' }).expect(200);
  await app.http.post('/api/auth/logout-all').set(bearer(user.accessToken)).expect(204);
  return { user, third };
}

describe('design event names beside the catalogue (NATS_EVENT_NAMES=both, the default)', () => {
  const { app, prefix, drain } = eventSuite({});

  it('when a user registers, signs in twice, signs out, changes password and signs out everywhere, then the design events arrive once each with snake_case fields', async () => {
    const { user, third } = await journey(app);
    const messages = await drain();
    const design = messages.filter((m) => m.subject.startsWith(`${prefix}auth.`) && !m.subject.startsWith(`${prefix}auth.events.`) && (m.body.user_id ?? m.body.userId) === user.userId);
    assert.deepEqual(design.map((m) => m.subject.slice(prefix.length)), [
      'auth.user.registered', 'auth.user.login', 'auth.user.login', 'auth.user.logout', 'auth.user.login', 'auth.password.reset', 'auth.user.logout',
    ]);
    for (const m of design) {
      assert.equal(m.msgId, m.body.id, 'the event id is the JetStream message id');
      assert.ok(!Number.isNaN(Date.parse(m.body.occurred_at)));
      // auth.password.reset is also a catalogue name: one message, with the catalogue's fields and the design's.
      const keys = m.subject.endsWith('auth.password.reset') ? keysOf(m.body).filter((k) => !['userId', 'time', 'keptSessionId', 'revokedSessionIds'].includes(k)) : keysOf(m.body);
      for (const k of keys) assert.match(k, /^[a-z0-9]+(_[a-z0-9]+)*$/, `${m.subject}: ${k} is snake_case`);
    }
    const [registered, login, , logout, , reset, logoutAll] = design.map((m) => m.body);
    assert.equal(registered.data.email, user.email);
    assert.equal(registered.data.status, 'active');
    assert.equal(login.data.session_id, user.sessionId);
    assert.equal(login.data.aal, 1);
    assert.equal(logout.data.all_devices, false);
    assert.equal(logoutAll.data.all_devices, true);
    assert.deepEqual(reset.data.revoked_session_ids, [third.body.sessionId]);
    assert.deepEqual(reset.data.revokedSessionIds, [third.body.sessionId]);
    assert.equal(reset.data.kept_session_id, user.sessionId);
    assert.equal(messages.filter((m) => m.subject === `${prefix}auth.password.reset`).length, 1, 'one message for the shared name');
    // The catalogue is still published.
    assert.ok(messages.some((m) => m.subject === `${prefix}USER_CREATED` && m.body.userId === user.userId));
    assert.doesNotMatch(JSON.stringify(design), /refreshToken|accessToken|refresh_token"|access_token|passwordHash|violet-Canyon/);
  });
});

describe('design event names only (NATS_EVENT_NAMES=design), registration by approval', () => {
  const { app, prefix, drain } = eventSuite({ NATS_EVENT_NAMES: 'design', REGISTRATION_MODE: 'approval' });

  it('when someone registers while approval is required, then auth.registration.requested arrives and no catalogue event does', async () => {
    const email = uniqueEmail('pending');
    const reg = await app.http.post('/api/auth/register').send({ email, password: TEST_PASSWORD });
    assert.equal(reg.status, 202, JSON.stringify(reg.body));
    const messages = await drain();
    const requested = messages.filter((m) => m.subject === `${prefix}auth.registration.requested`);
    assert.equal(requested.length, 1);
    assert.equal(requested[0].body.data.email, email);
    assert.ok(!messages.some((m) => /USER_|SESSION_REVOKED|TWO_FACTOR/.test(m.subject)), 'no catalogue subject');
  });
});

describe('catalogue names only (NATS_EVENT_NAMES=catalogue)', () => {
  const { app, prefix, drain } = eventSuite({ NATS_EVENT_NAMES: 'catalogue' });

  it('when the same journey runs, then no design-only subject is published and auth.password.reset keeps the catalogue shape', async () => {
    await journey(app);
    const messages = await drain();
    assert.ok(!messages.some((m) => /auth\.(user|registration)\./.test(m.subject.slice(prefix.length))), 'no design-only subject');
    const reset = messages.find((m) => m.subject === `${prefix}auth.password.reset`);
    assert.ok(reset);
    assert.equal(reset.body.data.revoked_session_ids, undefined);
    assert.ok(Array.isArray(reset.body.data.revokedSessionIds));
  });
});
