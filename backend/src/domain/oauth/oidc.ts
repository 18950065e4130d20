// OpenID Connect vocabulary: the standard scopes, what each releases, and how a session's assurance is told.
import type { User } from '../types';

export const OPENID = 'openid';
export const OFFLINE_ACCESS = 'offline_access';
/** OIDC Core §5.4 and §11: granted to any client of the authorization code flow, besides its allowedScopes. */
export const OIDC_SCOPES: readonly string[] = [OPENID, 'profile', 'email', OFFLINE_ACCESS];

/** Claims the userinfo endpoint and the ID token may carry, per scope (OIDC Core §5.4). */
export const CLAIMS_SUPPORTED = ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'acr', 'amr', 'sid', 'at_hash', 'email', 'email_verified', 'preferred_username', 'updated_at'];

export function scopeClaims(user: Pick<User, 'id' | 'email' | 'emailVerified' | 'username' | 'updatedAt'>, scope: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { sub: user.id };
  if (scope.includes('email')) Object.assign(out, { email: user.email, email_verified: user.emailVerified });
  if (scope.includes('profile')) {
    if (user.username) out.preferred_username = user.username;
    out.updated_at = Math.floor(user.updatedAt.getTime() / 1000);
  }
  return out;
}

/** RFC 8176 authentication method references and our acr values, from the session's assurance level. */
export function assurance(aal: number): { amr: string[]; acr: string } {
  return aal >= 2 ? { amr: ['pwd', 'otp', 'mfa'], acr: 'aal2' } : { amr: ['pwd'], acr: 'aal1' };
}

export const ACR_VALUES = ['aal1', 'aal2'];

/** base64url of the left half of SHA-256 (hex given): OIDC Core §3.1.3.6 at_hash, RFC 7636 S256 uses the whole. */
export function leftHalfBase64url(sha256Hex: string): string {
  return Buffer.from(sha256Hex, 'hex').subarray(0, 16).toString('base64url');
}

export function base64urlOfHex(sha256Hex: string): string {
  return Buffer.from(sha256Hex, 'hex').toString('base64url');
}

/** OIDC Back-Channel Logout 1.0 §2.4: the event a logout token carries. */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** The claims of a logout token (§2.4): no nonce, `events` with the logout event, `sid` and `sub`, short-lived. */
export function logoutTokenClaims(input: { issuer: string; clientId: string; userId: string; sid: string; jti: string; now: Date }): Record<string, unknown> {
  const iat = Math.floor(input.now.getTime() / 1000);
  return { iss: input.issuer, aud: input.clientId, iat, exp: iat + 120, jti: input.jti, sub: input.userId, sid: input.sid, events: { [BACKCHANNEL_LOGOUT_EVENT]: {} } };
}
