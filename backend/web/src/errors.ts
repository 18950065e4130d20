// API error codes are stable; the page turns them into sentences in the person's language.
import { ApiError } from './api';
import { errorMessage } from './error-messages';
import { dateTime, t } from './i18n';

/**
 * `wording` replaces the sentence of some codes on a group of pages: on the admin pages REAUTH_REQUIRED means
 * "sign in again", not the account pages' "confirm your password".
 */
export function errorText(err: unknown, wording: Readonly<Record<string, string>> = {}): string {
  if (!(err instanceof ApiError)) return t('error.unexpected');
  const special = wording[err.code];
  if (special) return t(special);
  const { key, params } = errorMessage(err.code, err.retryAfter, dateTime);
  const text = t(key, params);
  if (text === key) return t('error.unknown', { code: err.code });
  // Field problems come from the server in English; the lead sentence is localised.
  return err.code === 'VALIDATION_ERROR' ? [text, ...err.details.map((d) => d.message)].join(' ') : text;
}
