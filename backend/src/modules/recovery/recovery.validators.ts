// express-validator chains for the recovery routes. Types are checked explicitly: `{"token": 1}` is a 400.
import { body } from 'express-validator';
import { requiredEmail, requiredString } from '../../http/validate';

export const mailRequestRules = [requiredEmail('email')];
export const tokenRules = [requiredString('token', 256)];
// Length and common-password checks are the domain policy's (the same everywhere).
export const resetConfirmRules = [requiredString('token', 256), requiredString('newPassword', 1024)];
export const emailChangeRules = [
  requiredString('password', 1024),
  requiredEmail('newEmail'),
  // Required only while 2FA is on (the service decides): a TOTP code or a backup code.
  body('code').optional({ values: 'null' })
    .isString().withMessage('code must be a string').bail()
    .isLength({ max: 32 }).withMessage('code must be at most 32 characters'),
];
