// One contract for the repository ports (domain/ports.ts), run against both implementations: the Prisma
// repositories on a fresh PostgreSQL database (test/integration/repositories-contract.test.ts) and the
// in-memory fakes the unit tests use (test/unit/memory-repositories-contract.test.ts). A behaviour the
// domain relies on is written here once, so the fakes cannot drift from the real thing. Behaviour only one
// implementation has (Prisma error codes, pg statement caching, time zones) stays in that one's own tests.
// Model: better-auth's adapter test suites.
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError } from '../../backend/src/domain/errors';
import type { Repositories } from '../../backend/src/domain/ports';
import type { NewSession, User } from '../../backend/src/domain/types';
import { federatedIdentityContract } from './federated-identities.contract';
import { passkeyContract } from './passkeys.contract';

const MIN = 60_000;
const at = (iso: string) => new Date(iso);

export interface ContractSubject {
  repos: Repositories;
  close(): Promise<void>;
}

/**
 * Users and sessions with every field filled, created through `repos()` (read at call time: the repositories
 * exist only once a suite's before() has run). Shared with the implementation-specific repository tests.
 */
export function repositoryFixtures(repos: () => Repositories) {
  let n = 0;
  const newUser = (over: Partial<Parameters<Repositories['users']['create']>[0]> = {}) =>
    repos().users.create({
      id: randomUUID(),
      email: `user${++n}@example.com`,
      username: null,
      passwordHash: 'hash',
      role: 'user',
      status: 'active',
      ...over,
    });

  const newSession = (userId: string, over: Partial<NewSession> = {}) => {
    const now = new Date();
    return repos().sessions.create({
      id: randomUUID(),
      userId,
      refreshTokenHash: `rt-${randomUUID()}`,
      userAgent: 'UA',
      ipAddress: '203.0.113.7',
      deviceName: 'Laptop',
      browser: 'Firefox',
      os: 'Linux',
      deviceType: 'desktop',
      aal: 1,
      createdAt: now,
      lastActiveAt: now,
      expiresAt: new Date(now.getTime() + 60 * MIN),
      idleExpiresAt: new Date(now.getTime() + 30 * MIN),
      ...over,
    });
  };
  return { newUser, newSession };
}

