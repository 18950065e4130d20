// express-validator chains for the passkey routes. The WebAuthn response itself is checked by the relying
// party (@simplewebauthn/server); here only that it is a JSON object.
import { body, param } from 'express-validator';
import { PASSKEY_NAME_MAX } from '../../domain/passkeys/passkey.service';
import { requiredString } from '../../http/validate';

const credential = body('credential')
  .exists({ values: 'null' }).withMessage('credential is required').bail()
  .custom((v) => typeof v === 'object' && v !== null && !Array.isArray(v)).withMessage('credential must be the WebAuthn response as a JSON object');

/** Optional password: within REAUTH_WINDOW_SECONDS of signing in none is needed (403 REAUTH_REQUIRED after). */
const optionalPassword = body('password')
  .optional({ values: 'null' })
  .isString().withMessage('password must be a string').bail()
  .isLength({ min: 1, max: 1024 }).withMessage('password must be 1–1024 characters');

const optionalName = body('name')
  .optional({ values: 'null' })
  .isString().withMessage('name must be a string').bail()
  .isLength({ max: PASSKEY_NAME_MAX * 4 }).withMessage(`name must be at most ${PASSKEY_NAME_MAX} characters`);

export const registrationOptionsRules = [optionalPassword];
export const registrationVerifyRules = [credential, optionalName];
export const removeRules = [optionalPassword];
export const renameRules = [requiredString('name', PASSKEY_NAME_MAX * 4)];
/** A malformed id names no passkey: 404 at the route. */
export const passkeyIdParam = [param('passkeyId').isUUID()];

export const signInRules = [
  credential,
  body('deviceName').optional({ values: 'null' }).isString().withMessage('deviceName must be a string').bail().trim().isLength({ max: 100 }),
];
export const secondFactorOptionsRules = [requiredString('mfaToken', 256)];
export const secondFactorRules = [
  requiredString('mfaToken', 256),
  credential,
  body('rememberDevice').optional({ values: 'null' }).isBoolean({ strict: true }).withMessage('rememberDevice must be true or false'),
];
