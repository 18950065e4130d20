// Input rules for /api/user/2fa (http/fields.ts).
import { field, text } from '../../http/fields';

/** Like /api/auth/login/2fa: any string is accepted here; a wrong or malformed code is MFA_INVALID_CODE. */
export const verifyBody = { code: text(16) };

/** `code` is a TOTP code or a backup code (any case, with or without the hyphen). */
export const disableBody = { password: text(1024), code: text(32) };

export const backupCodesBody = { password: text(1024) };

/**
 * `password` is optional for the contract's body-less call, which is accepted only within
 * REAUTH_WINDOW_SECONDS of signing in (403 REAUTH_REQUIRED after that); sent, it is checked.
 */
export const enableBody = {
  password: field<string | null | undefined>((c, name) => c.optional({ values: 'null' })
    .isString().withMessage(`${name} must be a string`).bail()
    .isLength({ min: 1, max: 1024 }).withMessage(`${name} must be 1–1024 characters`)),
};
