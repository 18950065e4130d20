// Permission checks on verified claims (issue 28), framework-free: the Express helpers use them, and so can a
// NATS consumer or any other transport after verify(token). A Sessionary access token carries `roles` and,
// when the user's effective set is small enough (the server's TOKEN_PERMISSIONS_MAX), `permissions`; without
// that claim a service may look the set up itself (`permissionsOf`, e.g. cached calls to the admin API).
import type { VerifiedClaims } from './verifier.js';

/** Where a token's permissions come from when it does not carry them (null: unknown, so denied). */
export type PermissionLookup = (claims: VerifiedClaims) => readonly string[] | null | Promise<readonly string[] | null>;

export interface PermissionDecision {
  allowed: boolean;
  /** The rule as written, e.g. `requirePermission(orders:read)`. */
  rule: string;
  /** For people: why it was denied (empty when allowed). */
  reason: string;
}

/** The token's `permissions` claim, or null when it has none (a set too large for the token). */
export function permissionsOf(claims: VerifiedClaims): string[] | null {
  const p = claims.permissions;
  return Array.isArray(p) ? p.filter((x): x is string => typeof x === 'string') : null;
}

/** `granted` includes `required` as written, or `resource:*` covers every action on that resource. */
export function grants(granted: ReadonlySet<string>, required: string): boolean {
  if (granted.has(required)) return true;
  const colon = required.indexOf(':');
  return colon > 0 && granted.has(`${required.slice(0, colon)}:*`);
}

/**
 * Decides `all` (every permission needed) or `any` (one is enough) for the claims; `lookup` is asked only
 * when the token carries no `permissions` claim.
 */
export async function decidePermissions(
  claims: VerifiedClaims,
  required: readonly string[],
  mode: 'all' | 'any',
  lookup?: PermissionLookup,
): Promise<PermissionDecision> {
  const rule = `${mode === 'all' ? 'requirePermission' : 'requireAnyPermission'}(${required.join(', ')})`;
  let held = permissionsOf(claims);
  let source = 'token';
  if (held === null && lookup) {
    const found = await lookup(claims);
    held = found ? [...found] : null;
    source = 'lookup';
  }
  if (held === null) return { allowed: false, rule, reason: 'the token carries no permissions claim (its set is larger than the server puts in tokens) and no permissionsOf lookup is configured' };
  const granted = new Set(held);
  const missing = required.filter((p) => !grants(granted, p));
  const allowed = mode === 'all' ? missing.length === 0 : missing.length < required.length;
  if (allowed) return { allowed, rule, reason: '' };
  const has = held.length ? held.slice(0, 20).join(' ') + (held.length > 20 ? ` …(+${held.length - 20})` : '') : 'none';
  return { allowed, rule, reason: `${mode === 'all' ? 'missing' : 'none of'} ${(mode === 'all' ? missing : required).join(' ')}; ${source} has ${has}` };
}

/** One line for the log: who was refused what, where, and why. */
export function denialLine(decision: Pick<PermissionDecision, 'rule' | 'reason'>, claims: VerifiedClaims | null, where: { method?: string; path?: string }): string {
  const who = claims ? `sub=${claims.sub}${claims.sid ? ` sid=${claims.sid}` : ''}${claims.client_id ? ` client=${claims.client_id}` : ''}` : 'sub=?';
  return `authorization denied: ${where.method ?? ''} ${where.path ?? ''} ${who} rule=${decision.rule} reason="${decision.reason}"`.replace(/\s+/g, ' ');
}
