// The event catalogue: user-lifecycle events under the names the surrounding services subscribe to,
// derived from audit rows (the transactional outbox). Each catalogue event has its own deterministic id,
// so redelivery of the same audit row yields the same JetStream Nats-Msg-Id and is de-duplicated.
// Payloads are whitelisted per event: ids, flags, reasons, never a secret, hash, token or code.
import { createHash } from 'node:crypto';
import type { AuditEventType } from './types';

export const EVENT_VERSION = 1;

export const CATALOGUE = [
  'USER_REGISTRATION_REQUESTED',
  'USER_CREATED',
  'USER_REGISTRATION_APPROVED',
  'USER_REGISTRATION_REJECTED',
  'USER_LOGGED_IN',
  'USER_LOGGED_OUT',
  'auth.password.reset',
  'SESSION_REVOKED',
  'TWO_FACTOR_ENABLED',
  'TWO_FACTOR_DISABLED',
  'USER_DELETED',
  'USER_ROLES_CHANGED',
  'ROLE_CHANGED',
] as const;
export type CatalogueName = (typeof CATALOGUE)[number];

/** One outbox row with the owner's current public profile (for USER_CREATED). */
export interface OutboxRow {
  id: string;
  userId: string | null;
  // A known audit type, or another event type the outbox carries (string & {} keeps the known names suggested).
  type: AuditEventType | (string & {});
  ipAddress: string | null;
  metadata: Record<string, unknown>;
  createdAt: Date;
  user: { email: string; username: string | null; role: string; status: string } | null;
}

export interface CatalogueEvent {
  id: string;
  type: CatalogueName;
  version: number;
  time: string;
  userId: string | null;
  data: Record<string, unknown>;
}

/** A UUID-shaped id derived from the audit row id and the event name: stable across redeliveries. */
export function catalogueEventId(auditId: string, name: string): string {
  const h = createHash('sha256').update(`${auditId}:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const ids = (m: Record<string, unknown>): string[] =>
  Array.isArray(m.sessionIds) ? m.sessionIds.filter((x): x is string => typeof x === 'string') : typeof m.sessionId === 'string' ? [m.sessionId] : [];
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The catalogue events one audit row stands for (none for types outside the catalogue). */
export function catalogueEvents(row: OutboxRow): CatalogueEvent[] {
  const m = row.metadata ?? {};
  const event = (type: CatalogueName, data: Record<string, unknown>): CatalogueEvent => ({
    id: catalogueEventId(row.id, type),
    type,
    version: EVENT_VERSION,
    time: row.createdAt.toISOString(),
    userId: row.userId,
    data,
  });
  const profile = () => (row.user ? { email: row.user.email, username: row.user.username, role: row.user.role } : {});
  switch (row.type) {
    case 'user.registered':
      // In approval mode the account exists only once an administrator approves it.
      return m.status === 'pending' ? [event('USER_REGISTRATION_REQUESTED', profile())] : [event('USER_CREATED', { ...profile(), status: 'active' })];
    case 'registration.approved':
      return [event('USER_REGISTRATION_APPROVED', { actorId: str(m.actorId) }), event('USER_CREATED', { ...profile(), status: 'active' })];
    case 'registration.rejected':
      return [event('USER_REGISTRATION_REJECTED', { actorId: str(m.actorId) })];
    case 'login.succeeded':
      return [event('USER_LOGGED_IN', { sessionId: str(m.sessionId), aal: typeof m.aal === 'number' ? m.aal : null, method: str(m.method), ipAddress: row.ipAddress })];
    case 'logout':
      return [event('USER_LOGGED_OUT', { allDevices: m.reason === 'logout_all', sessionIds: ids(m) })];
    case 'password.changed':
      return [event('auth.password.reset', { keptSessionId: str(m.keptSessionId), revokedSessionIds: ids(m) })];
    case 'password.reset':
      // A reset by mail: like a change, but no session is kept.
      return [event('auth.password.reset', { keptSessionId: null, revokedSessionIds: ids(m) })];
    case 'session.reported':
      return [event('SESSION_REVOKED', { sessionIds: ids(m), reason: 'reported_by_user' })];
    case 'email.change_reverted':
      // The old address undid a change of address: every session of the account ended.
      return ids(m).length ? [event('SESSION_REVOKED', { sessionIds: ids(m), reason: 'email_change_reverted' })] : [];
    case 'session.revoked':
      return [event('SESSION_REVOKED', { sessionIds: ids(m), reason: str(m.reason) ?? 'revoked_by_user' })];
    case 'refresh_token.reused':
      return [event('SESSION_REVOKED', { sessionIds: ids(m), reason: 'refresh_token_reused' })];
    case 'admin.sessions_revoked':
      return [event('SESSION_REVOKED', { sessionIds: ids(m), reason: 'admin', actorId: str(m.actorId) })];
    case '2fa.enabled': {
      // Completing enrolment ends the user's other sessions (TwoFactorService.verify): say so like any revocation.
      const revoked = ids(m);
      return [event('TWO_FACTOR_ENABLED', {}), ...(revoked.length ? [event('SESSION_REVOKED', { sessionIds: revoked, reason: 'two_factor_enabled' })] : [])];
    }
    case '2fa.disabled':
      return [event('TWO_FACTOR_DISABLED', { method: str(m.method), actorId: str(m.actorId) })];
    case 'user.deleted':
      // The account is a tombstone by now: no email or name to send, and none is needed (userId says who).
      return [event('USER_DELETED', { revokedSessionIds: ids(m) })];
    case 'account.disabled':
      // Issue 28: an administrator (or the CLI) disabled the account; every session ended in the same step.
      return ids(m).length ? [event('SESSION_REVOKED', { sessionIds: ids(m), reason: 'account_disabled', actorId: str(m.actorId) })] : [];
    case 'role.granted':
    case 'role.revoked':
      // Issue 28: a grant takes effect at the user's next refresh; a revocation already ended their sessions
      // when they lost anything (SESSION_REVOKED with reason permissions_changed).
      return [event('USER_ROLES_CHANGED', { role: str(m.role), change: row.type === 'role.granted' ? 'granted' : 'revoked', actorId: str(m.actorId) })];
    case 'role.created':
    case 'role.updated':
    case 'role.deleted':
      // userId is the administrator who changed the definition (null from the CLI).
      return [event('ROLE_CHANGED', { role: str(m.role), change: row.type.slice('role.'.length), actorId: str(m.actorId) })];
    default:
      return [];
  }
}
