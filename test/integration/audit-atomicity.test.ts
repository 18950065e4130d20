// A change and the audit event that records it commit or roll back together, on real PostgreSQL through
// PrismaUnitOfWork: a change that fails writes no event, an event that fails to be written undoes the change,
// and a failed transaction never reaches the in-process revocation view. The domain services are wired as
// in container.ts, over a UnitOfWork that can inject a fault into the repositories of its transactions.
import { SimpleWebAuthnRelyingParty } from '../../backend/src/infrastructure/webauthn/simplewebauthn-relying-party';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../backend/src/config';
import { PasswordPolicy } from '../../backend/src/domain/password-policy';
import { systemClock, type AccessTokenSigner, type Repositories, type UnitOfWork } from '../../backend/src/domain/ports';
import { createDomainServices, type DomainSettings } from '../../backend/src/domain/services';
import type { AccessClaims, RequestContext, User } from '../../backend/src/domain/types';
import { BcryptPasswordHasher } from '../../backend/src/infrastructure/crypto/bcrypt-hasher';
import { PngQrCodeRenderer } from '../../backend/src/infrastructure/two-factor/qr';
import { AesGcmSecretCipher, cryptoRandomSource } from '../../backend/src/infrastructure/crypto/secret-box';
import { CryptoTokenGenerator } from '../../backend/src/infrastructure/crypto/token-generator';
import { OtplibTotpProvider } from '../../backend/src/infrastructure/two-factor/totp';
import { UaDeviceIdentifier } from '../../backend/src/infrastructure/user-agent/device-identifier';
import { UaParserUserAgentParser } from '../../backend/src/infrastructure/user-agent/user-agent-parser';
import { createPrismaClient, type PrismaClient } from '../../backend/src/infrastructure/prisma/client';
import { PrismaUnitOfWork } from '../../backend/src/infrastructure/prisma/unit-of-work';
import { MemoryRevocationStore } from '../../backend/src/infrastructure/revocation/memory-revocation-store';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { TEST_PASSWORD } from '../fakes/passwords';

const CTX: RequestContext = { ipAddress: '198.51.100.4', userAgent: 'atomicity-test/1.0' };
const NEW_PASSWORD = 'quartz-Meadow-42-harbor';

/** Returns `target` with some members replaced; the others still run on the target (same transaction). */
function patch<T extends object>(target: T, replaced: Partial<T>): T {
  return new Proxy(target, {
    get: (t, key, receiver) => (key in replaced ? (replaced as Record<PropertyKey, unknown>)[key] : Reflect.get(t, key, receiver)),
  });
}

/** A UnitOfWork whose transactions see repositories altered by `fault` (the direct ones stay intact). */
class FaultyUnitOfWork implements UnitOfWork {
  constructor(
    private readonly inner: UnitOfWork,
    private readonly fault: (r: Repositories) => Repositories,
  ) {}
  get direct(): Repositories {
    return this.inner.direct;
  }
  run<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    return this.inner.run((r) => work(this.fault(r)));
  }
}

class InjectedFault extends Error {
  constructor(what: string) {
    super(`injected fault: ${what}`);
  }
}

const failingAudit = (r: Repositories, when: (type: string) => boolean = () => true): Repositories => ({
  ...r,
  audit: patch(r.audit, {
    record: async (e) => {
      if (when(e.type)) throw new InjectedFault(`audit.record(${e.type})`);
      return r.audit.record(e);
    },
  }),
});

/** Access tokens are not under test here: the signer is never asked to verify. */
const signer: AccessTokenSigner = {
  sign: async () => 'not-a-real-token',
  verify: () => {
    throw new Error('not used');
  },
};

const defaults = loadConfig({});
const settings: DomainSettings = {
  ...defaults,
  sessions: { ...defaults.sessions, refreshTokenTtl: 3600, idleTtl: 1800 },
  lockout: { maxFailures: 3, lockSeconds: 60 },
  tokens: { ...defaults.tokens, refreshReuseGraceSeconds: 0 },
};

