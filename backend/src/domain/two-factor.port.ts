// What the login flow needs from two-factor authentication (implemented by TwoFactorService).
import type { RequestContext, User } from './types';

export type SecondFactor = { code: string } | { backupCode: string };

export interface SecondFactorVerifier {
  /**
   * Checks a TOTP code (single use, ±1 step) or an unused backup code (consumed on success).
   * Throws MFA_INVALID_CODE when wrong; does not touch the lockout counters (the caller does).
   */
  verifySecondFactor(user: User, factor: SecondFactor, ctx: RequestContext): Promise<'totp' | 'backup_code'>;
}
