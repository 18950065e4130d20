// Shutdown under keep-alive load: a request that arrives on an already-open connection while the server
// drains is answered (with Connection: close); only new connections are refused. Before, stop() closed idle
// keep-alive connections at once and requests already sent on them were reset.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startTestApp } from '../helpers/app';

interface Outcome {
  status?: number;
  connection?: string;
  error?: string;
}

function get(url: string, agent: http.Agent): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = http.get(`${url}/.well-known/jwks.json`, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, connection: res.headers.connection }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
  });
}

describe('keep-alive drain on shutdown', () => {
  it('when stop() begins while keep-alive clients hold open connections, then their next requests are answered with Connection: close and new connections are refused', async () => {
    const app = await startTestApp();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    try {
      // Eight open keep-alive connections, idle in the agent's pool.
      const warm = await Promise.all(Array.from({ length: 8 }, () => get(app.url, agent)));
      assert.deepEqual(warm.map((o) => o.status), Array(8).fill(200));
      assert.equal(Object.values(agent.freeSockets).flat().length, 8);

      const stopped = app.container.stop();
      // Sent in the same tick as stop(): they go out on the open connections.
      const during = await Promise.all(Array.from({ length: 8 }, () => get(app.url, agent)));
      assert.deepEqual(during, Array(8).fill({ status: 200, connection: 'close' }));
      // Every connection was told to close, so the next request needs a new one: refused.
      const fresh = await get(app.url, agent);
      assert.equal(fresh.error, 'ECONNREFUSED');
      await stopped;
    } finally {
      agent.destroy();
      await app.close().catch(() => undefined);
    }
  });
});
