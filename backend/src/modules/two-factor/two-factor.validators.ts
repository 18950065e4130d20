// express-validator chains for /api/user/2fa.
import { requiredString } from '../../http/validate';

/** Like /api/auth/login/2fa: any string is accepted here; a wrong or malformed code is MFA_INVALID_CODE. */
export const verifyRules = [requiredString('code', 16)];

/** `code` is a TOTP code or a backup code (any case, with or without the hyphen). */
export const disableRules = [requiredString('password', 1024), requiredString('code', 32)];

export const backupCodesRules = [requiredString('password', 1024)];
