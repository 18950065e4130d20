// Errors in the Sessionary error shape: {"error": {"code", "message"}} with the same codes and statuses as
// the server, so a client sees one vocabulary whichever service refused it.

export type VerifierErrorCode =
  | 'UNAUTHENTICATED'
  | 'INVALID_TOKEN'
  | 'TOKEN_EXPIRED'
  | 'SESSION_TERMINATED'
  | 'FORBIDDEN'
  | 'AUTH_UNAVAILABLE';

const STATUS: Record<VerifierErrorCode, number> = {
  UNAUTHENTICATED: 401,
  INVALID_TOKEN: 401,
  TOKEN_EXPIRED: 401,
  SESSION_TERMINATED: 401,
  FORBIDDEN: 403,
  // The key set or the revocation feed could not be reached: the token is not known to be bad.
  AUTH_UNAVAILABLE: 503,
};

export class VerifierError extends Error {
  readonly status: number;

  constructor(
    readonly code: VerifierErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'VerifierError';
    this.status = STATUS[code];
  }

  /** The response body, `{error: {code, message}}`. */
  toJSON(): { error: { code: VerifierErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export const isVerifierError = (err: unknown): err is VerifierError => err instanceof VerifierError;
