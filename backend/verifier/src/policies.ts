// Named attribute rules for requirePolicy (issue 28): ownership, assurance level, network, time of day. A
// named policy's denial is logged like a permission's (onDeny), with the policy's name as the rule. Node's
// BlockList does the address matching; the policies only read the claims and the request.
import { BlockList, isIP } from 'node:net';
import type { Request } from 'express';
import type { VerifiedClaims } from './verifier.js';

export interface Policy {
  /** Shown in the decision log: `rule=policy(<name>)`. */
  readonly name: string;
  check(claims: VerifiedClaims, req: Request): boolean | Promise<boolean>;
}

/** The caller is the user named by the route parameter (`/users/:id`). */
export const ownerOf = (param = 'id'): Policy => ({
  name: `owner of :${param}`,
  check: (claims, req) => typeof req.params?.[param] === 'string' && claims.sub === req.params[param],
});

/** The session proved a second factor (aal 2) or more: for sensitive actions. */
export const aalAtLeast = (level: number): Policy => ({
  name: `aal >= ${level}`,
  check: (claims) => typeof claims.aal === 'number' && claims.aal >= level,
});

/** The request comes from one of `cidrs` (`10.0.0.0/8`, `2001:db8::/32`), by `req.ip` (mind Express's trust proxy). */
export function fromNetworks(cidrs: readonly string[]): Policy {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address, bits] = cidr.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (!isIP(address)) throw new TypeError(`fromNetworks: "${cidr}" is not an address or CIDR`);
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return {
    name: `from ${cidrs.join(' ')}`,
    check: (_claims, req) => {
      const ip = (req.ip ?? '').replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
      const type = isIP(ip);
      return type !== 0 && list.check(ip, type === 6 ? 'ipv6' : 'ipv4');
    },
  };
}

/** Only between `fromHour` (inclusive) and `toHour` (exclusive) in `timeZone`; a window may cross midnight. */
export function during(window: { fromHour: number; toHour: number; timeZone?: string; now?: () => Date }): Policy {
  const timeZone = window.timeZone ?? 'UTC';
  const hourOf = new Intl.DateTimeFormat('en-GB', { hour: 'numeric', hourCycle: 'h23', timeZone });
  return {
    name: `during ${window.fromHour}:00-${window.toHour}:00 ${timeZone}`,
    check: () => {
      const hour = Number(hourOf.format(window.now?.() ?? new Date()));
      return window.fromHour <= window.toHour ? hour >= window.fromHour && hour < window.toHour : hour >= window.fromHour || hour < window.toHour;
    },
  };
}

/** Every one of `policies`. */
export const allOf = (...policies: Policy[]): Policy => ({
  name: policies.map((p) => p.name).join(' and '),
  check: async (claims, req) => {
    for (const p of policies) if (!(await p.check(claims, req))) return false;
    return true;
  },
});

/** At least one of `policies`. */
export const anyOf = (...policies: Policy[]): Policy => ({
  name: policies.map((p) => p.name).join(' or '),
  check: async (claims, req) => {
    for (const p of policies) if (await p.check(claims, req)) return true;
    return false;
  },
});
