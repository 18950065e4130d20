// express-validator chains for the recovery routes. Types are checked explicitly: `{"token": 1}` is a 400.
import { body } from 'express-validator';

const requiredString = (field: string, max: number) =>
  body(field)
    .exists({ values: 'null' }).withMessage(`${field} is required`).bail()
    .isString().withMessage(`${field} must be a string`).bail()
    .isLength({ min: 1, max }).withMessage(`${field} must be 1–${max} characters`);

const email = (field: string) =>
  body(field)
    .exists({ values: 'null' }).withMessage(`${field} is required`).bail()
    .isString().withMessage(`${field} must be a string`).bail()
    .trim()
    .isLength({ max: 254 }).withMessage(`${field} is too long`).bail()
    .isEmail().withMessage(`${field} must be a valid email address`);

export const mailRequestRules = [email('email')];
export const tokenRules = [requiredString('token', 256)];
// Length and common-password checks are the domain policy's (the same everywhere).
export const resetConfirmRules = [requiredString('token', 256), requiredString('newPassword', 1024)];
export const emailChangeRules = [requiredString('password', 1024), email('newEmail')];
