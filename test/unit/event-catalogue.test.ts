import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { catalogueEventId, catalogueEvents, type OutboxRow } from '../../backend/src/domain/event-catalogue';

const row = (type: string, metadata: Record<string, unknown> = {}, extra: Partial<OutboxRow> = {}): OutboxRow => ({
  id: '0f3c2a5e-8a39-4c1e-9a55-3b2f6f1c9d10',
  userId: 'b6a1f0de-2c1b-4c55-8a0e-0d7f7c2d1a11',
  type,
  ipAddress: '203.0.113.5',
  metadata,
  createdAt: new Date('2026-01-02T03:04:05.000Z'),
  user: { email: 'ada@example.test', username: 'ada', role: 'user', status: 'active' },
  ...extra,
});

describe('event catalogue', () => {
  it('when an open registration is recorded, then USER_CREATED carries id, version, time, user id and profile', () => {
    const [e, ...rest] = catalogueEvents(row('user.registered', { status: 'active' }));
    assert.equal(rest.length, 0);
    assert.deepEqual(e, {
      id: catalogueEventId('0f3c2a5e-8a39-4c1e-9a55-3b2f6f1c9d10', 'USER_CREATED'),
      type: 'USER_CREATED',
      version: 1,
      time: '2026-01-02T03:04:05.000Z',
      userId: 'b6a1f0de-2c1b-4c55-8a0e-0d7f7c2d1a11',
      data: { email: 'ada@example.test', username: 'ada', role: 'user', status: 'active' },
    });
    assert.match(e.id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('when registration needs approval, then it is requested first and created on approval', () => {
    assert.deepEqual(catalogueEvents(row('user.registered', { status: 'pending' })).map((e) => e.type), ['USER_REGISTRATION_REQUESTED']);
    assert.deepEqual(catalogueEvents(row('registration.approved', { actorId: 'admin-1' })).map((e) => e.type), ['USER_REGISTRATION_APPROVED', 'USER_CREATED']);
    assert.deepEqual(catalogueEvents(row('registration.rejected', { actorId: 'admin-1' }))[0].data, { actorId: 'admin-1' });
  });

  it('when sessions end, then logout carries the all-devices flag and revocations their reason', () => {
    assert.deepEqual(catalogueEvents(row('logout', { sessionId: 's1', sessionIds: ['s1'], count: 1 }))[0].data, { allDevices: false, sessionIds: ['s1'] });
    assert.deepEqual(catalogueEvents(row('logout', { reason: 'logout_all', sessionIds: ['s1', 's2'], count: 2 }))[0].data, { allDevices: true, sessionIds: ['s1', 's2'] });
    assert.deepEqual(catalogueEvents(row('session.revoked', { sessionId: 's3', sessionIds: ['s3'] }))[0].data, { sessionIds: ['s3'], reason: 'revoked_by_user' });
    assert.equal(catalogueEvents(row('refresh_token.reused', { sessionId: 's4', sessionIds: ['s4'] }))[0].data.reason, 'refresh_token_reused');
    assert.deepEqual(catalogueEvents(row('admin.sessions_revoked', { reason: 'admin', actorId: 'a', sessionIds: ['s5'] }))[0].data, { sessionIds: ['s5'], reason: 'admin', actorId: 'a' });
    const pw = catalogueEvents(row('password.changed', { keptSessionId: 's6', sessionIds: ['s7'] }))[0];
    assert.equal(pw.type, 'auth.password.reset');
    assert.deepEqual(pw.data, { keptSessionId: 's6', revokedSessionIds: ['s7'] });
    const enabled = catalogueEvents(row('2fa.enabled', { keptSessionId: 's8', sessionIds: ['s9'], backupCodes: 10 }));
    assert.deepEqual(enabled.map((e) => [e.type, e.data]), [['TWO_FACTOR_ENABLED', {}], ['SESSION_REVOKED', { sessionIds: ['s9'], reason: 'two_factor_enabled' }]]);
    assert.deepEqual(catalogueEvents(row('2fa.enabled', { sessionIds: [] })).map((e) => e.type), ['TWO_FACTOR_ENABLED']);
  });

  it('when an account is deleted, then USER_DELETED names the user and the ended sessions, and no personal data', () => {
    const [e, ...rest] = catalogueEvents(row('user.deleted', { method: 'password', sessionIds: ['s1', 's2'], count: 2 }, { ipAddress: null, user: { email: 'deleted-x@deleted.invalid', username: null, role: 'user', status: 'disabled' } }));
    assert.equal(rest.length, 0);
    assert.equal(e.type, 'USER_DELETED');
    assert.equal(e.userId, 'b6a1f0de-2c1b-4c55-8a0e-0d7f7c2d1a11');
    assert.deepEqual(e.data, { revokedSessionIds: ['s1', 's2'] });
  });

  it('when metadata holds anything beyond the whitelist, then it never reaches the event', () => {
    const leaky = { secret: 'JBSWY3DP', passwordHash: '$2b$', refreshToken: 'rt', code: '123456', backupCodes: 10 };
    for (const type of ['user.registered', 'login.succeeded', 'logout', 'password.changed', 'session.revoked', '2fa.enabled', '2fa.disabled', 'registration.approved', 'user.deleted']) {
      for (const e of catalogueEvents(row(type, leaky))) {
        assert.doesNotMatch(JSON.stringify(e), /JBSWY3DP|\$2b\$|"rt"|123456|backupCodes|secret|passwordHash|refreshToken/, `${type} → ${e.type}`);
      }
    }
  });

  it('when the same audit row is mapped twice, then the ids are the same (de-duplication) and differ per event name', () => {
    const a = catalogueEvents(row('registration.approved'));
    const b = catalogueEvents(row('registration.approved'));
    assert.deepEqual(a.map((e) => e.id), b.map((e) => e.id));
    assert.notEqual(a[0].id, a[1].id);
    assert.deepEqual(catalogueEvents(row('login.failed')), []);
    assert.deepEqual(catalogueEvents(row('2fa.backup_code_used')), []);
  });
});
