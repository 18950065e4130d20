// Scope strings (RFC 6749 §3.3): space-separated scope-tokens of %x21 / %x23-5B / %x5D-7E.
import { OAuthError } from './errors';

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * A client whose allowedScopes hold this may introspect tokens issued to any client, and users' tokens from
 * /api/auth/login (RFC 7662 §4: the server decides who may learn about which tokens). Without it a client
 * only learns about its own tokens.
 */
export const INTROSPECTION_SCOPE = 'tokens:introspect';
/** The revocation feed's scope (/api/revocations/stream). */
export const REVOCATIONS_SCOPE = 'revocations:read';

/**
 * Scopes that describe what a service may do, never what a user delegates: they are granted only by
 * client_credentials, never by the password grant (nor kept by a refresh), whatever the client allows.
 */
export const SERVICE_SCOPES: readonly string[] = [REVOCATIONS_SCOPE, INTROSPECTION_SCOPE];

export function isServiceScope(s: string): boolean {
  return SERVICE_SCOPES.includes(s);
}

export function isScopeToken(s: string): boolean {
  return SCOPE_TOKEN.test(s);
}

/** Parses a requested scope; a malformed token is invalid_scope. Duplicates collapse, order is kept. */
export function parseScope(raw: string): string[] {
  const parts = raw.split(' ').filter(Boolean);
  for (const p of parts) if (!isScopeToken(p)) throw new OAuthError('invalid_scope', `Scope ${p.slice(0, 40)} is malformed`);
  return [...new Set(parts)];
}

export function formatScope(scopes: readonly string[]): string {
  return scopes.join(' ');
}

/** The scopes in `requested` that are not in `allowed`. */
export function outside(requested: readonly string[], allowed: readonly string[]): string[] {
  const set = new Set(allowed);
  return requested.filter((s) => !set.has(s));
}
