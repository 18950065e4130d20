// The shipped NATS layout (docs/nats/nats-server.conf) on a nats-server of the test's own, started with that
// very file: Sessionary in its account serves and publishes; the gateway may request and is trusted with
// the end user's IP; an ordinary service may only validate and read the revocation feed, and cannot
// listen on or answer the request subjects, forge revocations or touch the audit stream.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { connect, Events, type NatsConnection, type NatsError, type Subscription } from 'nats';
import { bearer, TEST_PASSWORD, uniqueEmail, useTestApp } from '../helpers/app';
import { ownNats, waitFor, type OwnNats } from '../helpers/own-servers';

const CONFIG = new URL('../../docs/nats/nats-server.conf', import.meta.url).pathname;
// Each starts with a letter, as docs/nats/nats-server.conf asks: nats-server parses a $VAR's value as config,
// and a hex string that starts like a number ("4e1f…") is read as one (the server then refuses to start).
const secret = () => `p${randomBytes(12).toString('hex')}`;
const passwords = { sessionary: secret(), gateway: secret(), service: secret() };

/** Resolves with the error NATS closed the subscription with (a permissions violation), or null if it ended cleanly. */
async function endOf(sub: Subscription): Promise<NatsError | null> {
  try {
    for await (const _ of sub) throw new Error(`subscription to ${sub.getSubject()} received a message`);
    return null;
  } catch (err) {
    return err as NatsError;
  }
}

describe('NATS permissions layout', () => {
  let nats: OwnNats;
  let gateway: NatsConnection;
  let service: NatsConnection;
  const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
  const dec = (data: Uint8Array): any => JSON.parse(new TextDecoder().decode(data));
  const request = async (nc: NatsConnection, subject: string, payload: unknown) => dec((await nc.request(subject, enc(payload), { timeout: 20_000 })).data);

  before(async () => {
    nats = await ownNats({
      config: CONFIG,
      env: { SESSIONARY_NATS_PASSWORD: passwords.sessionary, GATEWAY_NATS_PASSWORD: passwords.gateway, SERVICES_NATS_PASSWORD: passwords.service },
    });
  });
  const app = useTestApp(() => ({
    // Credentials in the URL, as operators write them (nats.js alone would ignore them).
    env: { NATS_URL: nats.url.replace('nats://', `nats://sessionary:${passwords.sessionary}@`), NATS_TRUSTED_ACCOUNTS: 'GATEWAY' },
  }));
  before(async () => {
    gateway = await connect({ servers: nats.url, user: 'gateway', pass: passwords.gateway, name: 'gateway', timeout: 30_000 });
    service = await connect({ servers: nats.url, user: 'service', pass: passwords.service, name: 'billing', timeout: 30_000 });
  });
  after(async () => {
    await gateway?.close();
    await service?.close();
    await nats?.remove();
  });

  it('when a client has no credentials, then the server refuses it', async () => {
    await assert.rejects(connect({ servers: nats.url, maxReconnectAttempts: 0 }), (err: NatsError) => err.code === 'AUTHORIZATION_VIOLATION');
  });

  it('when the gateway signs a user in, then Sessionary answers it and records the IP the gateway states', async () => {
    const email = uniqueEmail('gw');
    const context = { ip: '203.0.113.50', userAgent: 'gateway-test' };
    assert.equal((await request(gateway, 'auth.register', { email, password: TEST_PASSWORD, context })).user.email, email);
    const login = await request(gateway, 'auth.login', { email, password: TEST_PASSWORD, context });
    assert.ok(login.accessToken, JSON.stringify(login));
    const sessions = await app.http.get('/api/user/sessions').set(bearer(login.accessToken)).expect(200);
    assert.equal(sessions.body.sessions[0].ipAddress, context.ip);
    assert.equal((await request(service, 'auth.validate', { accessToken: login.accessToken })).valid, true);
  });

  it('when a service subscribes to auth.login to read passwords, then the server refuses the subscription', async () => {
    const err = await endOf(service.subscribe('auth.login'));
    assert.equal(err?.code, 'PERMISSIONS_VIOLATION');
  });

  it('when a service tries to answer auth.validate itself, then it cannot, and "not-a-token" stays invalid for the gateway', async () => {
    const sub = service.subscribe('auth.validate', { callback: (e, m) => {
        if (!e) m.respond(enc({ valid: true, claims: { role: 'admin' } }));
      },
    });
    const ended = sub.closed;
    await service.flush();
    await ended;
    assert.equal(sub.isClosed(), true, 'the server closed the subscription');
    for (let i = 0; i < 5; i++) assert.deepEqual(await request(gateway, 'auth.validate', { accessToken: 'not-a-token' }), { valid: false, reason: 'INVALID_TOKEN' });
  });

  it('when a service asks to sign in or to publish a revocation, then the server refuses it', async () => {
    await assert.rejects(request(service, 'auth.login', { email: 'a@example.com', password: 'x' }), (err: NatsError) => err.code === 'PERMISSIONS_VIOLATION' || err.code === '503' || err.code === 'TIMEOUT');
    const errors: string[] = [];
    const watcher = await connect({ servers: nats.url, user: 'service', pass: passwords.service });
    void (async () => {
      for await (const s of watcher.status()) if (s.type === Events.Error) errors.push(typeof s.data === 'string' ? s.data : JSON.stringify(s.data));
    })();
    watcher.publish('auth.revocations.revoked', enc({ revocations: [{ sessionId: 'forged' }] }));
    await waitFor('the server to refuse the publish', () => errors.some((e) => /Permissions Violation for Publish to "auth.revocations.revoked"/.test(e)) || errors.length > 0);
    assert.match(errors.join(' '), /PERMISSIONS_VIOLATION|Permissions Violation/i);
    await watcher.close();
  });

  it('when a service tries to read the audit stream, then JetStream and the event subjects are closed to it, while Sessionary publishes them', async () => {
    // Something to read: a registration puts events into the outbox, and the relay publishes them.
    await request(gateway, 'auth.register', { email: uniqueEmail('audit'), password: TEST_PASSWORD });
    const relayed = await app.container.relay!.flush();
    assert.ok(relayed > 0);
    const own = await connect({ servers: nats.url, user: 'sessionary', pass: passwords.sessionary });
    try {
      const info = await (await own.jetstreamManager()).streams.info('AUTH_EVENTS');
      assert.ok(info.state.messages > 0, 'Sessionary published events into its stream');
    } finally {
      await own.close();
    }
    await assert.rejects(async () => (await service.jetstreamManager()).streams.info('AUTH_EVENTS'), (err: NatsError) => err.code === 'PERMISSIONS_VIOLATION');
    assert.equal((await endOf(service.subscribe('auth.events.>')))?.code, 'PERMISSIONS_VIOLATION');
    assert.equal((await endOf(service.subscribe('USER_CREATED')))?.code, 'PERMISSIONS_VIOLATION');
  });

  it('when the gateway signs a user out, then services hear the revocation Sessionary publishes', async () => {
    const email = uniqueEmail('rev');
    await request(gateway, 'auth.register', { email, password: TEST_PASSWORD });
    const login = await request(gateway, 'auth.login', { email, password: TEST_PASSWORD });
    const heard: string[] = [];
    const sub = service.subscribe('auth.revocations.revoked', { callback: (e, m) => !e && heard.push(...dec(m.data).revocations.map((r: { sessionId: string }) => r.sessionId)) });
    await service.flush();
    assert.deepEqual(await request(gateway, 'auth.logout', { accessToken: login.accessToken }), {});
    await waitFor('the revocation on the feed', () => heard.includes(login.sessionId));
    sub.unsubscribe();
  });
});
