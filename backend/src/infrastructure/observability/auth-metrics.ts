// The design's security and backlog metrics (issue 30). Counters come from what the adapters observe
// (repository-observer.ts): committed audit events and refresh-token rotations. Gauges are read when
// Prometheus scrapes, from one snapshot shared by all of them and kept for a few seconds, so several scrapers
// (or one scraping often) cost the database at most one round of small queries per period. No label carries a
// user id, an email or an address: only fixed words (factor, context, dependency).
import { Counter, Gauge, type Registry } from 'prom-client';
import type { NewAuditEvent } from '../../domain/types';
import type { PrismaClient } from '../prisma/client';
import type { RepositoryObserver } from './repository-observer';
import type { OutboxBacklog, ReadinessReport } from './readiness';

const FACTORS = new Set(['password', 'totp', 'backup_code']);

/** The counters, fed by the persistence adapters. Built before the domain (the unit of work needs the observer). */
export class AuthCounters implements RepositoryObserver {
  private readonly failedLogins: Counter<'factor'>;
  private readonly twoFactorFailures: Counter<'factor' | 'context'>;
  private readonly lockouts: Counter;
  private readonly reuses: Counter;
  private readonly rotations: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.failedLogins = new Counter({
      name: 'auth_failed_login_attempts_total',
      help: 'Failed sign-in attempts, by the factor that failed (password, totp, backup_code, unknown_account)',
      labelNames: ['factor'],
      registers,
    });
    this.twoFactorFailures = new Counter({
      name: 'auth_two_factor_failures_total',
      help: 'Wrong second-factor codes, by factor (totp, backup_code) and context (login, reauth)',
      labelNames: ['factor', 'context'],
      registers,
    });
    this.lockouts = new Counter({ name: 'auth_account_lockouts_total', help: 'Accounts locked after too many failures', registers });
    this.reuses = new Counter({ name: 'auth_refresh_token_reuse_detections_total', help: 'Already-rotated refresh tokens presented again (their session was revoked)', registers });
    this.rotations = new Counter({ name: 'auth_refresh_token_rotations_total', help: 'Refresh tokens rotated (every entry point: HTTP, browser cookie, OAuth, NATS)', registers });
    // Every series exists from the start (0), so rate() and alerts see a first increase.
    for (const f of [...FACTORS, 'unknown_account']) this.failedLogins.inc({ factor: f }, 0);
    for (const f of ['totp', 'backup_code']) for (const c of ['login', 'reauth']) this.twoFactorFailures.inc({ factor: f, context: c }, 0);
  }

  audited(e: NewAuditEvent): void {
    const m = e.metadata ?? {};
    const factor = typeof m.factor === 'string' && FACTORS.has(m.factor) ? m.factor : null;
    switch (e.type) {
      case 'login.failed':
        this.failedLogins.inc({ factor: factor ?? (m.reason === 'unknown_account' ? 'unknown_account' : 'password') });
        if (factor === 'totp' || factor === 'backup_code') this.twoFactorFailures.inc({ factor, context: 'login' });
        return;
      case 'reauth.failed':
        if (factor === 'totp' || factor === 'backup_code') this.twoFactorFailures.inc({ factor, context: 'reauth' });
        return;
      case 'account.locked':
        this.lockouts.inc();
        return;
      case 'refresh_token.reused':
        this.reuses.inc();
        return;
      default:
        return;
    }
  }

  rotated(): void {
    this.rotations.inc();
  }
}

export interface GaugeSources {
  prisma: PrismaClient;
  readiness: () => Promise<ReadinessReport>;
  /** True when this process relays the outbox to NATS (the backlog means something only then). */
  relaysOutbox: boolean;
  /** Jobs waiting for a bcrypt child process (0 without the pool). */
  bcryptQueue: () => number;
  /** Seconds since this instance last knew every revocation (its read-back from the database or broadcast). */
  revocationLagSeconds: () => number;
  /** Ms a snapshot is reused (default 5000). */
  cacheMs?: number;
}

interface Snapshot {
  ready: ReadinessReport;
  outbox: OutboxBacklog | null;
  mailPending: number | null;
  activeSessions: number | null;
}

/** Registers the scrape-time gauges. */
export function registerGauges(registry: Registry, src: GaugeSources): void {
  const cacheMs = src.cacheMs ?? 5000;
  let cached: { at: number; value: Promise<Snapshot> } | null = null;
  const snapshot = (): Promise<Snapshot> => {
    const now = Date.now();
    if (!cached || now - cached.at > cacheMs) cached = { at: now, value: read(src) };
    return cached.value;
  };
  const registers = [registry];
  new Gauge({
    name: 'auth_dependency_up',
    help: 'Whether a dependency answered this instance (1) or not (0): database, redis, nats (configured ones only)',
    labelNames: ['dependency'],
    registers,
    async collect() {
      const { ready } = await snapshot();
      this.reset();
      for (const d of ['database', 'redis', 'nats'] as const) if (ready[d] !== 'not_configured') this.set({ dependency: d }, ready[d] === 'connected' ? 1 : 0);
    },
  });
  const fromSnapshot = (name: string, help: string, pick: (s: Snapshot) => number | null) =>
    new Gauge({
      name,
      help,
      registers,
      async collect() {
        const v = pick(await snapshot());
        this.reset();
        if (v !== null) this.set(v);
      },
    });
  fromSnapshot('auth_active_sessions', 'Sessions neither revoked nor expired (whole deployment)', (s) => s.activeSessions);
  if (src.relaysOutbox) {
    fromSnapshot('auth_outbox_pending_events', 'Audit events not yet published to NATS', (s) => s.outbox?.pending ?? null);
    fromSnapshot('auth_outbox_oldest_event_age_seconds', 'Age of the oldest audit event not yet published to NATS (0 when none waits)', (s) => (s.outbox ? (s.outbox.oldestAgeSeconds ?? 0) : null));
  }
  fromSnapshot('auth_mail_pending', 'Queued mail neither sent nor given up', (s) => s.mailPending);
  new Gauge({ name: 'auth_bcrypt_queue_depth', help: 'Password hashes waiting for a bcrypt worker process', registers, collect() { this.set(src.bcryptQueue()); } });
  new Gauge({ name: 'auth_revocation_feed_lag_seconds', help: 'Seconds since this instance last caught up with every revocation', registers, collect() { this.set(src.revocationLagSeconds()); } });
}

async function read(src: GaugeSources): Promise<Snapshot> {
  const ready = await src.readiness();
  if (ready.database !== 'connected') return { ready, outbox: null, mailPending: null, activeSessions: null };
  // The readiness report has read the backlog already (whenever NATS is configured).
  const outbox = src.relaysOutbox ? ready.outbox : null;
  const [mailPending, activeSessions] = await Promise.all([
    count(src.prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS "n" FROM "OutgoingMail" WHERE "sentAt" IS NULL AND "failedAt" IS NULL`),
    // On the revokedAt index; the expiry filters run on the not-revoked rows only.
    count(src.prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS "n" FROM "Session" WHERE "revokedAt" IS NULL AND "expiresAt" > now() AND "idleExpiresAt" > now()`),
  ]);
  return { ready, outbox, mailPending, activeSessions };
}

const count = (q: Promise<{ n: bigint }[]>): Promise<number | null> => q.then((rows) => Number(rows[0]?.n ?? 0)).catch(() => null);
