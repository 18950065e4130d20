// The verifier's local view of revoked sessions. Checked on every verify(): a Set lookup, no network.

export interface RevocationView {
  /** True when the session was revoked (and its tokens could still be unexpired). */
  isRevoked(sessionId: string): boolean;
  /**
   * False when the view may be missing revocations and the configured policy is to fail closed
   * (disconnected from the server for longer than the bound). verify() then answers AUTH_UNAVAILABLE.
   */
  acceptsTokens(): boolean;
}
