// Typed input rules of the passkey endpoints (http/fields.ts). The WebAuthn response itself is checked by the
// relying party (@simplewebauthn/server); here only that it is a JSON object.
import { PASSKEY_NAME_MAX } from '../../domain/passkeys/passkey.service';
import { field, optionalText, text } from '../../http/fields';

/** The authenticator's response (RegistrationResponseJSON / AuthenticationResponseJSON), opaque here. */
const credential = () =>
  field<Record<string, unknown>>((c, name) => c
    .exists({ values: 'null' }).withMessage(`${name} is required`).bail()
    .custom((v) => typeof v === 'object' && v !== null && !Array.isArray(v)).withMessage(`${name} must be the WebAuthn response as a JSON object`));

/** Optional: within REAUTH_WINDOW_SECONDS of signing in none is needed (403 REAUTH_REQUIRED after). */
const password = () =>
  field<string | null | undefined>((c, name) => c.optional({ values: 'null' })
    .isString().withMessage(`${name} must be a string`).bail()
    .isLength({ min: 1, max: 1024 }).withMessage(`${name} must be 1–1024 characters`));

const rememberDevice = () =>
  field<boolean | null | undefined>((c, name) => c.optional({ values: 'null' }).isBoolean({ strict: true }).withMessage(`${name} must be true or false`));

// Far above the limit, so a huge body fails here; PasskeyService checks the length after trimming.
export const reauthBody = { password: password() };
export const registerBody = { credential: credential(), name: optionalText(PASSKEY_NAME_MAX * 4) };
export const renameBody = { name: text(PASSKEY_NAME_MAX * 4) };
export const signInBody = {
  credential: credential(),
  deviceName: field<string | null | undefined>((c, name) => c.optional({ values: 'null' }).isString().withMessage(`${name} must be a string`).bail().trim().isLength({ max: 100 })),
};
export const secondFactorOptionsBody = { mfaToken: text(256) };
export const secondFactorBody = { mfaToken: text(256), credential: credential(), rememberDevice: rememberDevice() };
