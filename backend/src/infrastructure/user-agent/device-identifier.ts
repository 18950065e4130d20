// Tells devices apart for new-device alerts: browser family and OS family (ua-parser-js, no versions, so a
// browser update is not a new device) and the coarse network (ipaddr.js): the /24 of an IPv4 address, the
// /48 of an IPv6 one (a site; the /64 changes with privacy extensions and many ISPs rotate prefixes inside
// it). The exact address is never part of the key, which is hashed before it is stored.
import { createHash } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { UAParser } from 'ua-parser-js';
import type { DeviceIdentifier } from '../../domain/ports';
import type { DeviceIdentity, RequestContext } from '../../domain/types';

/** The coarse network of an address: `203.0.113.0/24`, `2001:db8:1::/48`; null when there is none. */
export function coarseNetwork(ip: string | null): string | null {
  if (!ip || !ipaddr.isValid(ip)) return null;
  let addr = ipaddr.parse(ip);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
  const bytes = addr.toByteArray();
  if (addr.kind() === 'ipv4') return `${bytes.slice(0, 3).join('.')}.0/24`;
  const prefix = ipaddr.fromByteArray([...bytes.slice(0, 6), ...Array<number>(10).fill(0)]);
  return `${prefix.toString()}/48`;
}

export class UaDeviceIdentifier implements DeviceIdentifier {
  identify(ctx: RequestContext): DeviceIdentity {
    const r = ctx.userAgent ? new UAParser(ctx.userAgent).getResult() : null;
    const browser = r?.browser.name ?? null;
    const os = r?.os.name ?? null;
    const network = coarseNetwork(ctx.ipAddress);
    const key = createHash('sha256').update(JSON.stringify([browser, os, network])).digest('hex');
    const description = browser && os ? `${browser} on ${os}` : browser ?? os ?? 'an unknown device';
    return { key, description };
  }
}
