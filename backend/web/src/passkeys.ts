// Passkey ceremonies in the page, through @simplewebauthn/browser (it turns the server's JSON options into
// navigator.credentials calls and the credential back into JSON). The server checks everything.
import {
  browserSupportsWebAuthn,
  browserSupportsWebAuthnAutofill,
  startAuthentication,
  startRegistration,
  WebAuthnAbortService,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';
import { api, ApiError, type BrowserTokens } from './api';

export const passkeysSupported = () => browserSupportsWebAuthn();

/**
 * The browser's own refusals (the person cancelled, timed out, or the authenticator has the passkey
 * already) become an ApiError with a code of the page's own, so ErrorAlert can word them.
 */
function ceremonyError(err: unknown): unknown {
  const name = (err as { name?: string })?.name;
  const code = (err as { code?: string })?.code;
  if (err instanceof ApiError) return err;
  if (code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED' || name === 'InvalidStateError') return new ApiError(0, 'PASSKEY_EXISTS', 'already registered');
  if (name === 'NotAllowedError' || name === 'AbortError') return new ApiError(0, 'PASSKEY_CANCELLED', 'cancelled');
  return new ApiError(0, 'PASSKEY_UNSUPPORTED', (err as Error)?.message ?? 'WebAuthn failed');
}

/** Adds a passkey: options (with the password when the sign-in is not recent), the authenticator, verify. */
export async function addPasskey(password: string | null, name: string | null): Promise<void> {
  const { options } = await api<{ options: PublicKeyCredentialCreationOptionsJSON }>('/api/user/passkeys/registration/options', { method: 'POST', body: password ? { password } : {} });
  let credential;
  try {
    credential = await startRegistration({ optionsJSON: options });
  } catch (err) {
    throw ceremonyError(err);
  }
  await api('/api/user/passkeys/registration/verify', { method: 'POST', body: { credential, ...(name ? { name } : {}) } });
}

/**
 * Passwordless sign-in. `autofill`: conditional UI (the passkeys appear in the email field's autofill list;
 * the promise waits until one is picked, and is abandoned when the page leaves or the button is used).
 */
export async function passkeySignIn(autofill: boolean): Promise<BrowserTokens | null> {
  if (autofill && !(await browserSupportsWebAuthnAutofill())) return null;
  const { options } = await api<{ options: PublicKeyCredentialRequestOptionsJSON }>('/api/auth/passkey/options', { method: 'POST', auth: false, body: {} });
  let credential;
  try {
    credential = await startAuthentication({ optionsJSON: options, useBrowserAutofill: autofill });
  } catch (err) {
    // A conditional request ends with AbortError whenever another ceremony starts: not worth a word.
    if (autofill) return null;
    throw ceremonyError(err);
  }
  return api<BrowserTokens>('/api/auth/browser/passkey/verify', { method: 'POST', auth: false, body: { credential } });
}

/** The passkey as the second step after the password. */
export async function passkeySecondFactor(mfaToken: string, rememberDevice: boolean): Promise<BrowserTokens> {
  const { options } = await api<{ options: PublicKeyCredentialRequestOptionsJSON }>('/api/auth/login/2fa/passkey/options', { method: 'POST', auth: false, body: { mfaToken } });
  let credential;
  try {
    credential = await startAuthentication({ optionsJSON: options });
  } catch (err) {
    throw ceremonyError(err);
  }
  return api<BrowserTokens>('/api/auth/browser/login/2fa/passkey', { method: 'POST', auth: false, body: { mfaToken, credential, rememberDevice } });
}

/** Ends a pending conditional request (the sign-in page is left). */
export const cancelPasskeyRequest = () => WebAuthnAbortService.cancelCeremony();
