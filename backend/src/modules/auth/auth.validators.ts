// Input rules for /api/auth (http/fields.ts), shared with the NATS auth.* handlers. Types are checked
// explicitly: `{"password": 123}` is a 400.
import { body } from 'express-validator';
import { Errors } from '../../domain/errors';
import { email, field, text } from '../../http/fields';
import { notAnObjectBody } from '../../http/validate';

export const registerBody = {
  email: email(),
  // Length and common-password checks live in the domain policy (so the service enforces them everywhere).
  password: text(1024, { min: 0 }),
  username: field<string | null | undefined>((c, name) => c.optional({ values: 'null' })
    .isString().withMessage(`${name} must be a string`).bail()
    .trim()
    .isLength({ min: 1, max: 64 }).withMessage(`${name} must be 1–64 characters`)),
};

export const loginBody = {
  email: text(254),
  password: text(1024),
  deviceName: field<string | null | undefined>((c, name) => c.optional({ values: 'null' }).isString().withMessage(`${name} must be a string`).bail().trim().isLength({ max: 100 })),
  // From an earlier "remember this device" (native apps; the browser sends a cookie instead). Unknown or
  // expired tokens are simply ignored: the answer is then the usual second-factor challenge.
  trustedDeviceToken: field<string | null | undefined>((c, name) => c.optional({ values: 'null' }).isString().withMessage(`${name} must be a string`).bail().isLength({ min: 1, max: 256 })),
};

export const mfaLoginBody = {
  mfaToken: text(256),
  code: field<string | null | undefined>((c, name) => c.optional({ values: 'null' }).isString().withMessage(`${name} must be a string`).bail().isLength({ max: 16 })),
  backupCode: field<string | null | undefined>((c, name) => c.optional({ values: 'null' }).isString().withMessage(`${name} must be a string`).bail().isLength({ max: 32 })),
  rememberDevice: field<boolean | null | undefined>((c, name) => c.optional({ values: 'null' }).isBoolean({ strict: true }).withMessage(`${name} must be true or false`)),
};

/** Across mfaLoginBody's fields. */
export const oneSecondFactor = [
  body().custom((b: { code?: unknown; backupCode?: unknown } | undefined) => {
    const hasCode = typeof b?.code === 'string';
    const hasBackup = typeof b?.backupCode === 'string';
    if (hasCode === hasBackup) throw new Error('Send exactly one of code or backupCode');
    return true;
  }),
];

/** The one factor mfaLoginBody carries, once oneSecondFactor passed. */
export function secondFactorOf(b: { code?: string | null; backupCode?: string | null }): { code: string } | { backupCode: string } {
  return typeof b.code === 'string' ? { code: b.code } : { backupCode: b.backupCode ?? '' };
}

export const refreshBody = { refreshToken: text(512) };

/**
 * The refresh route's one field, checked by hand on the hot route (the fast path has no validation chain)
 * with the same rule and messages as refreshBody above.
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
