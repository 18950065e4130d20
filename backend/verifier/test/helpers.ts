// Test helpers for the verifier: a counting proxy in front of a real server's JWKS, forged tokens.
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import supertest from 'supertest';

/** Serves `/jwks.json` from whichever upstream key set is current, counting requests. */
export async function startJwksProxy(upstream: string) {
  const state = { upstream, hits: 0 };
  const server: Server = createServer((_req, res) => {
    state.hits += 1;
    void fetch(state.upstream)
      .then((r) => r.text())
      .then((body) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A service (an Express app using the verifier) listening on a free port, with supertest aimed at it. */
export async function serveService(handler: RequestListener): Promise<{ service: ReturnType<typeof supertest>; close: () => Promise<void> }> {
  const server = createServer(handler).listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  return { service: supertest(server), close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A token signed with a throwaway key the server never published. */
export async function forgeToken(claims: JWTPayload, opts: { kid?: string; alg?: 'RS256' } = {}) {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: opts.alg ?? 'RS256', kid: opts.kid ?? 'forged' })
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);
  return { token, jwk: await exportJWK(publicKey) };
}

/** The unverified payload segment of a JWT, decoded. */
export function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

/** A TCP proxy that can cut every connection and refuse new ones, to simulate a network outage. */
export async function startCuttableProxy(targetPort: number) {
  const { createServer: createTcpServer, connect } = await import('node:net');
  const sockets = new Set<import('node:net').Socket>();
  let down = false;
  const server = createTcpServer((client) => {
    if (down) return client.destroy();
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut() {
      down = true;
      for (const s of sockets) s.destroy();
    },
    restore() {
      down = false;
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Polls `probe` until it returns true or `timeoutMs` passes; returns the elapsed milliseconds. */
export async function waitFor(probe: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<number> {
  const start = performance.now();
  while (!(await probe())) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return performance.now() - start;
}
