// Opaque tokens (refresh, mfa) are 256 random bits; only their SHA-256 is stored, so a database leak
// yields nothing usable. SHA-256 (not bcrypt) is enough for 256-bit random values and keeps lookups O(1).
//
// A refresh token's successor is not random but HMAC-SHA-256(server key, token): every replay of the same
// token inside the refresh grace window gets the same successor without the successor (or any secret) being
// stored. The key must be the same on every instance, so the container derives it from the signing key.
import { createHash, createHmac, hkdfSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import type { TokenGenerator } from '../../domain/ports';

/** A 256-bit HMAC key for successor tokens, derived from the RS256 private key with HKDF-SHA-256. */
export function deriveSuccessorKey(signingKey: KeyObject): Buffer {
  const ikm = signingKey.export({ type: 'pkcs8', format: 'der' });
  return Buffer.from(hkdfSync('sha256', ikm, 'sessionary', 'refresh-token-successor v1', 32));
}

export class CryptoTokenGenerator implements TokenGenerator {
  /** Without a key (unit tests), a per-process random one: successors then only agree within this process. */
  constructor(private readonly successorKey: Buffer = randomBytes(32)) {}

  successorToken(token: string): string {
    return createHmac('sha256', this.successorKey).update(token, 'utf8').digest('base64url');
  }

  opaqueToken(): string {
    return randomBytes(32).toString('base64url');
  }

  hashToken(token: string): string {
    return createHash('sha256').update(token, 'utf8').digest('hex');
  }

  uuid(): string {
    return randomUUID();
  }
}
