// Scope strings (RFC 6749 §3.3): space-separated scope-tokens of %x21 / %x23-5B / %x5D-7E.
import { OAuthError } from './errors';

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export function isScopeToken(s: string): boolean {
  return SCOPE_TOKEN.test(s);
}

/** Parses a requested scope; a malformed token is invalid_scope. Duplicates collapse, order is kept. */
export function parseScope(raw: string): string[] {
  const parts = raw.split(' ').filter(Boolean);
  for (const p of parts) if (!isScopeToken(p)) throw new OAuthError('invalid_scope', `Scope "${p.slice(0, 40)}" is malformed`);
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
