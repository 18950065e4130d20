// API error codes are stable; the page turns them into sentences in the person's language.
import { ApiError } from './api';
import { dateTime, t } from './i18n';

export function errorText(err: unknown): string {
  if (!(err instanceof ApiError)) return t('error.unexpected');
  switch (err.code) {
    case 'ACCOUNT_LOCKED':
      return err.retryAfter ? t('error.ACCOUNT_LOCKED_until', { time: dateTime(new Date(Date.now() + err.retryAfter * 1000)) }) : t('error.ACCOUNT_LOCKED');
    case 'RATE_LIMITED':
      return t('error.RATE_LIMITED', { seconds: err.retryAfter ?? 60 });
    case 'VALIDATION_ERROR':
      // Field problems come from the server in English; the lead sentence is localised.
      return [t('error.VALIDATION_ERROR'), ...err.details.map((d) => d.message)].join(' ');
    default: {
      const text = t(`error.${err.code}`);
      return text === `error.${err.code}` ? t('error.unknown', { code: err.code }) : text;
    }
  }
}
