// Input rules for the recovery endpoints (http/fields.ts). Types are checked: `{"token": 1}` is a 400.
import { email, optionalText, text } from '../../http/fields';

export const mailRequestBody = { email: email() };
export const tokenBody = { token: text(256) };
// Length and common-password checks are the domain policy's (the same everywhere).
export const resetConfirmBody = { token: text(256), newPassword: text(1024) };
export const emailChangeBody = {
  password: text(1024),
  newEmail: email(),
  // Required only while 2FA is on (the service decides): a TOTP code or a backup code.
  code: optionalText(32),
};
