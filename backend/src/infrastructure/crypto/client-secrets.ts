// OAuth client secrets. They are 256-bit random values generated here, never chosen by people, so a fast
// SHA-256 is the right storage hash (nothing to brute-force; bcrypt would only slow every token request).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ClientSecrets } from '../../domain/oauth/ports';

export class Sha256ClientSecrets implements ClientSecrets {
  generate(): string {
    return randomBytes(32).toString('base64url');
  }

  hash(secret: string): string {
    return createHash('sha256').update(secret, 'utf8').digest('hex');
  }

  /** Compares SHA-256 digests in constant time (equal lengths by construction). */
  matches(secret: string, hash: string): boolean {
    const expected = Buffer.from(hash, 'hex');
    const actual = createHash('sha256').update(secret, 'utf8').digest();
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }
}
