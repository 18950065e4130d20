import { body, query } from 'express-validator';

export const changePasswordRules = [
  body('currentPassword')
    .exists({ values: 'null' }).withMessage('currentPassword is required').bail()
    .isString().withMessage('currentPassword must be a string').bail()
    .isLength({ min: 1, max: 1024 }).withMessage('currentPassword must be 1–1024 characters'),
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
