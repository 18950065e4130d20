// Domain types: plain data, no framework types. Adapters map rows to these and back.

export type Role = 'user' | 'admin';
export type UserStatus = 'active' | 'pending' | 'disabled' | 'rejected';

/** Disabled by an admin or a registration rejected: no sign-in, no mailed link works (ACCOUNT_DISABLED). */
export const isBarred = (status: UserStatus): boolean => status === 'disabled' || status === 'rejected';

export interface User {
  id: string;
  email: string;
  username: string | null;
  passwordHash: string;
  role: Role;
  status: UserStatus;
  failedLoginCount: number;
  lockCount: number;
  lockedUntil: Date | null;
  twoFactorEnabled: boolean;
  totpSecretEncrypted: string | null;
  totpLastUsedStep: number | null;
  passwordChangedAt: Date | null;
  /** Set once the user deleted the account (the row is then an anonymised tombstone). */
  deletedAt: Date | null;
  /** The owner has shown they read mail at `email` (verification link or a completed password reset). */
  emailVerified: boolean;
  /** The last sign-in that opened a session; null until the first. */
  lastLoginAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What /me shows: no hash, no secret, no counters. */
export type UserProfile = Pick<User, 'id' | 'email' | 'username' | 'role' | 'status' | 'twoFactorEnabled' | 'createdAt'> & { emailVerified?: boolean; lastLoginAt?: Date | null };

export type NewUser = Pick<User, 'id' | 'email' | 'username' | 'passwordHash' | 'role' | 'status'> & { emailVerified?: boolean };

export interface Session {
  id: string;
  userId: string;
  refreshTokenHash: string;
  previousRefreshTokenHash: string | null;
  userAgent: string | null;
  ipAddress: string | null;
  deviceName: string | null;
  browser: string | null;
  os: string | null;
  deviceType: string | null;
  /** The user's own label for the session; null until renamed. */
  name: string | null;
  /** Last authenticated request (at most a minute stale) and its client IP; null until the first one. */
  lastSeenAt: Date | null;
  lastSeenIp: string | null;
  /**
   * Where the session's last known IP is (issue 33): ISO 3166-1 alpha-2 country code, and city/region only
   * with a city database (GEOIP_CITY_DB). Null for private, loopback and unknown addresses. No coordinates.
   */
  countryCode: string | null;
  city: string | null;
  region: string | null;
  aal: number;
  createdAt: Date;
  lastActiveAt: Date;
  expiresAt: Date;
  idleExpiresAt: Date;
  revokedAt: Date | null;
  revokedReason: string | null;
  /** OAuth client the session was opened for; null for /api/auth sessions. Its refresh token works only for it. */
  clientId: string | null;
  /** Scopes granted to the session (OAuth), space-separated; null for /api/auth sessions. */
  scope: string | null;
  /** RFC 8707: the resource the session's access tokens are for (their `aud`); null/absent = our own audience. */
  resource?: string | null;
}

/**
 * A live session as listActive gives it: what the sessions list shows, and the order and ids session limits
 * need. No token hashes or revocation fields, so the hot session-list query reads no column it does not show.
 */
export type ActiveSession = Pick<
  Session,
  'id' | 'userAgent' | 'ipAddress' | 'deviceName' | 'browser' | 'os' | 'deviceType' | 'name' | 'lastSeenAt' | 'lastSeenIp' | 'countryCode' | 'city' | 'region' | 'aal' | 'createdAt' | 'lastActiveAt' | 'expiresAt'
>;

export type NewSession = Omit<Session, 'previousRefreshTokenHash' | 'revokedAt' | 'revokedReason' | 'clientId' | 'scope' | 'resource' | 'name' | 'lastSeenAt' | 'lastSeenIp' | 'countryCode' | 'city' | 'region'> & {
  clientId?: string | null;
  scope?: string | null;
  resource?: string | null;
  /** Authorization code flow: the browser session the client's tokens were granted from; revoked with it. */
  parentSessionId?: string | null;
  /** Where the sign-in came from (IpLocator); absent = unknown. */
  countryCode?: string | null;
  city?: string | null;
  region?: string | null;
};

/** What a token response needs of the session's user. */
export type SessionOwner = Pick<User, 'id' | 'email' | 'username' | 'role' | 'status'>;

/**
 * A rotated session with its owner, read in the same statement: what refresh needs for the new token pair
 * (and to revoke the session), nothing more — every column read is parsed on the hottest write path.
 */
export type RotatedSession = Pick<Session, 'id' | 'userId' | 'aal' | 'expiresAt' | 'idleExpiresAt' | 'clientId' | 'scope' | 'resource'> & { owner: SessionOwner };

/** Why a session ended; kept on the row and in the audit log. */
export type RevokeReason =
  | 'logout'
  | 'logout_all'
  | 'revoked_by_user'
  | 'password_changed'
  | 'refresh_token_reused'
  | 'admin'
  | 'session_limit'
  | 'token_revoked'
  | 'authorization_code_replayed'
  | 'device_code_replayed'
  | 'client_deactivated'
  | 'password_reset'
  | 'reported_by_user'
  /** 2FA was turned on in another session: sessions that never proved the new factor end. */
  | 'two_factor_enabled'
  | 'account_deleted'
  /** The old address undid a change of the account's email address (the revert link of `email_changed`). */
  | 'email_change_reverted'
  /** A role or permission was taken from the user (docs/roles.md): their tokens must not keep it. */
  | 'permissions_changed'
  /** An administrator (or the CLI) disabled the account (issue 28): every session ends at once. */
  | 'account_disabled';

/** Who is calling and from where: recorded on sessions and audit events. */
export interface RequestContext {
  ipAddress: string | null;
  userAgent: string | null;
  /** Fires when the client has gone before the answer (set where work may be skipped then: login). */
  signal?: AbortSignal;
}

/**
 * Where an IP address is, as far as an offline database knows (issue 33). Country code (ISO 3166-1 alpha-2)
 * and its English name always; city and region only with a city database. Never coordinates.
 */
export interface IpLocation {
  countryCode: string;
  country: string;
  city: string | null;
  region: string | null;
}

export interface DeviceInfo {
  browser: string | null;
  os: string | null;
  deviceType: string | null;
}

export interface AccessClaims {
  sub: string;
  sid: string;
  role: Role;
  aal: number;
  email: string;
  username: string | null;
  iat: number;
  exp: number;
  iss: string;
  aud: string;
  jti: string;
  /** RFC 8176 methods of the sign-in, on tokens of a passkey sign-in (`hwk`/`swk`). */
  amr?: string[];
  /**
   * First-party tokens (issue 28): every role the user holds (through inclusion too), and the effective
   * permissions when there are at most TOKEN_PERMISSIONS_MAX of them (docs/roles.md).
   */
  roles?: string[];
  permissions?: string[];
  /** OAuth: the client the token was issued to, and the granted scopes (space-separated). */
  client_id?: string;
  scope?: string;
}

/**
 * Claims of a client_credentials token: the subject is the client. `sid` is unique per token and prefixed
 * (CLIENT_TOKEN_SID_PREFIX), so one token can be revoked through the same revocation view as sessions.
 */
export interface ClientAccessClaims {
  sub: string;
  sid: string;
  client_id: string;
  scope: string;
}

export const CLIENT_TOKEN_SID_PREFIX = 'cc:';

/** True for tokens issued by the client_credentials grant: they never act for a user. */
export function isClientToken(claims: { sid: string }): boolean {
  return claims.sid.startsWith(CLIENT_TOKEN_SID_PREFIX);
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  sessionId: string;
  user: SessionOwner;
  /** OAuth sessions: the scopes in this access token. */
  scope?: string[];
  /** Passkey sign-ins (RFC 8176): `hwk`/`swk`, after a password also `pwd`. */
  amr?: string[];
}

export interface MfaChallenge {
  id: string;
  userId: string;
  tokenHash: string;
  attempts: number;
  ipAddress: string | null;
  userAgent: string | null;
  deviceName: string | null;
  expiresAt: Date;
  consumedAt: Date | null;
  createdAt: Date;
}

/** A device where the second factor is skipped until expiresAt ("remember this device" at the 2FA step). */
export interface TrustedDevice {
  id: string;
  userId: string;
  tokenHash: string;
  deviceName: string | null;
  browser: string | null;
  os: string | null;
  deviceType: string | null;
  ipAddress: string | null;
  lastSessionId: string | null;
  lastUsedAt: Date | null;
  expiresAt: Date;
  createdAt: Date;
}

export interface BackupCode {
  id: string;
  userId: string;
  codeHash: string;
  usedAt: Date | null;
}

export type AuditEventType =
  | 'user.registered'
  | 'registration.approved'
  | 'registration.rejected'
  | 'login.succeeded'
  | 'login.failed'
  | 'reauth.failed'
  | 'account.locked'
  | 'logout'
  | 'session.revoked'
  | 'password.changed'
  | '2fa.enabled'
  | '2fa.disabled'
  | '2fa.backup_code_used'
  | '2fa.backup_codes_regenerated'
  | '2fa.device_trusted'
  | '2fa.trusted_devices_forgotten'
  | 'refresh_token.reused'
  | 'admin.sessions_revoked'
  | 'oauth_client.created'
  | 'oauth_client.updated'
  | 'oauth_client.secret_rotated'
  | 'oauth_client.deactivated'
  /** A Client ID Metadata Document could not be used (fetch refused or failed, or its content refused). */
  | 'oauth_client.metadata_refused'
  /** POST /oauth/register refused: registration off is a 404 and not recorded; a missing or wrong initial access token is. */
  | 'oauth_client.registration_refused'
  | 'oauth.authorization.refused'
  | 'oauth.consent.granted'
  | 'oauth.consent.denied'
  | 'oauth.consent.revoked'
  | 'oauth.code.issued'
  | 'oauth.code.replayed'
  /** RFC 8628 device flow: a client asked for a device code; the user approved or denied it on /device. */
  | 'oauth.device.requested'
  | 'oauth.device.approved'
  | 'oauth.device.denied'
  /** A user code entered on /device that names no pending request (wrong, expired or used). */
  | 'oauth.device.code_refused'
  /** A device code presented again after its tokens were issued: the tokens issued from it are revoked. */
  | 'oauth.device.replayed'
  | 'oauth.backchannel_logout.delivered'
  | 'oauth.backchannel_logout.failed'
  | 'admin.promoted'
  | 'admin.bootstrap_refused'
  | 'password.reset_requested'
  | 'password.reset'
  | 'email.verified'
  | 'email.change_requested'
  | 'email.changed'
  | 'login.new_device'
  /** A sign-in from another country within IMPOSSIBLE_TRAVEL_WINDOW of the last one elsewhere (issue 33). */
  | 'login.impossible_travel'
  | 'session.reported'
  | 'user.deleted'
  /** A credential change, a sign-out everywhere, a report or a 2FA change cancelled a pending change of address. */
  | 'email.change_cancelled'
  /** The old address followed the revert link of a completed change: address restored, every session ended. */
  | 'email.change_reverted'
  /** Passkeys (docs/passkeys.md): added, renamed, removed (by the user, a password reset or an admin). */
  | 'passkey.added'
  | 'passkey.renamed'
  | 'passkey.removed'
  /** A passkey assertion whose signature counter did not grow: a sign of a cloned authenticator; refused. */
  | 'passkey.counter_regressed'
  /** A passkey assertion that did not verify (wrong origin, bad signature, replayed or unknown challenge). */
  | 'passkey.failed'
  /** Federated sign-in (docs/federation.md): a sign-in through an upstream provider (`provider`). */
  | 'login.federated'
  /** An upstream identity linked to the account (`provider`, `via`: sign_up or session) or unlinked. */
  | 'federation.linked'
  | 'federation.unlinked'
  /** A federated sign-in or link refused (`provider`, `reason`: link_requires_sign_in, email_unverified, linked_elsewhere). */
  | 'federation.refused'
  /** Roles (docs/roles.md): definitions changed, and roles granted to or taken from a user. */
  | 'role.created'
  | 'role.updated'
  | 'role.deleted'
  | 'role.granted'
  | 'role.revoked'
  | 'account.disabled'
  | 'account.enabled';

export interface AuditEvent {
  id: string;
  userId: string | null;
  type: AuditEventType;
  ipAddress: string | null;
  userAgent: string | null;
  metadata: Record<string, unknown>;
  createdAt: Date;
}

export type NewAuditEvent = Omit<AuditEvent, 'id' | 'createdAt'>;

/**
 * What a mailed single-use token is for. `email_change_revert` goes to the old address when a change of
 * address completes, and undoes it (subject: the old address).
 */
export type AccountTokenPurpose = 'password_reset' | 'email_verification' | 'sign_in_report' | 'email_change_revert';

export interface AccountToken {
  id: string;
  userId: string;
  purpose: AccountTokenPurpose;
  tokenHash: string;
  /** email_verification: the address it verifies; sign_in_report: the session it ends; email_change_revert: the old address. */
  subject: string | null;
  expiresAt: Date;
  usedAt: Date | null;
}

export type NewAccountToken = Omit<AccountToken, 'usedAt'>;
/**
 * Which of the user's unused tokens of the same purpose a new one replaces, so only the newest link works:
 * `all` of them, only those for the `same-subject` (a resent verification link must not cancel a pending
 * change of address, which has another subject), or `none` (every "this wasn't me" link names its own session).
 */
export type AccountTokenReplacement = 'all' | 'same-subject' | 'none';

/** A device as new-device alerts tell them apart: a stable key and words for the mail. */
export interface DeviceIdentity {
  /** Browser family + OS family + coarse network, hashed: the same for the same device on the same network. */
  key: string;
  /** "Firefox on Windows", for people. */
  description: string;
}