/** The production wiring (createDomainServices) over `uow`; 2FA adapters are real but unused here. */
function wire(uow: UnitOfWork, revocations: MemoryRevocationStore) {
  const hasher = new BcryptPasswordHasher(4);
  const { sessions, auth } = createDomainServices(
    {
      uow,
      revocations,
      tokens: new CryptoTokenGenerator(),
      userAgents: new UaParserUserAgentParser(),
      clock: systemClock,
      hasher,
      policy: new PasswordPolicy(new Set()),
      signer,
      totp: new OtplibTotpProvider(),
      cipher: new AesGcmSecretCipher(randomBytes(32)),
      qr: new PngQrCodeRenderer(),
      backupCodeHasher: hasher,
      random: cryptoRandomSource,
      devices: new UaDeviceIdentifier(),
      webauthn: new SimpleWebAuthnRelyingParty({ rpName: 'Test', rpId: 'auth.test', origins: () => ['https://auth.test'], timeoutMs: 60_000 }),
    },
    settings,
  );
  return { sessions, auth, hasher };
}

describe('audit atomicity (PrismaUnitOfWork on PostgreSQL)', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  let uow: PrismaUnitOfWork;
  let revocations: MemoryRevocationStore;
  let ok: ReturnType<typeof wire>;

  before(async () => {
    db = await createTestDatabase();
    prisma = createPrismaClient(db.url, { poolMax: 4 });
    uow = new PrismaUnitOfWork(prisma, undefined, null, null, new AesGcmSecretCipher(randomBytes(32)));
    revocations = new MemoryRevocationStore(900, systemClock);
    ok = wire(uow, revocations);
  });
  after(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  /** Wires the services over a unit of work with `fault` injected, sharing the database and revocation view. */
  const faulty = (fault: (r: Repositories) => Repositories) => wire(new FaultyUnitOfWork(uow, fault), revocations);

  async function userWithSessions(n: number): Promise<{ user: User; sessionIds: string[] }> {
    const user = await ok.auth.register({ email: `atomic-${randomUUID()}@example.test`, password: TEST_PASSWORD, username: null }, CTX);
    const sessionIds: string[] = [];
    for (let i = 0; i < n; i++) sessionIds.push((await ok.sessions.create(user, { aal: 1, deviceName: null, method: 'password' }, CTX)).session.id);
    return { user, sessionIds };
  }

  const claimsFor = (user: User, sid: string): AccessClaims => ({
    sub: user.id,
    sid,
    role: user.role,
    aal: 1,
    email: user.email,
    username: user.username,
    iat: 0,
    exp: 0,
    iss: 'test',
    aud: 'test',
    jti: randomUUID(),
  });

  const eventsOf = (userId: string, type: string) =>
    prisma.auditEvent.findMany({ where: { userId, type }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });

  async function assertLive(sessionIds: string[]): Promise<void> {
    const rows = await prisma.session.findMany({ where: { id: { in: sessionIds } } });
    assert.equal(rows.length, sessionIds.length);
    for (const s of rows) {
      assert.equal(s.revokedAt, null, `session ${s.id} was revoked`);
      assert.equal(s.revokedReason, null);
      assert.equal(revocations.isRevoked(s.id), false, `session ${s.id} is in the revocation view`);
    }
  }

  describe('SessionService.revokeWhere', () => {
    it('when the extra step throws after the revoke and the event, then the session stays live and no event exists', async () => {
      const { user, sessionIds } = await userWithSessions(1);
      const sid = sessionIds[0];
      await assert.rejects(
        ok.sessions.revokeWhere(
          (r) => r.sessions.revoke({ sessionId: sid, userId: user.id }, 'logout', new Date()),
          { userId: user.id, type: 'logout', ctx: CTX, metadata: { sessionId: sid } },
          async () => {
            throw new InjectedFault('extra');
          },
        ),
        InjectedFault,
      );
      await assertLive([sid]);
      assert.equal((await eventsOf(user.id, 'logout')).length, 0);
    });

    it('when the audit event cannot be written, then the revocation is rolled back: logout leaves the session live', async () => {
      const { user, sessionIds } = await userWithSessions(1);
      const sid = sessionIds[0];
      await assert.rejects(faulty(failingAudit).auth.logout(claimsFor(user, sid), CTX), InjectedFault);
      // logout also marks the sid in the revocation view after the transaction; it must not get there.
      await assertLive([sid]);
      assert.equal((await eventsOf(user.id, 'logout')).length, 0);
    });

    it('when the audit event cannot be written, then revoking all sessions revokes none', async () => {
      const { user, sessionIds } = await userWithSessions(3);
      await assert.rejects(
        faulty(failingAudit).sessions.revokeAll(user.id, 'logout_all', { type: 'logout', ctx: CTX }),
        InjectedFault,
      );
      await assertLive(sessionIds);
      assert.equal((await eventsOf(user.id, 'logout')).length, 0);
      assert.equal(await prisma.session.count({ where: { userId: user.id, revokedAt: null } }), 3);
    });
  });

  describe('AuthService.changePassword', () => {
    it('when the password.changed event cannot be written, then the hash is unchanged and no other session is revoked', async () => {
      const { user, sessionIds } = await userWithSessions(3);
      const [current, ...others] = sessionIds as [string, ...string[]];
      const beforeRow = await prisma.user.findUniqueOrThrow({ where: { id: user.id } });

      await assert.rejects(
        faulty(failingAudit).auth.changePassword(claimsFor(user, current), { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD }, CTX),
        InjectedFault,
      );

      const afterRow = await prisma.user.findUniqueOrThrow({ where: { id: user.id } });
      assert.equal(afterRow.passwordHash, beforeRow.passwordHash);
      assert.equal(afterRow.passwordChangedAt?.getTime() ?? null, beforeRow.passwordChangedAt?.getTime() ?? null);
      assert.equal(await ok.hasher.verify(TEST_PASSWORD, afterRow.passwordHash), true, 'the old password still works');
      await assertLive([current, ...others]);
      assert.equal((await eventsOf(user.id, 'password.changed')).length, 0);
    });

    it('when the password update fails after sessions were revoked and the event written, then both are rolled back', async () => {
      const { user, sessionIds } = await userWithSessions(3);
      const [current, ...others] = sessionIds as [string, ...string[]];
      const beforeRow = await prisma.user.findUniqueOrThrow({ where: { id: user.id } });
      let reached = false;
      const failingUpdate = (r: Repositories): Repositories => ({
        ...r,
        users: patch(r.users, {
          updatePassword: async () => {
            reached = true;
            throw new InjectedFault('users.updatePassword');
          },
        }),
      });

      await assert.rejects(
        faulty(failingUpdate).auth.changePassword(claimsFor(user, current), { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD }, CTX),
        InjectedFault,
      );

      assert.ok(reached, 'the fault must hit inside the transaction');
      assert.equal((await prisma.user.findUniqueOrThrow({ where: { id: user.id } })).passwordHash, beforeRow.passwordHash);
      await assertLive([current, ...others]);
      assert.equal((await eventsOf(user.id, 'password.changed')).length, 0);
    });
  });

  describe('LockoutPolicy', () => {
    it('when the login.failed event cannot be written, then the failure is not counted', async () => {
      const { user } = await userWithSessions(0);
      await assert.rejects(faulty(failingAudit).auth.login({ email: user.email, password: 'wrong-Guess-1', deviceName: null }, CTX), InjectedFault);
      const row = await prisma.user.findUniqueOrThrow({ where: { id: user.id } });
      assert.equal(row.failedLoginCount, 0);
      assert.equal((await eventsOf(user.id, 'login.failed')).length, 0);
    });

    it('when the account.locked event cannot be written, then neither the lock nor the failure that triggered it persists', async () => {
      const { user } = await userWithSessions(0);
      const wrong = { email: user.email, password: 'wrong-Guess-2', deviceName: null };
      for (let i = 0; i < 2; i++) await assert.rejects(ok.auth.login(wrong, CTX), { code: 'INVALID_CREDENTIALS' });
      const noLockEvent = faulty((r) => failingAudit(r, (type) => type === 'account.locked'));
      await assert.rejects(noLockEvent.auth.login(wrong, CTX), InjectedFault);

      const row = await prisma.user.findUniqueOrThrow({ where: { id: user.id } });
      assert.equal(row.lockedUntil, null);
      assert.equal(row.lockCount, 0);
      assert.equal(row.failedLoginCount, 2, 'the third failure rolled back with its lock');
      assert.equal((await eventsOf(user.id, 'login.failed')).length, 2);
      assert.equal((await eventsOf(user.id, 'account.locked')).length, 0);

      // With the audit log back, the same third failure locks, and both events are there.
      await assert.rejects(ok.auth.login(wrong, CTX), { code: 'INVALID_CREDENTIALS' });
      const locked = await prisma.user.findUniqueOrThrow({ where: { id: user.id } });
      assert.ok(locked.lockedUntil && locked.lockedUntil > new Date());
      assert.equal((await eventsOf(user.id, 'login.failed')).length, 3);
      const [lockEvent] = await eventsOf(user.id, 'account.locked');
      assert.equal((lockEvent.metadata as { lockedUntil: string }).lockedUntil, locked.lockedUntil.toISOString());
    });
  });

  describe('success path', () => {
    it('when changes succeed, then each writes exactly one event, in order, recording the same instant as the change', async () => {
      const { user, sessionIds } = await userWithSessions(4);
      const [s1, s2, s3, s4] = sessionIds as [string, string, string, string];
      const t0 = new Date();

      await ok.auth.logout(claimsFor(user, s1), CTX);
      await ok.sessions.revokeOne(user.id, s2, CTX);
      const revoked = await ok.auth.changePassword(claimsFor(user, s3), { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD }, CTX);
      const t1 = new Date();
      assert.equal(revoked, 1, 'only s4 was still live besides the caller');

      const logout = await eventsOf(user.id, 'logout');
      const revokedEv = await eventsOf(user.id, 'session.revoked');
      const changed = await eventsOf(user.id, 'password.changed');
      assert.deepEqual([logout.length, revokedEv.length, changed.length], [1, 1, 1]);
      assert.equal((await eventsOf(user.id, 'login.succeeded')).length, 4, 'one per session opened');
      assert.equal((await eventsOf(user.id, 'user.registered')).length, 1);

      const meta = (e: { metadata: unknown }) => e.metadata as { sessionIds: string[]; count: number };
      assert.deepEqual([meta(logout[0]).sessionIds, meta(logout[0]).count], [[s1], 1]);
      assert.deepEqual([meta(revokedEv[0]).sessionIds, meta(revokedEv[0]).count], [[s2], 1]);
      assert.deepEqual([meta(changed[0]).sessionIds, meta(changed[0]).count], [[s4], 1]);
      for (const e of [...logout, ...revokedEv, ...changed]) {
        assert.equal(e.ipAddress, CTX.ipAddress);
        assert.equal(e.userAgent, CTX.userAgent);
      }

      // Events follow the order of the changes, all within the calls' time span.
      const times = [logout[0], revokedEv[0], changed[0]].map((e) => e.createdAt.getTime());
      assert.deepEqual(times, [...times].sort((a, b) => a - b));
      assert.ok(times.every((t) => t >= t0.getTime() && t <= t1.getTime()), `${times.join(', ')} outside [${t0.toISOString()}, ${t1.toISOString()}]`);

      // Each change is stamped no later than its event; the password change and the revocation it caused share one instant.
      const rows = new Map((await prisma.session.findMany({ where: { userId: user.id } })).map((s) => [s.id, s]));
      assert.ok(rows.get(s1)!.revokedAt! <= logout[0].createdAt);
      assert.ok(rows.get(s2)!.revokedAt! <= revokedEv[0].createdAt);
      const userRow = await prisma.user.findUniqueOrThrow({ where: { id: user.id } });
      assert.equal(userRow.passwordChangedAt!.getTime(), rows.get(s4)!.revokedAt!.getTime());
      assert.ok(userRow.passwordChangedAt! <= changed[0].createdAt);
      assert.equal(rows.get(s3)!.revokedAt, null, 'the calling session stays');
      assert.deepEqual(
        [s1, s2, s3, s4].map((s) => rows.get(s)!.revokedReason),
        ['logout', 'revoked_by_user', null, 'password_changed'],
      );
      assert.deepEqual([s1, s2, s3, s4].map((s) => revocations.isRevoked(s)), [true, true, false, true]);
      assert.equal(await ok.hasher.verify(NEW_PASSWORD, userRow.passwordHash), true);
    });
  });
});
