// Domain types: plain data, no framework types. Adapters map rows to these and back.

export type Role = 'user' | 'admin';
export type UserStatus = 'active' | 'pending' | 'disabled';

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
  createdAt: Date;
  updatedAt: Date;
}

/** What /me shows: no hash, no secret, no counters. */
export type UserProfile = Pick<User, 'id' | 'email' | 'username' | 'role' | 'status' | 'twoFactorEnabled' | 'createdAt'>;

export type NewUser = Pick<User, 'id' | 'email' | 'username' | 'passwordHash' | 'role' | 'status'>;

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
  aal: number;
  createdAt: Date;
  lastActiveAt: Date;
  expiresAt: Date;
  idleExpiresAt: Date;
  revokedAt: Date | null;
  revokedReason: string | null;
}

export type NewSession = Omit<Session, 'previousRefreshTokenHash' | 'revokedAt' | 'revokedReason'>;

/** What a token response needs of the session's user. */
export type SessionOwner = Pick<User, 'id' | 'email' | 'username' | 'role' | 'status'>;

/** A rotated session with its owner, read in the same statement (refresh needs both). */
export type RotatedSession = Session & { owner: SessionOwner };

/** Why a session ended; kept on the row and in the audit log. */
export type RevokeReason =
  | 'logout'
  | 'logout_all'
  | 'revoked_by_user'
  | 'password_changed'
  | 'refresh_token_reused'
  | 'admin'
  | 'session_limit';

/** Who is calling and from where: recorded on sessions and audit events. */
export interface RequestContext {
  ipAddress: string | null;
  userAgent: string | null;
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
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  sessionId: string;
  user: SessionOwner;
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
  | 'account.locked'
  | 'logout'
  | 'session.revoked'
  | 'password.changed'
  | '2fa.enabled'
  | '2fa.disabled'
  | '2fa.backup_code_used'
  | '2fa.backup_codes_regenerated'
  | 'refresh_token.reused'
  | 'admin.sessions_revoked'
  | 'admin.promoted'
  | 'admin.bootstrap_refused';

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
