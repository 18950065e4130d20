// express-validator chains for /api/auth. Types are checked explicitly: `{"password": 123}` is a 400.
import { body } from 'express-validator';
import { Errors } from '../../domain/errors';
import { notAnObjectBody, requiredEmail, requiredString } from '../../http/validate';

export const registerRules = [
  requiredEmail('email'),
  // Length and common-password checks live in the domain policy (so the service enforces them everywhere).
  body('password')
    .exists({ values: 'null' }).withMessage('password is required').bail()
    .isString().withMessage('password must be a string').bail()
    .isLength({ max: 1024 }).withMessage('password is too long'),
  body('username')
    .optional({ values: 'null' })
    .isString().withMessage('username must be a string').bail()
    .trim()
    .isLength({ min: 1, max: 64 }).withMessage('username must be 1–64 characters'),
];

export const loginRules = [
  requiredString('email', 254),
  requiredString('password', 1024),
  body('deviceName').optional({ values: 'null' }).isString().withMessage('deviceName must be a string').bail().trim().isLength({ max: 100 }),
  // From an earlier "remember this device" (native apps; the browser sends a cookie instead). Unknown or
  // expired tokens are simply ignored: the answer is then the usual second-factor challenge.
  body('trustedDeviceToken').optional({ values: 'null' }).isString().withMessage('trustedDeviceToken must be a string').bail().isLength({ min: 1, max: 256 }),
];

export const mfaLoginRules = [
  requiredString('mfaToken', 256),
  body('code').optional({ values: 'null' }).isString().withMessage('code must be a string').bail().isLength({ max: 16 }),
  body('backupCode').optional({ values: 'null' }).isString().withMessage('backupCode must be a string').bail().isLength({ max: 32 }),
  body('rememberDevice').optional({ values: 'null' }).isBoolean({ strict: true }).withMessage('rememberDevice must be true or false'),
  body().custom((b) => {
    const hasCode = typeof b?.code === 'string';
    const hasBackup = typeof b?.backupCode === 'string';
    if (hasCode === hasBackup) throw new Error('Send exactly one of code or backupCode');
    return true;
  }),
];

export const refreshRules = [requiredString('refreshToken', 512)];

/**
 * The refresh route's one field, checked by hand on the hot route (the fast path has no validation chain) with the same rule and messages
 * as requiredString('refreshToken', 512) above.
 */
export function refreshTokenOf(reqBody: unknown): string {
  // As validate() does: a body that is not a JSON object is refused as a whole.
  const notObject = notAnObjectBody(reqBody);
  if (notObject) throw notObject;
  const value = (reqBody as Record<string, unknown> | undefined)?.refreshToken;
  const fail = (message: string) => Errors.validation([{ field: 'refreshToken', message }]);
  if (value === undefined || value === null) throw fail('refreshToken is required');
  if (typeof value !== 'string') throw fail('refreshToken must be a string');
  // validator.js's isLength: surrogate pairs and variation selectors do not count.
  const length = value.length - (value.match(/[\uFE0F\uFE0E]/g)?.length ?? 0) - (value.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g)?.length ?? 0);
  if (length < 1 || length > 512) throw fail('refreshToken must be 1–512 characters');
  return value;
}
