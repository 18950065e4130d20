// Opaque tokens (refresh, mfa) are 256 random bits; only their SHA-256 is stored, so a database leak
// yields nothing usable. SHA-256 (not bcrypt) is enough for 256-bit random values and keeps lookups O(1).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { TokenGenerator } from '../../domain/ports';

export class CryptoTokenGenerator implements TokenGenerator {
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
