// Fetches OAuth Client ID Metadata Documents with the SSRF defence (docs/oauth.md, "Client registration"):
// the server fetches a URL a stranger chose, so it must not become a way into the private network.
// - https only; plain http only for a loopback host, and only with allowPrivate (development);
// - the host is resolved here and EVERY address must be public unicast (no private, loopback, link-local,
//   unique-local, CGNAT, multicast, reserved...) unless allowPrivate; the connection goes to the addresses that
//   were checked (the socket's lookup returns them), so a DNS answer cannot change between check and connect;
// - no redirects at all (a 3xx is a refusal), status 200 only;
// - at most MAX_BYTES, read within TIMEOUT_MS overall (connect, TLS, headers and body), or refused.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { ClientMetadataError } from '../../domain/oauth/errors';
import type { ClientMetadataFetcher } from '../../domain/oauth/ports';

export const MAX_BYTES = 5 * 1024;
export const TIMEOUT_MS = 3000;

/** Whether an address is one a document may be fetched from without allowPrivate: public unicast only. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'unicast';
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

export class HttpClientMetadataFetcher implements ClientMetadataFetcher {
  constructor(private readonly opts: { allowPrivate: boolean; maxBytes?: number; timeoutMs?: number }) {}

  async fetch(clientId: string): Promise<{ document: unknown; maxAgeSeconds: number | null }> {
    const url = new URL(clientId);
    const plain = url.protocol === 'http:';
    if (url.protocol !== 'https:' && !(plain && this.opts.allowPrivate && LOOPBACK_NAMES.has(url.hostname))) {
      throw new ClientMetadataError('the document must be served over https');
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // An IP literal is never looked up by the socket: checked here.
    if (isIP(host) && !this.opts.allowPrivate && !isPublicAddress(host)) throw new ClientMetadataError('the document\'s host is a private or reserved address');
    const maxBytes = this.opts.maxBytes ?? MAX_BYTES;
    const timeoutMs = this.opts.timeoutMs ?? TIMEOUT_MS;

    return new Promise((resolve, reject) => {
      let done = false;
      const fail = (why: string) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        req.destroy();
        reject(new ClientMetadataError(why));
      };
      const lookup: LookupFunction = (hostname, options, callback) => {
        dnsLookup(hostname, { all: true, family: options.family ?? 0 }, (err, addresses: LookupAddress[]) => {
          if (err) return callback(err, '', 0);
          if (!addresses.length) return callback(new Error('no address'), '', 0);
          if (!this.opts.allowPrivate && !addresses.every((a) => isPublicAddress(a.address))) {
            fail('the document\'s host resolves to a private or reserved address');
            return callback(new Error('refused address'), '', 0);
          }
          // Connect only to the addresses checked here, never to a second answer (all of them when the socket
          // asks for all: Node 20's autoSelectFamily tries each, e.g. ::1 then 127.0.0.1 for localhost).
          if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
          callback(null, addresses[0].address, addresses[0].family);
        });
      };
      const req = (plain ? http : https).request(url, {
        method: 'GET',
        headers: { accept: 'application/json', 'user-agent': 'sessionary-client-metadata' },
        lookup,
        // No connection reuse: each fetch is its own, checked connection.
        agent: false,
      });
      const timer = setTimeout(() => fail(`the document was not read within ${timeoutMs} ms`), timeoutMs);
      req.on('error', (err) => fail(`the document could not be fetched (${err.message.slice(0, 100)})`));
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400) return fail('the document\'s URL redirects (redirects are not followed)');
        if (status !== 200) return fail(`the document's URL answered ${status}`);
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > maxBytes) return fail(`the document is larger than ${maxBytes} bytes`);
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) return fail(`the document is larger than ${maxBytes} bytes`);
          chunks.push(chunk);
        });
        res.on('error', (err) => fail(`the document could not be read (${err.message.slice(0, 100)})`));
        res.on('end', () => {
          if (done) return;
          let document: unknown;
          try {
            document = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            return fail('the document is not JSON');
          }
          done = true;
          clearTimeout(timer);
          resolve({ document, maxAgeSeconds: maxAge(res.headers['cache-control']) });
        });
      });
      req.end();
    });
  }
}

/** Cache-Control max-age in seconds; no-store and no-cache mean 0; none given = null (the caller's default). */
export function maxAge(header: string | undefined): number | null {
  if (!header) return null;
  const directives = header.toLowerCase().split(',').map((d) => d.trim());
  if (directives.includes('no-store') || directives.includes('no-cache')) return 0;
  for (const d of directives) {
    const m = /^max-age="?(\d{1,10})"?$/.exec(d);
    if (m) return Number(m[1]);
  }
  return null;
}
