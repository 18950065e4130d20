// Which message (and which parameters) stands for an API error code. Kept free of the DOM and of the
// language state, so a unit test can check it against every error code the API documents
// (test/unit/web-i18n.test.ts); errors.ts turns the result into a sentence in the person's language.

export interface ErrorMessage {
  key: string;
  params: Record<string, string | number>;
}

/** Seconds to wait when a 429 came without Retry-After (the API always sends it; this is a fallback). */
const DEFAULT_RETRY_SECONDS = 60;

export function errorMessage(code: string, retryAfter: number | null, formatTime: (at: Date) => string, now = Date.now()): ErrorMessage {
  switch (code) {
    case 'ACCOUNT_LOCKED':
      return retryAfter ? { key: 'error.ACCOUNT_LOCKED_until', params: { time: formatTime(new Date(now + retryAfter * 1000)) } } : { key: 'error.ACCOUNT_LOCKED', params: {} };
    case 'RATE_LIMITED':
      return { key: 'error.RATE_LIMITED', params: { seconds: retryAfter ?? DEFAULT_RETRY_SECONDS } };
    default:
      return { key: `error.${code}`, params: {} };
  }
}
