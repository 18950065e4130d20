// Ports that two-factor authentication needs on top of domain/ports.ts, and what the login flow needs from it
// (SecondFactorVerifier, implemented by TwoFactorService). Adapters live in infrastructure/ (otplib,
// AES-256-GCM, qrcode, bcrypt); the domain only sees these shapes.
import type { RequestContext, User } from './types';

/** TOTP (RFC 6238) with the configuration authenticator apps expect: SHA1, 6 digits, 30 s steps. */
export interface TotpProvider {
  /** A fresh Base32 secret of at least 160 bits. */
  generateSecret(): string;
  /** `otpauth://totp/Issuer:account?secret=...&issuer=Issuer&algorithm=SHA1&digits=6&period=30`. */
  keyUri(account: string, issuer: string, secret: string): string;
  /**
   * The time step `code` matches within ±1 step of `now`, or null. Steps at or before `afterStep`
   * (the last accepted one) are never matched, so a code is single use. Malformed codes give null.
   */
  verify(secret: string, code: string, now: Date, afterStep?: number | null): number | null;
}

/** Authenticated encryption of secrets at rest. `associatedData` binds a ciphertext to its owner. */
export interface SecretCipher {
  encrypt(plaintext: string, associatedData?: string): string;
  /** Throws when the ciphertext was tampered with, or belongs to other associated data / another key. */
  decrypt(ciphertext: string, associatedData?: string): string;
}

export interface QrCodeRenderer {
  /** `data:image/png;base64,...` QR code of `text`. */
  toDataUrl(text: string): Promise<string>;
}

/**
 * Salted slow hashing of backup codes. BcryptPasswordHasher fits (structurally) when built with a modest
 * cost: a login with a backup code compares against up to 10 hashes.
 */
export interface BackupCodeHasher {
  hash(code: string): Promise<string>;
  verify(code: string, hash: string): Promise<boolean>;
}

/** Cryptographically secure randomness. */
export interface RandomSource {
  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
}

// What the login flow needs from two-factor authentication (implemented by TwoFactorService).

export type SecondFactor = { code: string } | { backupCode: string };

export interface SecondFactorVerifier {
  /**
   * Checks a TOTP code (single use, ±1 step) or an unused backup code (consumed on success).
   * Throws MFA_INVALID_CODE when wrong; does not touch the lockout counters (the caller does).
   */
  verifySecondFactor(user: User, factor: SecondFactor, ctx: RequestContext): Promise<'totp' | 'backup_code'>;
}
