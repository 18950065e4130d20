// Typed domain errors with stable codes. They carry no HTTP status: the HTTP layer maps codes to statuses
// in one place (http/errors.ts).

export type DomainErrorCode =
  | 'VALIDATION_ERROR'
  | 'UNAUTHENTICATED'
  | 'INVALID_TOKEN'
  | 'TOKEN_EXPIRED'
  | 'SESSION_TERMINATED'
  | 'INVALID_CREDENTIALS'
  | 'INVALID_REFRESH_TOKEN'
  | 'REFRESH_TOKEN_REUSED'
  | 'MFA_INVALID_CODE'
  | 'ACCOUNT_LOCKED'
  | 'ACCOUNT_PENDING'
  | 'ACCOUNT_DISABLED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'EMAIL_TAKEN'
  | 'MFA_ALREADY_ENABLED'
  | 'MFA_NOT_ENABLED'
  | 'RATE_LIMITED'
  | 'SERVICE_UNAVAILABLE'
  | 'CLIENT_ID_TAKEN'
  | 'MFA_REQUIRED'
  | 'EMAIL_NOT_VERIFIED'
  | 'LINK_INVALID'
  | 'REAUTH_REQUIRED'
  | 'PASSKEY_INVALID'
  | 'LAST_SIGN_IN_METHOD'
  | 'ROLE_CONFLICT'
  | 'ROLE_CYCLE'
  | 'LAST_ADMIN';

export interface FieldProblem {
  field: string;
  message: string;
}

export class DomainError extends Error {
  /** Whole seconds until a retry may succeed (lockout, rate limits, outages); at least 1, since 0 invites an instant retry. */
  readonly retryAfterSeconds?: number;

  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: FieldProblem[],
    retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DomainError';
    if (retryAfterSeconds !== undefined) this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}

export const Errors = {
  validation: (details: FieldProblem[], message = 'Request validation failed') =>
    new DomainError('VALIDATION_ERROR', message, details),
  unauthenticated: () => new DomainError('UNAUTHENTICATED', 'Authentication required'),
  invalidToken: (message = 'Token is invalid') => new DomainError('INVALID_TOKEN', message),
  tokenExpired: () => new DomainError('TOKEN_EXPIRED', 'Access token has expired'),
  sessionTerminated: () => new DomainError('SESSION_TERMINATED', 'Session has been terminated'),
  // One message for unknown email and wrong password: no account enumeration.
  invalidCredentials: () => new DomainError('INVALID_CREDENTIALS', 'Invalid email or password'),
  invalidRefreshToken: () => new DomainError('INVALID_REFRESH_TOKEN', 'Refresh token is invalid or expired'),
  refreshTokenReused: () =>
    new DomainError('REFRESH_TOKEN_REUSED', 'Refresh token was already used; the session has been revoked'),
  mfaInvalidCode: () => new DomainError('MFA_INVALID_CODE', 'Invalid or expired verification code'),
  accountLocked: (retryAfterSeconds: number) =>
    new DomainError('ACCOUNT_LOCKED', 'Account temporarily locked after too many failed attempts', undefined, retryAfterSeconds),
  accountPending: () => new DomainError('ACCOUNT_PENDING', 'Registration is awaiting approval'),
  accountDisabled: () => new DomainError('ACCOUNT_DISABLED', 'Account is disabled'),
  forbidden: (message = 'Not allowed') => new DomainError('FORBIDDEN', message),
  notFound: (what = 'Resource') => new DomainError('NOT_FOUND', `${what} not found`),
  emailTaken: () => new DomainError('EMAIL_TAKEN', 'An account with this email already exists'),
  mfaAlreadyEnabled: () => new DomainError('MFA_ALREADY_ENABLED', 'Two-factor authentication is already enabled'),
  mfaNotEnabled: () => new DomainError('MFA_NOT_ENABLED', 'Two-factor authentication is not enabled'),
  mfaRequiredElsewhere: () =>
    new DomainError('MFA_REQUIRED', 'This account uses two-factor authentication; sign in through /api/auth/login'),
  /** A sensitive change needs the password again: the session signed in too long ago (REAUTH_WINDOW_SECONDS). */
  reauthRequired: (message = 'Confirm your password: this session signed in too long ago for this change') =>
    new DomainError('REAUTH_REQUIRED', message),
  /** A WebAuthn response that does not verify, names an unknown credential or answers no live challenge: one answer for all. */
  passkeyInvalid: () => new DomainError('PASSKEY_INVALID', 'The passkey could not be verified; try again'),
  lastSignInMethod: () =>
    new DomainError('LAST_SIGN_IN_METHOD', 'This is the last way to sign in to this account: add another passkey or set a password first'),
  clientIdTaken: () => new DomainError('CLIENT_ID_TAKEN', 'An OAuth client with this clientId already exists'),
  emailNotVerified: () =>
    new DomainError('EMAIL_NOT_VERIFIED', 'Confirm your email address first: follow the link in the mail we sent'),
  /** A mailed link (reset, verification, report) that is unknown, used, superseded or expired: one answer for all. */
  linkInvalid: () => new DomainError('LINK_INVALID', 'This link is invalid, has already been used, or has expired'),
  /** A role that would include itself through `path` (a → b → a): the hierarchy has no cycles. */
  roleCycle: (path: string[]) =>
    new DomainError('ROLE_CYCLE', `Role hierarchy cannot have a cycle: ${path.join(' → ')}`, [{ field: 'includes', message: `would make the cycle ${path.join(' → ')}` }]),
  lastAdmin: (message = 'The last active administrator cannot be demoted') => new DomainError('LAST_ADMIN', message),
  rateLimited: (retryAfterSeconds: number) =>
    new DomainError('RATE_LIMITED', 'Too many requests', undefined, retryAfterSeconds),
  /** One more open event stream than its cap allows (`what`: session, user, client, IP address). */
  tooManyStreams: (what: string, limit: number, retryAfterSeconds: number) =>
    new DomainError('RATE_LIMITED', `Too many open event streams for this ${what} (at most ${limit})`, undefined, retryAfterSeconds),
  /** A dependency (database, revocation feed) is unreachable: retry later, nothing was decided. */
  serviceUnavailable: (retryAfterSeconds: number, message = 'Service temporarily unavailable') =>
    new DomainError('SERVICE_UNAVAILABLE', message, undefined, retryAfterSeconds),
};
