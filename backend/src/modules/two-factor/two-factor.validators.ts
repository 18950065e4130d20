// express-validator chains for /api/user/2fa.
import { body } from 'express-validator';
import { requiredString } from '../../http/validate';

/** Like /api/auth/login/2fa: any string is accepted here; a wrong or malformed code is MFA_INVALID_CODE. */
export const verifyRules = [requiredString('code', 16)];

/** `code` is a TOTP code or a backup code (any case, with or without the hyphen). */
export const disableRules = [requiredString('password', 1024), requiredString('code', 32)];

export const backupCodesRules = [requiredString('password', 1024)];

/**
 * `password` is optional for the contract's body-less call, which is accepted only within
 * REAUTH_WINDOW_SECONDS of signing in (403 REAUTH_REQUIRED after that); sent, it is checked.
 */
export const enableRules = [
  body('password')
    .optional({ values: 'null' })
    .isString().withMessage('password must be a string').bail()
    .isLength({ min: 1, max: 1024 }).withMessage('password must be 1–1024 characters'),
];
