// The canonical form of an email address, so that one address is one account however it was typed:
// trimmed; the local part lower-cased and in Unicode NFC (NFD "José" and NFC "José" are the same text);
// the domain through IDNA (UTS #46, WHATWG URL's domainToASCII: case folding, NFC, punycode), stored as
// the ASCII A-label (`bücher.example` and `BU\u0308CHER.example` → `xn--bcher-kva.example`), which is
// also what mail transport needs.
// Lower-casing the local part is a deliberate simplification kept from the start: RFC 5321 lets a mail
// server treat it case-sensitively, but practically none do, and two accounts differing in case would be
// a confusion and an impersonation risk.
import { domainToASCII } from 'node:url';

/** The canonical form, or null when the domain is not a valid IDNA domain name. */
export function canonicalEmail(input: string): string | null {
  const email = input.trim().normalize('NFC');
  const at = email.lastIndexOf('@');
  if (at < 1 || at === email.length - 1) return null;
  const local = email.slice(0, at).toLowerCase().normalize('NFC');
  const domain = domainToASCII(email.slice(at + 1));
  return domain ? `${local}@${domain}` : null;
}

/** For look-ups (login, admin commands): the canonical form, or a best effort that simply finds nothing. */
export function normalizeEmail(input: string): string {
  return canonicalEmail(input) ?? input.trim().normalize('NFC').toLowerCase();
}
