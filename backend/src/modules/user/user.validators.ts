// Input rules for /api/user (http/fields.ts). change-password is also the NATS auth.change_password body.
import { SESSION_NAME_MAX } from '../../domain/session.service';
import { field, text } from '../../http/fields';

export const changePasswordBody = {
  currentPassword: text(1024),
  // Length and common-password checks are the domain policy's: here only type and a ceiling.
  newPassword: text(1024, { min: 0 }),
};

export const securityEventsQuery = {
  // isString first: a repeated ?limit= arrives as an array, which isInt would check element by element.
  limit: field<string | undefined>((c) => c.optional().isString().withMessage('limit must be given once').bail()
    .isInt({ min: 1, max: 100 }).withMessage('limit must be an integer 1–100')),
  before: field<string | undefined>((c) => c.optional().isString().isLength({ max: 200 })),
};

/** The display name: 1–64 characters after trimming, or null to remove it (the same rule as at sign-up). */
export const profileBody = {
  username: field<string | null>((c, name) => c
    .exists().withMessage(`${name} is required (null removes it)`).bail()
    .custom((v) => v === null || typeof v === 'string').withMessage(`${name} must be a string or null`).bail()
    .customSanitizer((v: string | null) => (v === null ? null : v.trim()))
    .custom((v) => v === null || ((v as string).length >= 1 && (v as string).length <= 64)).withMessage(`${name} must be 1–64 characters`)),
};

/** Length and characters are checked by SessionService.rename (after trimming); here only the type. */
export const renameSessionBody = {
  name: field<string | null>((c, name) => c
    .exists().withMessage(`${name} is required (null or "" clears it)`).bail()
    .custom((v) => v === null || typeof v === 'string').withMessage(`${name} must be a string or null`).bail()
    // Far above the limit, so a huge body fails here before any normalisation work.
    .custom((v) => v === null || (v as string).length <= SESSION_NAME_MAX * 4).withMessage(`${name} must be at most ${SESSION_NAME_MAX} characters`)),
};
