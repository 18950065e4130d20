// Response mappers whitelist fields: a hash, secret or internal counter cannot leak by accident.
import { countryName } from '../domain/location';
import type { SecurityEventView } from '../domain/user.service';
import type { ActiveSession, SessionOwner, TokenPair, UserProfile } from '../domain/types';

export const publicUser = (u: SessionOwner) => ({ id: u.id, email: u.email, username: u.username, role: u.role, status: u.status });

export const profile = (u: UserProfile) => ({
  ...publicUser(u),
  twoFactorEnabled: u.twoFactorEnabled,
  emailVerified: u.emailVerified ?? false,
  // Issue 28 (additive): the last sign-in that opened a session.
  lastLoginAt: u.lastLoginAt ? u.lastLoginAt.toISOString() : null,
  createdAt: u.createdAt.toISOString(),
});

export const tokenResponse = (t: TokenPair) => ({
  accessToken: t.accessToken,
  refreshToken: t.refreshToken,
  tokenType: t.tokenType,
  expiresIn: t.expiresIn,
  sessionId: t.sessionId,
  user: publicUser(t.user),
});

/** What a session's owner and an administrator both see of it (the owner's list adds `current`). */
const sessionFields = (s: ActiveSession) => ({
  browser: s.browser,
  os: s.os,
  deviceType: s.deviceType,
  deviceName: s.deviceName,
  name: s.name,
  userAgent: s.userAgent,
  ipAddress: s.ipAddress,
  lastIpAddress: s.lastSeenIp ?? s.ipAddress,
  // Where lastIpAddress is (issue 33); null for private, loopback and unknown addresses.
  location: s.countryCode
    ? { countryCode: s.countryCode, country: countryName(s.countryCode) ?? s.countryCode, city: s.city, region: s.region }
    : null,
  createdAt: s.createdAt.toISOString(),
  lastActiveAt: s.lastActiveAt.toISOString(),
  // A refresh stamps lastActiveAt, a request with the access token lastSeenAt: last seen is the later one.
  lastSeenAt: (s.lastSeenAt && s.lastSeenAt > s.lastActiveAt ? s.lastSeenAt : s.lastActiveAt).toISOString(),
  expiresAt: s.expiresAt.toISOString(),
  aal: s.aal,
});

export const sessionView = (s: ActiveSession, currentSessionId: string) => ({
  id: s.id,
  current: s.id === currentSessionId,
  ...sessionFields(s),
});

/** GET /api/admin/users/{userId}/sessions: the same fields without `current` (the admin holds none of them). */
export const adminSessionView = (s: ActiveSession) => ({ id: s.id, ...sessionFields(s) });

export const securityEvent = (e: SecurityEventView) => ({
  id: e.id,
  type: e.type,
  ipAddress: e.ipAddress,
  userAgent: e.userAgent,
  browser: e.device.browser,
  os: e.device.os,
  deviceType: e.device.deviceType,
  createdAt: e.createdAt.toISOString(),
  metadata: e.metadata,
});
