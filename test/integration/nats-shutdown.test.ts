// A stopping server leaves no NATS connection behind, whatever state the connection is in. A connection left
// open reconnects for ever (maxReconnectAttempts -1): it keeps the process alive after stop() and keeps
// talking to NATS. Found when test/http/readiness.test.ts's process outlived its tests: a drain begun while
// the client was between reconnect attempts resolved without closing the connection. The NATS server here is
// this file's own; its monitoring endpoint (/connz) says which clients are still connected.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useTestApps } from '../helpers/app';
import { ownNats, waitFor, type OwnNats } from '../helpers/own-servers';

interface Connz {
  connections: { name?: string }[];
}

describe('NATS connections on shutdown', () => {
  let nats: OwnNats;
  before(async () => {
    nats = await ownNats();
  });
  const apps = useTestApps();
  after(async () => {
    await nats?.remove();
  });

  const connected = async () => ((await (await fetch(`${nats.monitorUrl}/connz`)).json()) as Connz).connections.map((c) => c.name ?? '');
  const start = () => {
    const tag = Math.random().toString(36).slice(2, 8);
    return apps.start({ env: { NATS_URL: nats.url }, events: { stream: `SHUT_${tag}`, subjectPrefix: `shut.${tag}` }, natsSubjectPrefix: `shut.${tag}.` });
  };

  it('when the app stops while connected, then its connections are gone from NATS', async () => {
    const app = await start();
    assert.ok((await connected()).includes('sessionary'), 'the app is connected before it stops');
    await app.close();
    await waitFor('no connection left', async () => (await connected()).length === 0, 5_000);
  });

  it('when the app stops between reconnect attempts, then no connection comes back afterwards', async () => {
    const app = await start();
    await nats.stop();
    await nats.start();
    // Right after NATS is back the clients are still waiting out their reconnect delay (2 s): stop now.
    await app.close();
    // Past every reconnect delay: a connection left open would have reconnected by now.
    await new Promise((r) => setTimeout(r, 4_000));
    assert.deepEqual(await connected(), []);
  });

  it('when the app stops while NATS is down, then stop() returns within the drain bound and nothing reconnects later', async () => {
    const app = await start();
    await nats.stop();
    const started = Date.now();
    await app.close();
    assert.ok(Date.now() - started < 10_000, `stop took ${Date.now() - started} ms`);
    await nats.start();
    await new Promise((r) => setTimeout(r, 4_000));
    assert.deepEqual(await connected(), []);
  });
});
