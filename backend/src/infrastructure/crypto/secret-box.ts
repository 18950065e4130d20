// Encryption of TOTP secrets at rest: AES-256-GCM with a random 96-bit IV per encryption. The stored string
// is `v1.<iv>.<tag>.<ciphertext>` (base64url parts). The key comes from TOTP_ENCRYPTION_KEY (32 bytes as
// hex or base64); without it one is generated on first start and kept in <DATA_DIR>/keys (mode 0600).
// Losing that key makes every enrolled authenticator unusable, so production should set the variable.
import { createCipheriv, createDecipheriv, randomBytes, randomInt } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RandomSource, SecretCipher } from '../../domain/two-factor.ports';

const VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const TOTP_KEY_FILE = 'totp-encryption.key';

/** Reads a 32-byte key written as 64 hex digits or as base64 / base64url. */
export function parseKey(text: string, source: string): Buffer {
  const value = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(value)
    ? Buffer.from(value, 'hex')
    : /^[A-Za-z0-9+/_-]+={0,2}$/.test(value)
      ? Buffer.from(value, 'base64')
      : Buffer.alloc(0);
  if (key.length !== KEY_BYTES) throw new Error(`${source} must be ${KEY_BYTES} bytes encoded as hex or base64`);
  return key;
}

/**
 * The TOTP encryption key: from `envValue` (TOTP_ENCRYPTION_KEY) when set, else from
 * `<dataDir>/keys/totp-encryption.key`, which is created (random, mode 0600) when absent.
 */
export function loadOrCreateKey(dataDir: string, envValue: string | null | undefined): Buffer {
  if (envValue) return parseKey(envValue, 'TOTP_ENCRYPTION_KEY');
  const dir = join(dataDir, 'keys');
  const file = join(dir, TOTP_KEY_FILE);
  if (existsSync(file)) {
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return parseKey(readFileSync(file, 'utf8'), file);
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const key = randomBytes(KEY_BYTES);
  // 'wx' fails if another process created the file meanwhile: then use theirs.
  try {
    writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return parseKey(readFileSync(file, 'utf8'), file);
  }
  chmodSync(file, 0o600);
  return key;
}

export class AesGcmSecretCipher implements SecretCipher {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new Error(`AES-256-GCM needs a ${KEY_BYTES}-byte key`);
    this.key = Buffer.from(key);
  }

  encrypt(plaintext: string, associatedData?: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    if (associatedData !== undefined) cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, iv, tag, ciphertext].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
  }

  decrypt(stored: string, associatedData?: string): string {
    const parts = stored.split('.');
    if (parts.length !== 4 || parts[0] !== VERSION) throw new Error('Encrypted secret has an unknown format');
    const [iv, tag, ciphertext] = parts.slice(1).map((part) => Buffer.from(part, 'base64url'));
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new Error('Encrypted secret has an unknown format');
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    if (associatedData !== undefined) decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      // No detail: the message must not help anyone probing ciphertexts.
      throw new Error('Encrypted secret failed authentication (tampered, or a different key)');
    }
  }
}

/** RandomSource backed by node:crypto (for backup codes). */
export const cryptoRandomSource: RandomSource = {
  int: (maxExclusive) => randomInt(maxExclusive),
};
