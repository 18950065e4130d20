// The event names of the NATS design (issue 30), published alongside the catalogue (event-catalogue.ts) for
// services written to that design: auth.user.registered, auth.registration.requested, auth.user.login,
// auth.user.logout (with all_devices) and auth.password.reset, every field in snake_case. Like the catalogue,
// each is derived from one audit row (the outbox) with a whitelisted payload and a deterministic id.
// auth.password.reset is a name of both sets: with both on, it goes out once, the catalogue's event with the
// design's snake_case fields added (same id, so JetStream would drop a second message anyway).
import { catalogueEventId, catalogueEvents, EVENT_VERSION, type CatalogueEvent, type OutboxRow } from './event-catalogue';

export const DESIGN_EVENTS = ['auth.user.registered', 'auth.registration.requested', 'auth.user.login', 'auth.user.logout', 'auth.password.reset'] as const;
export type DesignName = (typeof DESIGN_EVENTS)[number];

export interface DesignEvent {
  id: string;
  type: DesignName;
  version: number;
  occurred_at: string;
  user_id: string | null;
  data: Record<string, unknown>;
}

export type EventNames = 'both' | 'catalogue' | 'design';

const ids = (m: Record<string, unknown>): string[] =>
  Array.isArray(m.sessionIds) ? m.sessionIds.filter((x): x is string => typeof x === 'string') : typeof m.sessionId === 'string' ? [m.sessionId] : [];
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The design events one audit row stands for (none for the other types). */
export function designEvents(row: OutboxRow): DesignEvent[] {
  const m = row.metadata ?? {};
  const event = (type: DesignName, data: Record<string, unknown>): DesignEvent => ({
    id: catalogueEventId(row.id, type),
    type,
    version: EVENT_VERSION,
    occurred_at: row.createdAt.toISOString(),
    user_id: row.userId,
    data,
  });
  const profile = () => (row.user ? { email: row.user.email, username: row.user.username, role: row.user.role } : {});
  switch (row.type) {
    case 'user.registered':
      return m.status === 'pending' ? [event('auth.registration.requested', profile())] : [event('auth.user.registered', { ...profile(), status: 'active' })];
    case 'registration.approved':
      return [event('auth.user.registered', { ...profile(), status: 'active', approved_by: str(m.actorId) })];
    case 'login.succeeded':
      return [event('auth.user.login', { session_id: str(m.sessionId), aal: typeof m.aal === 'number' ? m.aal : null, method: str(m.method), ip_address: row.ipAddress })];
    case 'logout':
      return [event('auth.user.logout', { all_devices: m.reason === 'logout_all', session_ids: ids(m) })];
    case 'password.changed':
      return [event('auth.password.reset', { kept_session_id: str(m.keptSessionId), revoked_session_ids: ids(m) })];
    case 'password.reset':
      return [event('auth.password.reset', { kept_session_id: null, revoked_session_ids: ids(m) })];
    default:
      return [];
  }
}

/** One message to publish: its event name (the subject, before any prefix), its id and its body. */
export interface OutboxMessage {
  name: string;
  id: string;
  body: CatalogueEvent | DesignEvent | (CatalogueEvent & DesignEvent);
}

/** The named events of one audit row under the chosen sets; a name in both sets is one merged message. */
export function namedEvents(row: OutboxRow, names: EventNames): OutboxMessage[] {
  const out: OutboxMessage[] = names === 'design' ? [] : catalogueEvents(row).map((e) => ({ name: e.type, id: e.id, body: e }));
  if (names === 'catalogue') return out;
  for (const d of designEvents(row)) {
    const same = out.find((o) => o.name === d.type);
    if (!same) out.push({ name: d.type, id: d.id, body: d });
    else {
      const c = same.body as CatalogueEvent;
      same.body = { ...c, occurred_at: d.occurred_at, user_id: d.user_id, data: { ...c.data, ...d.data } };
    }
  }
  return out;
}
