// Password policy after NIST SP 800-63B §5.1.1.2: length 8–128, any Unicode, no composition rules,
// refused when it appears in a list of commonly used or breached passwords.
import type { FieldProblem } from './errors';

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/** NFKC so that visually equal passwords typed on different keyboards hash alike (800-63B asks for it). */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

export interface CommonPasswordList {
  has(lowercasedPassword: string): boolean;
}

export class PasswordPolicy {
  constructor(private readonly common: CommonPasswordList) {}

  /** Problems with a candidate password; empty when acceptable. Length counts code points, not UTF-16 units. */
  check(password: string, field = 'password'): FieldProblem[] {
    const length = [...normalizePassword(password)].length;
    if (length < PASSWORD_MIN) return [{ field, message: `Password must be at least ${PASSWORD_MIN} characters` }];
    if (length > PASSWORD_MAX) return [{ field, message: `Password must be at most ${PASSWORD_MAX} characters` }];
    if (this.common.has(normalizePassword(password).toLowerCase())) {
      return [{ field, message: 'Password is too common; choose another' }];
    }
    return [];
  }
}

/**
 * A bcrypt hash: every account made by registration has one; accounts made by a federated sign-in
 * (docs/federation.md), tombstones and imported accounts may not, and no password matches them.
 */
export function hasUsablePassword(user: { passwordHash: string }): boolean {
  return /^\$2[aby]\$/.test(user.passwordHash);
}
