// The revocation stream (/api/revocations/stream) when it ends while revocations keep coming: writing to an
// ended response emits 'error' on it, an uncaught exception that ends the whole server. The stream's reader
// here is an administrator whose own session is revoked; the feed runs on the app's auth service with a
// revocation signal this test drives, so further batches arrive in the same moment the stream ends.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { RevocationFeed, type Revocation, type RevocationLog } from '../../backend/src/domain/revocation-feed';
import { MemoryRevocationStore } from '../../backend/src/infrastructure/revocation/memory-revocation-store';
import { revocationRoutes } from '../../backend/src/modules/revocations/revocations.routes';
import { StreamCaps } from '../../backend/src/http/stream-caps';
import { loadConfig } from '../../backend/src/config';
import { FakeClock } from '../fakes/clock';
import { startTestApp, type TestApp } from '../helpers/app';

const ADMIN = { email: 'stream-admin@example.test', password: 'plum-Orbit-7-lantern' };

/** The database's record of revocations, in memory; `since` (the snapshot) waits while `hold` is set. */
class HeldLog implements RevocationLog {
  hold: Promise<void> | null = null;
  async since(): Promise<Revocation[]> {
    await this.hold;
    return [];
  }
  async byIds(ids: string[]): Promise<Revocation[]> {
    return ids.map((sessionId) => ({ sessionId, userId: null, revokedAt: new Date(), reason: 'logout' as const }));
  }
}

describe('revocation stream ending while revocations arrive', () => {
  let app: TestApp;
  let server: ReturnType<express.Express['listen']>;
  let url: string;
  const log = new HeldLog();
  const clock = FakeClock.ticking();
  const signal = new MemoryRevocationStore(900, clock);
  const routes = () => revocationRoutes({ auth: app.container.services.auth, feed: new RevocationFeed(log, signal, clock, 960), caps: new StreamCaps(loadConfig({}).streams) });

  before(async () => {
    app = await startTestApp({ env: { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password } });
    const web = express();
    web.use('/api/revocations', routes().router);
    server = web.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/revocations/stream`;
  });
  after(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await app?.close();
  });

  const signIn = async () => {
    const res = await app.http.post('/api/auth/login').send(ADMIN).expect(200);
    return { token: res.body.accessToken as string, sid: res.body.sessionId as string };
  };

  /** Reads the stream to its end; resolves with everything it carried. */
  const readAll = async (res: Response) => {
    let text = '';
    const decoder = new TextDecoder();
    for await (const chunk of res.body!) text += decoder.decode(chunk as Uint8Array, { stream: true });
    return text;
  };

  it('when the reader\'s own session is revoked and more revocations follow at once, then the stream ends after its own and the server lives on', async () => {
    const { token, sid } = await signIn();
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    const reader = readAll(res);
    // Wait for the snapshot and "ready" to have been sent (the stream is live).
    await new Promise((resolve) => setTimeout(resolve, 200));
    await signal.revoke([sid]);
    await signal.revoke(['after-1']);
    await signal.revoke(['after-2']);
    const text = await reader;
    assert.match(text, new RegExp(`"sessionId":"${sid}"`));
    assert.doesNotMatch(text, /after-1|after-2/);
    // Still serving: a new stream opens.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const again = await signIn();
    const second = await fetch(url, { headers: { authorization: `Bearer ${again.token}` } });
    assert.equal(second.status, 200);
    await signal.revoke([again.sid]);
    assert.match(await readAll(second), new RegExp(again.sid));
  });

  it('when the reader\'s own session is revoked while its snapshot is read, then the stream ends without writing the snapshot after the end', async () => {
    const { token, sid } = await signIn();
    let release!: () => void;
    log.hold = new Promise<void>((resolve) => (release = resolve));
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    const reader = readAll(res);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await signal.revoke([sid]);
    // Let the buffered revocation be delivered (the feed's lookup), then the snapshot come back.
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    log.hold = null;
    const text = await reader;
    assert.doesNotMatch(text, /event: ready/);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Still serving.
    const again = await signIn();
    const second = await fetch(url, { headers: { authorization: `Bearer ${again.token}` } });
    assert.equal(second.status, 200);
    await signal.revoke([again.sid]);
    assert.match(await readAll(second), new RegExp(again.sid));
  });
});
