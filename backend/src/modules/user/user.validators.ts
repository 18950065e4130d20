// express-validator chains for /api/user (change-password is also the NATS auth.change_password body).
import { body, param, query } from 'express-validator';
import { SESSION_NAME_MAX } from '../../domain/session.service';
import { requiredString } from '../../http/validate';

export const changePasswordRules = [
  requiredString('currentPassword', 1024),
  body('newPassword')
    .exists({ values: 'null' }).withMessage('newPassword is required').bail()
    .isString().withMessage('newPassword must be a string').bail()
    .isLength({ max: 1024 }).withMessage('newPassword is too long'),
];

export const securityEventsRules = [
  // isString first: a repeated ?limit= arrives as an array, which isInt would check element by element.
  query('limit').optional().isString().withMessage('limit must be given once').bail()
    .isInt({ min: 1, max: 100 }).withMessage('limit must be an integer 1–100'),
  query('before').optional().isString().isLength({ max: 200 }),
];

/** Checked at the route (a malformed id is 404 there), so the service only sees ids that could exist. */
export const sessionIdParam = [param('sessionId').isUUID()];

/** Length and characters are checked by SessionService.rename (after trimming); here only the type. */
export const renameSessionRules = [
  body('name')
    .exists().withMessage('name is required (null or "" clears it)').bail()
    .custom((v) => v === null || typeof v === 'string').withMessage('name must be a string or null').bail()
    // Far above the limit, so a huge body fails here before any normalisation work.
    .custom((v) => v === null || (v as string).length <= SESSION_NAME_MAX * 4).withMessage(`name must be at most ${SESSION_NAME_MAX} characters`),
];

export const deleteAccountRules = [
  requiredString('password', 1024),
  // Required only while 2FA is on (AccountDeletion decides): a TOTP code or a backup code.
  body('code').optional({ values: 'null' })
    .isString().withMessage('code must be a string').bail()
    .isLength({ max: 32 }).withMessage('code must be at most 32 characters'),
];
