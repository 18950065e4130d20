// TOTP (RFC 6238) through otplib 13's functional API with its default plugins (@noble/hashes HMAC,
// @scure/base Base32), which are synchronous. Configuration is the one authenticator apps expect:
// SHA1, 6 digits, 30-second steps from T0 = 0, accepting ±1 step of clock drift and no more.
import { generateSecret, generateSync, generateURI, verifySync } from 'otplib';
import type { TotpProvider } from '../../domain/two-factor.ports';

export const TOTP_ALGORITHM = 'sha1';
export const TOTP_DIGITS = 6;
export const TOTP_PERIOD_SECONDS = 30;
/** Steps of drift accepted either side of the current one. */
export const TOTP_DRIFT_STEPS = 1;
/** 20 random bytes = 160 bits (RFC 4226 §4 recommends 160). */
export const TOTP_SECRET_BYTES = 20;

const epochSeconds = (at: Date): number => Math.floor(at.getTime() / 1000);

/**
 * A TOTP code with the provider's configuration (SHA1, 30 s, T0 = 0) for any digit count and time. The
 * secret is Base32 text (as stored) or raw key bytes (RFC test vectors). Used by tests and tooling.
 */
export function generateTotpCode(secret: string | Uint8Array, at: Date, digits: number = TOTP_DIGITS): string {
  return generateSync({ secret, epoch: epochSeconds(at), algorithm: TOTP_ALGORITHM, digits, period: TOTP_PERIOD_SECONDS, t0: 0 });
}

export function totpStepAt(at: Date): number {
  return Math.floor(epochSeconds(at) / TOTP_PERIOD_SECONDS);
}

export class OtplibTotpProvider implements TotpProvider {
  generateSecret(): string {
    return generateSecret({ length: TOTP_SECRET_BYTES });
  }

  keyUri(account: string, issuer: string, secret: string): string {
    // otplib writes the label `Issuer:account` and `issuer=`, and leaves out parameters that equal the
    // defaults; they are spelled out here so no app has to guess.
    const uri = generateURI({ issuer, label: account, secret, algorithm: TOTP_ALGORITHM, digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS });
    const explicit = { algorithm: TOTP_ALGORITHM.toUpperCase(), digits: String(TOTP_DIGITS), period: String(TOTP_PERIOD_SECONDS) };
    const query = new URL(uri).searchParams;
    const missing = Object.entries(explicit).filter(([name]) => !query.has(name));
    return uri + missing.map(([name, value]) => `&${name}=${value}`).join('');
  }

  verify(secret: string, code: string, now: Date, afterStep?: number | null): number | null {
    if (!/^\d{6}$/.test(code)) return null;
    const epoch = epochSeconds(now);
    const newestStep = Math.floor(epoch / TOTP_PERIOD_SECONDS) + TOTP_DRIFT_STEPS;
    // otplib throws when afterTimeStep lies beyond the window; every step in the window is used then.
    if (afterStep != null && afterStep >= newestStep) return null;
    const result = verifySync({
      secret,
      token: code,
      epoch,
      algorithm: TOTP_ALGORITHM,
      digits: TOTP_DIGITS,
      period: TOTP_PERIOD_SECONDS,
      t0: 0,
      // In seconds: exactly the previous and next step, whatever the position inside the current one.
      epochTolerance: TOTP_DRIFT_STEPS * TOTP_PERIOD_SECONDS,
      ...(afterStep != null && afterStep >= 0 ? { afterTimeStep: afterStep } : {}),
    });
    return result.valid && 'timeStep' in result ? result.timeStep : null;
  }
}
