// Security notices by mail: every change to how an account is protected tells its owner, in the same
// transaction as the change, so a change an intruder makes cannot go unnoticed and a notice is never sent for a
// change that rolled back. The rule lives here once, keyed by the audit event each change already records,
// instead of one enqueue per service: a new security change needs only a line in `noticeFor`.
// Changes that already mail their own message (a password reset, an email change, a new device) are not here.
import type { MailMessage } from './mail';
import type { AuditRepository, Repositories, UnitOfWork } from './ports';
import type { NewAuditEvent } from './types';

export type SecurityChange =
  | 'password_changed'
  | 'two_factor_enabled'
  | 'two_factor_disabled'
  | 'two_factor_reset_by_admin'
  | 'backup_codes_regenerated'
  | 'trusted_devices_forgotten'
  | 'passkey_added'
  | 'passkey_removed'
  | 'signed_out_everywhere'
  | 'signed_out_by_admin'
  | 'registration_approved'
  | 'provider_linked'
  | 'provider_unlinked';

export type SecurityNoticeMail = Extract<MailMessage, { template: 'security_notice' }>;

/** The notice an audit event calls for, or null. Consequences of another change (devices forgotten because the password changed) send none of their own. */
export function noticeFor(event: Pick<NewAuditEvent, 'type' | 'metadata'>): SecurityChange | null {
  const m = event.metadata ?? {};
  switch (event.type) {
    case 'password.changed':
      return 'password_changed';
    case '2fa.enabled':
      return 'two_factor_enabled';
    case '2fa.disabled':
      if (m.method !== 'admin_reset') return 'two_factor_disabled';
      return m.wasEnabled === false ? null : 'two_factor_reset_by_admin';
    case '2fa.backup_codes_regenerated':
      return 'backup_codes_regenerated';
    case '2fa.trusted_devices_forgotten':
      return m.reason === 'revoked_by_user' ? 'trusted_devices_forgotten' : null;
    case 'passkey.added':
      return 'passkey_added';
    case 'passkey.removed':
      return m.reason === 'user' ? 'passkey_removed' : null;
    case 'logout':
      return m.reason === 'logout_all' ? 'signed_out_everywhere' : null;
    case 'admin.sessions_revoked':
      return 'signed_out_by_admin';
    case 'registration.approved':
      return 'registration_approved';
    case 'federation.linked':
      return m.via === 'session' ? 'provider_linked' : null;
    case 'federation.unlinked':
      return 'provider_unlinked';
    default:
      return null;
  }
}

/** A unit of work whose audit records also queue the owner's security notice (see the top of this file). */
export function withSecurityNotices(uow: UnitOfWork, clock: { now(): Date }): UnitOfWork {
  const wrap = (r: Repositories): Repositories => ({ ...r, audit: new NoticingAudit(r, clock) });
  const direct = wrap(uow.direct);
  return {
    direct,
    run: (work) => uow.run((r) => work(wrap(r))),
  };
}

class NoticingAudit implements AuditRepository {
  private readonly inner: AuditRepository;

  constructor(private readonly r: Repositories, private readonly clock: { now(): Date }) {
    this.inner = r.audit;
  }

  async record(event: NewAuditEvent): Promise<void> {
    await this.inner.record(event);
    const change = noticeFor(event);
    if (!change || !event.userId) return;
    const user = await this.r.users.findById(event.userId);
    if (!user || user.deletedAt) return;
    const provider = typeof event.metadata?.provider === 'string' ? event.metadata.provider : null;
    await this.r.mail.enqueue({
      template: 'security_notice',
      to: user.email,
      userId: user.id,
      params: { change, time: this.clock.now().toISOString(), ipAddress: event.ipAddress, provider },
    });
  }

  listForUser(userId: string, opts: { limit: number; before?: { createdAt: Date; id: string } }) {
    return this.inner.listForUser(userId, opts);
  }

  anonymiseForUser(userId: string): Promise<void> {
    return this.inner.anonymiseForUser(userId);
  }
}