export function repositoryContract(name: string, open: () => Promise<ContractSubject>): void {
  describe(`repository contract: ${name}`, () => {
    let subject: ContractSubject;
    let repos: Repositories;

    before(async () => {
      subject = await open();
      repos = subject.repos;
    });
    after(async () => {
      await subject?.close();
    });

    const { newUser, newSession } = repositoryFixtures(() => repos);

    describe('users', () => {
      it('when a user is created, then it is found by id and email with the schema defaults', async () => {
        const u = await newUser({ username: 'alice' });
        assert.equal(u.failedLoginCount, 0);
        assert.equal(u.lockCount, 0);
        assert.equal(u.twoFactorEnabled, false);
        assert.equal(u.totpLastUsedStep, null);
        assert.ok(u.createdAt instanceof Date && u.updatedAt instanceof Date);
        assert.deepEqual(await repos.users.findById(u.id), u);
        assert.deepEqual(await repos.users.findByEmail(u.email), u);
      });

      it('when looking up an unknown or malformed id or email, then null is returned', async () => {
        assert.equal(await repos.users.findById(randomUUID()), null);
        assert.equal(await repos.users.findById('not-a-uuid'), null);
        assert.equal(await repos.users.findByEmail('nobody@example.com'), null);
      });

      it('when the email is taken, then create throws EMAIL_TAKEN', async () => {
        const u = await newUser();
        await assert.rejects(newUser({ email: u.email }), (e: unknown) => e instanceof DomainError && e.code === 'EMAIL_TAKEN');
      });

      it('when the password is updated, then hash and passwordChangedAt are stored', async () => {
        const u = await newUser();
        const when = at('2026-01-02T03:04:05.678Z');
        await repos.users.updatePassword(u.id, 'new-hash', when);
        const got = (await repos.users.findById(u.id))!;
        assert.equal(got.passwordHash, 'new-hash');
        assert.deepEqual(got.passwordChangedAt, when);
      });

      it('when the status is set, then the updated user is returned, and null for an unknown user', async () => {
        const u = await newUser({ status: 'pending' });
        const got = await repos.users.setStatus(u.id, 'active');
        assert.equal(got?.status, 'active');
        assert.ok(got.updatedAt.getTime() >= u.updatedAt.getTime());
        assert.equal(await repos.users.setStatus(randomUUID(), 'disabled'), null);
      });

      it('when the role is set, then it is stored', async () => {
        const u = await newUser();
        await repos.users.setRole(u.id, 'admin');
        assert.equal((await repos.users.findById(u.id))!.role, 'admin');
      });

      it('when the display name is set or removed, then the profile shows it, and an unknown id changes nothing', async () => {
        const u = await newUser();
        await repos.users.setUsername(u.id, 'Ada L.');
        assert.equal((await repos.users.findProfile(u.id))!.username, 'Ada L.');
        await repos.users.setUsername(u.id, null);
        assert.equal((await repos.users.findProfile(u.id))!.username, null);
        await repos.users.setUsername('00000000-0000-4000-8000-000000000000', 'nobody');
      });

      it('when listing by status, then only that status is returned, oldest first, up to the limit', async () => {
        const marker = await newUser({ status: 'disabled' });
        const later = await newUser({ status: 'disabled' });
        await newUser({ status: 'disabled' });
        const list = await repos.users.listByStatus('disabled', 2);
        assert.deepEqual(list.map((x) => x.id), [marker.id, later.id]);
        assert.ok(list.every((x) => x.status === 'disabled'));
      });

      it('when 10 login failures are recorded concurrently, then every one counts', async () => {
        const u = await newUser();
        const results = await Promise.all(Array.from({ length: 10 }, () => repos.users.recordLoginFailure(u.id)));
        assert.deepEqual(results.map((r) => r.failedLoginCount).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert.ok(results.every((r) => r.lockCount === 0));
      });

      it('when an account is locked and later reset, then counters and lockedUntil follow', async () => {
        const u = await newUser();
        await repos.users.recordLoginFailure(u.id);
        const until = at('2030-01-01T00:00:00.123Z');
        await repos.users.lock(u.id, until);
        let got = (await repos.users.findById(u.id))!;
        assert.deepEqual([got.failedLoginCount, got.lockCount, got.lockedUntil], [0, 1, until]);
        assert.deepEqual(await repos.users.recordLoginFailure(u.id), { failedLoginCount: 1, lockCount: 1 });
        await repos.users.lock(u.id, until);
        assert.equal((await repos.users.findById(u.id))!.lockCount, 2);
        await repos.users.resetLoginFailures(u.id);
        got = (await repos.users.findById(u.id))!;
        assert.deepEqual([got.failedLoginCount, got.lockCount, got.lockedUntil], [0, 0, null]);
      });

      it('when the TOTP secret is set and cleared, then secret and flag are stored', async () => {
        const u = await newUser();
        await repos.users.setTotpSecret(u.id, 'cipher', false);
        let got = (await repos.users.findById(u.id))!;
        assert.deepEqual([got.totpSecretEncrypted, got.twoFactorEnabled], ['cipher', false]);
        await repos.users.setTotpSecret(u.id, 'cipher', true);
        assert.equal((await repos.users.findById(u.id))!.twoFactorEnabled, true);
        await repos.users.setTotpSecret(u.id, null, false);
        got = (await repos.users.findById(u.id))!;
        assert.deepEqual([got.totpSecretEncrypted, got.twoFactorEnabled], [null, false]);
      });

      it('when TOTP steps are advanced, then only strictly greater steps are accepted', async () => {
        const u = await newUser();
        assert.equal(await repos.users.advanceTotpStep(u.id, 100), true);
        assert.equal(await repos.users.advanceTotpStep(u.id, 100), false);
        assert.equal(await repos.users.advanceTotpStep(u.id, 99), false);
        assert.equal(await repos.users.advanceTotpStep(u.id, 101), true);
        assert.equal((await repos.users.findById(u.id))!.totpLastUsedStep, 101);
      });

      it('when the same TOTP step is submitted 10 times concurrently, then exactly one is accepted', async () => {
        const u = await newUser();
        const results = await Promise.all(Array.from({ length: 10 }, () => repos.users.advanceTotpStep(u.id, 5)));
        assert.equal(results.filter(Boolean).length, 1);
      });
    });

    describe('sessions', () => {
      let user: User;
      before(async () => {
        user = await newUser();
      });

      it('when a session is created, then findById returns every field', async () => {
        const s = await newSession(user.id, { aal: 2 });
        assert.equal(s.previousRefreshTokenHash, null);
        assert.equal(s.revokedAt, null);
        assert.equal(s.revokedReason, null);
        assert.equal(s.aal, 2);
        assert.deepEqual(await repos.sessions.findById(s.id), s);
        assert.equal(await repos.sessions.findById('junk'), null);
      });

      it('when rotated, then the new hash is current, the old one previous, and activity times move', async () => {
        const s = await newSession(user.id);
        const now = new Date(Date.now() + 1000);
        const idle = new Date(now.getTime() + 30 * MIN);
        const rotated = await repos.sessions.rotate(s.refreshTokenHash, 'rotated-1', now, idle);
        assert.ok(rotated);
        const { owner, ...returned } = rotated;
        assert.deepEqual(owner, { id: user.id, email: user.email, username: user.username, role: user.role, status: user.status });
        // What rotate returns is the rotated row's token-pair fields, no more (port: RotatedSession).
        assert.deepEqual(Object.keys(returned).sort(), ['aal', 'clientId', 'expiresAt', 'id', 'idleExpiresAt', 'resource', 'scope', 'userId']);
        const r = (await repos.sessions.findById(s.id))!;
        assert.deepEqual(returned, { id: r.id, userId: r.userId, aal: r.aal, expiresAt: r.expiresAt, idleExpiresAt: r.idleExpiresAt, clientId: r.clientId, scope: r.scope, resource: r.resource ?? null });
        assert.equal(r.id, s.id);
        assert.equal(r.refreshTokenHash, 'rotated-1');
        assert.equal(r.previousRefreshTokenHash, s.refreshTokenHash);
        assert.deepEqual(r.lastActiveAt, now);
        assert.deepEqual(r.idleExpiresAt, idle);
        assert.deepEqual(r.createdAt, s.createdAt);

        assert.deepEqual(await repos.sessions.findByRefreshTokenHash('rotated-1'), { session: r, matched: 'current' });
        assert.deepEqual(await repos.sessions.findByRefreshTokenHash(s.refreshTokenHash), { session: r, matched: 'previous' });
        assert.equal(await repos.sessions.findByRefreshTokenHash('unknown'), null);
        assert.equal(await repos.sessions.rotate(s.refreshTokenHash, 'rotated-2', now, idle), null, 'old token cannot rotate again');
      });

      it('when 10 rotations of the same token race, then exactly one wins', async () => {
        const s = await newSession(user.id);
        const now = new Date();
        const idle = new Date(now.getTime() + 30 * MIN);
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => repos.sessions.rotate(s.refreshTokenHash, `race-${s.id}-${i}`, now, idle)),
        );
        const winners = results.flatMap((r, i) => (r !== null ? [`race-${s.id}-${i}`] : []));
        assert.equal(winners.length, 1);
        assert.equal((await repos.sessions.findById(s.id))!.refreshTokenHash, winners[0]);
      });

      it('when the session is revoked, expired or idle-expired, then rotate returns null', async () => {
        const now = new Date();
        const idle = new Date(now.getTime() + 30 * MIN);
        const revoked = await newSession(user.id);
        await repos.sessions.revoke({ sessionId: revoked.id }, 'logout', now);
        assert.equal(await repos.sessions.rotate(revoked.refreshTokenHash, `x-${randomUUID()}`, now, idle), null);
        const expired = await newSession(user.id, { expiresAt: new Date(now.getTime() - 1) });
        assert.equal(await repos.sessions.rotate(expired.refreshTokenHash, `x-${randomUUID()}`, now, idle), null);
        const idled = await newSession(user.id, { idleExpiresAt: now });
        assert.equal(await repos.sessions.rotate(idled.refreshTokenHash, `x-${randomUUID()}`, now, idle), null);
      });

      it('when listing active sessions, then only live ones are returned, most recently active first', async () => {
        const u = await newUser();
        const now = new Date();
        const older = await newSession(u.id, { lastActiveAt: new Date(now.getTime() - 5 * MIN) });
        const newer = await newSession(u.id, { lastActiveAt: new Date(now.getTime() - 1 * MIN) });
        await newSession(u.id, { expiresAt: new Date(now.getTime() - 1) });
        await newSession(u.id, { idleExpiresAt: new Date(now.getTime() - 1) });
        const revoked = await newSession(u.id);
        await repos.sessions.revoke({ sessionId: revoked.id }, 'logout', now);
        await newSession(user.id); // another user's
        const list = await repos.sessions.listActive(u.id, now);
        assert.deepEqual(list.map((s) => s.id), [newer.id, older.id]);
      });

      it('when a browser session is revoked, then the sessions issued from it (parentSessionId) end in the same call', async () => {
        const u = await newUser();
        const now = new Date();
        const parent = await newSession(u.id);
        const child = await newSession(u.id, { parentSessionId: parent.id, clientId: null });
        const unrelated = await newSession(u.id);
        const listed = (await repos.sessions.listActive(u.id, now)).map((s) => s.id);
        assert.deepEqual(listed.sort(), [parent.id, unrelated.id].sort(), "an app's session is not a device: not listed");
        const ids = await repos.sessions.revoke({ sessionId: parent.id }, 'logout', now);
        assert.deepEqual(ids.sort(), [parent.id, child.id].sort());
        assert.equal((await repos.sessions.findById(child.id))!.revokedReason, 'logout');
        assert.equal((await repos.sessions.findById(unrelated.id))!.revokedAt, null);
        const all = await repos.sessions.revoke({ userId: u.id }, 'logout_all', now);
        assert.deepEqual(all, [unrelated.id], 'a child already ended is not counted twice');
      });

      it('when revoking by user except one session, then the others are revoked once with the reason', async () => {
        const u = await newUser();
        const now = at('2026-05-05T05:05:05.555Z');
        const [a, b, keep] = [await newSession(u.id), await newSession(u.id), await newSession(u.id)];
        const bystander = await newSession(user.id);
        const ids = await repos.sessions.revoke({ userId: u.id, exceptSessionId: keep.id }, 'logout_all', now);
        assert.deepEqual(ids.sort(), [a.id, b.id].sort());
        const got = (await repos.sessions.findById(a.id))!;
        assert.deepEqual([got.revokedAt, got.revokedReason], [now, 'logout_all']);
        assert.equal((await repos.sessions.findById(keep.id))!.revokedAt, null);
        assert.equal((await repos.sessions.findById(bystander.id))!.revokedAt, null);
        assert.deepEqual(await repos.sessions.revoke({ userId: u.id, exceptSessionId: keep.id }, 'admin', new Date()), []);
        assert.equal((await repos.sessions.findById(a.id))!.revokedReason, 'logout_all', 'first revocation is kept');
      });

      it('when revoking one session by id (optionally scoped to its user), then only that one is revoked', async () => {
        const s = await newSession(user.id);
        assert.deepEqual(await repos.sessions.revoke({ sessionId: s.id, userId: randomUUID() }, 'revoked_by_user', new Date()), []);
        assert.deepEqual(await repos.sessions.revoke({ sessionId: s.id, userId: user.id }, 'revoked_by_user', new Date()), [s.id]);
        assert.deepEqual(await repos.sessions.revoke({ sessionId: 'bad-id' }, 'revoked_by_user', new Date()), []);
      });

      it('when revoke gets neither sessionId nor userId, then it refuses instead of revoking everything', async () => {
        await assert.rejects(repos.sessions.revoke({}, 'admin', new Date()), /sessionId or userId required/);
      });

      it('when listing revocations since a time, then sessions revoked at or after it are returned', async () => {
        const u = await newUser();
        // Revocation only touches live sessions: keep these alive past the revocation times below.
        const far = { expiresAt: at('2032-01-01T00:00:00.000Z'), idleExpiresAt: at('2032-01-01T00:00:00.000Z') };
        const [a, b] = [await newSession(u.id, far), await newSession(u.id, far)];
        const t1 = at('2031-01-01T00:00:00.000Z');
        const t2 = at('2031-01-02T00:00:00.000Z');
        await repos.sessions.revoke({ sessionId: a.id }, 'logout', t1);
        await repos.sessions.revoke({ sessionId: b.id }, 'logout', t2);
        assert.deepEqual(await repos.sessions.listRevokedSince(t2), [{ id: b.id, revokedAt: t2 }]);
        const both = await repos.sessions.listRevokedSince(t1);
        assert.deepEqual(both, [{ id: a.id, revokedAt: t1 }, { id: b.id, revokedAt: t2 }]);
      });
    });

    describe('sign-in locations (issue 33)', () => {
      it('when a session is created with a location and touched from elsewhere, then the location follows the last-seen IP', async () => {
        const user = await newUser();
        const s = await newSession(user.id, { countryCode: 'DE', city: 'Berlin', region: 'Land Berlin' });
        assert.deepEqual([s.countryCode, s.city, s.region], ['DE', 'Berlin', 'Land Berlin']);
        const [listed] = await repos.sessions.listActive(user.id, new Date());
        assert.deepEqual([listed?.countryCode, listed?.city, listed?.region], ['DE', 'Berlin', 'Land Berlin']);
        const now = new Date(Date.now() + 1000);
        assert.equal(await repos.sessions.touch(s.id, '8.8.8.8', now, now, { countryCode: 'US', city: null, region: null }), true);
        const touched = await repos.sessions.findById(s.id);
        assert.deepEqual([touched?.lastSeenIp, touched?.countryCode, touched?.city], ['8.8.8.8', 'US', null]);
        // Without a location the stored one stays (no locator configured).
        const later = new Date(now.getTime() + MIN);
        assert.equal(await repos.sessions.touch(s.id, '10.0.0.1', later, later), true);
        assert.equal((await repos.sessions.findById(s.id))?.countryCode, 'US');
        await repos.sessions.anonymiseForUser(user.id);
        assert.equal((await repos.sessions.findById(s.id))?.countryCode, null);
      });

      it('when countries are remembered, then each says whether it was the first, a new or a known country, they are listed most recent first, once each, and deleted with the account', async () => {
        const user = await newUser();
        const other = await newUser();
        assert.deepEqual(await repos.knownCountries.list(user.id), []);
        assert.equal(await repos.knownCountries.remember(user.id, 'DE', at('2026-01-01T00:00:00Z')), 'first');
        assert.equal(await repos.knownCountries.remember(user.id, 'US', at('2026-01-02T00:00:00Z')), 'new');
        assert.equal(await repos.knownCountries.remember(user.id, 'DE', at('2026-01-03T00:00:00Z')), 'known');
        assert.equal(await repos.knownCountries.remember(other.id, 'FR', at('2026-01-03T00:00:00Z')), 'first');
        assert.deepEqual(await repos.knownCountries.list(user.id), [
          { countryCode: 'DE', lastSeenAt: at('2026-01-03T00:00:00Z') },
          { countryCode: 'US', lastSeenAt: at('2026-01-02T00:00:00Z') },
        ]);
        await repos.knownCountries.deleteForUser(user.id);
        assert.deepEqual(await repos.knownCountries.list(user.id), []);
        assert.equal((await repos.knownCountries.list(other.id)).length, 1);
      });
    });

    describe('account tokens', () => {
      it('when live links are listed, then only unused, unexpired ones of that purpose come, soonest expiry first', async () => {
        const u = await newUser();
        const token = (purpose: 'email_verification' | 'password_reset', subject: string | null, expiresAt: string) =>
          repos.accountTokens.issue({ id: randomUUID(), userId: u.id, purpose, tokenHash: `t-${randomUUID()}`, subject, expiresAt: at(expiresAt) }, 'none');
        await token('email_verification', 'later@example.test', '2030-01-02T00:00:00.000Z');
        await token('email_verification', 'sooner@example.test', '2030-01-01T00:00:00.000Z');
        await token('email_verification', 'expired@example.test', '2020-01-01T00:00:00.000Z');
        await token('password_reset', null, '2030-01-01T00:00:00.000Z');
        const live = await repos.accountTokens.listLive(u.id, 'email_verification', at('2026-01-01T00:00:00.000Z'));
        assert.deepEqual(live.map((t) => t.subject), ['sooner@example.test', 'later@example.test']);
        assert.deepEqual(live[0].expiresAt, at('2030-01-01T00:00:00.000Z'));
      });
    });

    describe('MFA challenges', () => {
      it('when a challenge is created, then it is found by token hash with zero attempts', async () => {
        const u = await newUser();
        const c = await repos.mfaChallenges.create({
          id: randomUUID(),
          userId: u.id,
          tokenHash: `mfa-${randomUUID()}`,
          ipAddress: '198.51.100.1',
          userAgent: 'UA',
          deviceName: 'Phone',
          expiresAt: at('2030-01-01T00:00:00.500Z'),
        });
        assert.deepEqual([c.attempts, c.consumedAt], [0, null]);
        assert.deepEqual(await repos.mfaChallenges.findByTokenHash(c.tokenHash), c);
        assert.equal(await repos.mfaChallenges.findByTokenHash('nope'), null);
      });

      it('when attempts are recorded concurrently, then each counts and the new total is returned', async () => {
        const u = await newUser();
        const c = await repos.mfaChallenges.create({
          id: randomUUID(), userId: u.id, tokenHash: `mfa-${randomUUID()}`, ipAddress: null, userAgent: null, deviceName: null,
          expiresAt: new Date(Date.now() + MIN),
        });
        const counts = await Promise.all(Array.from({ length: 5 }, () => repos.mfaChallenges.recordAttempt(c.id)));
        assert.deepEqual(counts.sort(), [1, 2, 3, 4, 5]);
      });

      it('when a challenge is consumed concurrently, then exactly one consume succeeds', async () => {
        const u = await newUser();
        const c = await repos.mfaChallenges.create({
          id: randomUUID(), userId: u.id, tokenHash: `mfa-${randomUUID()}`, ipAddress: null, userAgent: null, deviceName: null,
          expiresAt: new Date(Date.now() + MIN),
        });
        const now = at('2026-02-02T02:02:02.222Z');
        const results = await Promise.all(Array.from({ length: 10 }, () => repos.mfaChallenges.consume(c.id, now)));
        assert.equal(results.filter(Boolean).length, 1);
        assert.deepEqual((await repos.mfaChallenges.findByTokenHash(c.tokenHash))!.consumedAt, now);
      });
    });

    describe('outgoing mail', () => {
      it('when a user\'s mail is deleted (account deletion), then all of it goes, the count is returned, and other users\' mail stays', async () => {
        const [leaving, staying] = [await newUser(), await newUser()];
        const notice = (user: User) => repos.mail.enqueue({ template: 'password_changed', to: user.email, userId: user.id, params: { time: '2026-01-01T00:00:00.000Z', ipAddress: null } });
        await notice(leaving);
        await repos.mail.enqueue({ template: 'verify_email', to: 'new-address@example.com', userId: leaving.id, params: { token: 't', expiresInMinutes: 60 } });
        await notice(staying);
        assert.equal(await repos.mail.deleteForUser(leaving.id), 2);
        assert.equal(await repos.mail.deleteForUser(leaving.id), 0);
        assert.equal(await repos.mail.deleteForUser(staying.id), 1, 'the other user\'s mail was still there');
      });
    });

    passkeyContract(() => repos, () => newUser());
    federatedIdentityContract(() => repos, () => newUser());
  });
}
