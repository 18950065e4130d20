// The SSRF defence of the Client ID Metadata Document fetcher (issue 25), below the HTTP tests: which addresses
// count as public, how Cache-Control becomes a lifetime, and a fetch through a host NAME (the socket's own
// lookup, which Node 20 calls with `all: true`), refused without allowPrivate and connected with it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ClientMetadataError } from '../../backend/src/domain/oauth/errors';
import { HttpClientMetadataFetcher, isPublicAddress, maxAge } from '../../backend/src/infrastructure/oauth/client-metadata-fetcher';

describe('client metadata fetcher', () => {
  let server: Server;
  let port: number;
  before(async () => {
    server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=120' }).end('{"client_id":"x"}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('when an address is private, loopback, link-local, unique-local, CGNAT, multicast or mapped from one, then it is not public', () => {
    for (const a of ['10.0.0.1', '172.16.5.4', '192.168.1.1', '127.0.0.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '::1', 'fe80::1', 'fc00::1', 'fd12::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', 'not-an-ip']) {
      assert.equal(isPublicAddress(a), false, a);
    }
    for (const a of ['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) assert.equal(isPublicAddress(a), true, a);
  });

  it('when Cache-Control is given, then max-age is read; no-store and no-cache are 0; none is null', () => {
    assert.equal(maxAge('public, max-age=600'), 600);
    assert.equal(maxAge('max-age="30"'), 30);
    assert.equal(maxAge('no-store'), 0);
    assert.equal(maxAge('no-cache, max-age=600'), 0);
    assert.equal(maxAge(undefined), null);
    assert.equal(maxAge('public'), null);
  });

  it('when the host is a name that resolves to loopback, then it is refused without allowPrivate and fetched with it', async () => {
    const url = `http://localhost:${port}/client.json`;
    await assert.rejects(new HttpClientMetadataFetcher({ allowPrivate: false }).fetch(url), (e: unknown) => e instanceof ClientMetadataError && /https/.test(e.message));
    await assert.rejects(new HttpClientMetadataFetcher({ allowPrivate: false }).fetch(`https://localhost:${port}/client.json`), (e: unknown) => e instanceof ClientMetadataError && /private or reserved/.test(e.message));
    const got = await new HttpClientMetadataFetcher({ allowPrivate: true }).fetch(url);
    assert.deepEqual(got, { document: { client_id: 'x' }, maxAgeSeconds: 120 });
  });
});
