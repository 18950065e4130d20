// Errors of the OAuth endpoints, with the RFC 6749 §5.2 / RFC 7009 error codes as their stable codes.
// The HTTP layer (modules/oauth) maps them to statuses in one place.

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'unsupported_token_type'
  /** RFC 8707 §2: a `resource` that is not registered, or several when only one is supported. */
  | 'invalid_target'
  /** RFC 7591 §3.2.2: a redirect URI a registration may not have. */
  | 'invalid_redirect_uri'
  /** RFC 7591 §3.2.2: any other client metadata refused. */
  | 'invalid_client_metadata'
  /** RFC 6750 §3.1 (RFC 7591 §3, RFC 7592 §3): a missing or wrong initial or registration access token. */
  | 'invalid_token'
  /** RFC 8628 §3.5: the device token request's answers while, or after, the user decides. */
  | 'authorization_pending'
  | 'slow_down'
  | 'access_denied'
  | 'expired_token';

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

/** RFC 6749 §4.1.2.1 and OIDC Core §3.1.2.6 error codes of the authorization endpoint. */
export type AuthorizeErrorCode =
  | 'invalid_request'
  | 'unauthorized_client'
  | 'access_denied'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'server_error'
  | 'login_required'
  | 'consent_required'
  | 'interaction_required'
  | 'request_not_supported'
  | 'request_uri_not_supported'
  | 'registration_not_supported'
  | 'invalid_target';

/**
 * An authorization request refused before its redirect URI is known to be the client's (unknown client, a
 * redirect_uri that is not registered): shown to the user on a page, never redirected (RFC 6749 §4.1.2.1),
 * so the endpoint cannot be used as an open redirector.
 */
export class AuthorizePageError extends Error {
  constructor(
    readonly code: 'invalid_request' | 'invalid_client' | 'invalid_redirect_uri' | 'temporarily_unavailable',
    message: string,
  ) {
    super(message);
    this.name = 'AuthorizePageError';
  }
}

/** A refusal after the redirect URI is known: the browser goes back to the client with `error` and `state`. */
export class AuthorizeRedirectError extends Error {
  constructor(
    readonly code: AuthorizeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AuthorizeRedirectError';
  }
}

/** A Client ID Metadata Document that cannot be used (fetch refused or failed, or its content refused). */
export class ClientMetadataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClientMetadataError';
  }
}
