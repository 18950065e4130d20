// express-validator chains for /api/user (change-password is also the NATS auth.change_password body).
import { body, param, query } from 'express-validator';
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
