// Errors of the OAuth endpoints, with the RFC 6749 §5.2 / RFC 7009 error codes as their stable codes.
// The HTTP layer (modules/oauth) maps them to statuses in one place.

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'unsupported_token_type';

export class OAuthError extends Error {
  constructor(
    readonly code: OAuthErrorCode,
    message: string,
    /** invalid_client only: the client tried HTTP Basic, so the answer carries WWW-Authenticate: Basic. */
    readonly basicChallenge = false,
  ) {
    super(message);
    this.name = 'OAuthError';
  }
}
