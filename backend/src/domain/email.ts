// The canonical form of an email address, so that one address is one account however it was typed:
// trimmed; the local part lower-cased and in Unicode NFC (NFD "José" and NFC "José" are the same text);
// the domain through IDNA (UTS #46 as the WHATWG URL standard applies it: case folding, NFC, punycode),
// stored as the ASCII A-label (`bücher.example` and `BU\u0308CHER.example` → `xn--bcher-kva.example`), which
// is also what mail transport needs.
// The IDNA step is tr46 (the reference implementation behind whatwg-url), not only Node's domainToASCII:
// Node 24's URL parser (ada 4) passes a label that is not valid punycode (`xn--a`) through unchanged where
// Node 20 refuses it, and one address must canonicalise the same on every supported Node. domainToASCII then
// still refuses what a URL host may not contain (spaces, `%`, ...).
// Lower-casing the local part is a deliberate simplification kept from the start: RFC 5321 lets a mail
// server treat it case-sensitively, but practically none do, and two accounts differing in case would be
// a confusion and an impersonation risk.
import { domainToASCII } from 'node:url';
import { toASCII } from 'tr46';

/** The canonical form, or null when the domain is not a valid IDNA domain name. */
export function canonicalEmail(input: string): string | null {
  const email = input.trim().normalize('NFC');
  const at = email.lastIndexOf('@');
  if (at < 1 || at === email.length - 1) return null;
  const local = email.slice(0, at).toLowerCase().normalize('NFC');
  const idna = toASCII(email.slice(at + 1), { checkBidi: true, checkHyphens: false, checkJoiners: true, useSTD3ASCIIRules: false, transitionalProcessing: false, verifyDNSLength: false });
  const domain = idna === null ? '' : domainToASCII(idna);
  return domain ? `${local}@${domain}` : null;
}

/** For look-ups (login, admin commands): the canonical form, or a best effort that simply finds nothing. */
export function normalizeEmail(input: string): string {
  return canonicalEmail(input) ?? input.trim().normalize('NFC').toLowerCase();
}
