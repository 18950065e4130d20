// Row -> domain mapping. Fields are copied one by one so that columns the domain does not know about
// (AuditEvent.publishedAt, BackupCode.createdAt...) never leak into domain objects.
import type {
  AuditEvent as AuditEventRow,
  BackupCode as BackupCodeRow,
  MfaChallenge as MfaChallengeRow,
  Session as SessionRow,
  User as UserRow,
} from '../../generated/prisma/client';
import type { AuditEvent, AuditEventType, BackupCode, MfaChallenge, Session, User } from '../../domain/types';

export type { SessionRow };

export function toUser(r: UserRow): User {
  return {
    id: r.id,
    email: r.email,
    username: r.username,
    passwordHash: r.passwordHash,
    role: r.role,
    status: r.status,
    failedLoginCount: r.failedLoginCount,
    lockCount: r.lockCount,
    lockedUntil: r.lockedUntil,
    twoFactorEnabled: r.twoFactorEnabled,
    totpSecretEncrypted: r.totpSecretEncrypted,
    totpLastUsedStep: r.totpLastUsedStep,
    passwordChangedAt: r.passwordChangedAt,
    deletedAt: r.deletedAt,
    emailVerified: r.emailVerified,
    lastLoginAt: r.lastLoginAt,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/** Also used for rows from `$queryRaw ... RETURNING *`, which Prisma deserialises to the same JS types. */
export function toSession(r: SessionRow): Session {
  return {
    id: r.id,
    userId: r.userId,
    refreshTokenHash: r.refreshTokenHash,
    previousRefreshTokenHash: r.previousRefreshTokenHash,
    userAgent: r.userAgent,
    ipAddress: r.ipAddress,
    deviceName: r.deviceName,
    browser: r.browser,
    os: r.os,
    deviceType: r.deviceType,
    name: r.name,
    lastSeenAt: r.lastSeenAt,
    lastSeenIp: r.lastSeenIp,
    countryCode: r.countryCode,
    city: r.city,
    region: r.region,
    aal: r.aal,
    createdAt: r.createdAt,
    lastActiveAt: r.lastActiveAt,
    expiresAt: r.expiresAt,
    idleExpiresAt: r.idleExpiresAt,
    revokedAt: r.revokedAt,
    revokedReason: r.revokedReason,
    clientId: r.clientId,
    scope: r.scope,
    resource: r.resource,
  };
}

export function toMfaChallenge(r: MfaChallengeRow): MfaChallenge {
  return {
    id: r.id,
    userId: r.userId,
    tokenHash: r.tokenHash,
    attempts: r.attempts,
    ipAddress: r.ipAddress,
    userAgent: r.userAgent,
    deviceName: r.deviceName,
    expiresAt: r.expiresAt,
    consumedAt: r.consumedAt,
    createdAt: r.createdAt,
  };
}

export function toBackupCode(r: Pick<BackupCodeRow, 'id' | 'userId' | 'codeHash' | 'usedAt'>): BackupCode {
  return { id: r.id, userId: r.userId, codeHash: r.codeHash, usedAt: r.usedAt };
}

export function toAuditEvent(r: AuditEventRow): AuditEvent {
  const m = r.metadata;
  return {
    id: r.id,
    userId: r.userId,
    // The column is free text so new event types need no migration; we only ever write AuditEventType.
    type: r.type as AuditEventType,
    ipAddress: r.ipAddress,
    userAgent: r.userAgent,
    metadata: m !== null && typeof m === 'object' && !Array.isArray(m) ? (m) : {},
    createdAt: r.createdAt,
  };
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Id columns are @db.Uuid: PostgreSQL rejects a malformed uuid with an error (and would abort a surrounding
 * transaction), so lookups by ids that may come from requests check the shape first and treat junk as "absent".
 */
export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}
