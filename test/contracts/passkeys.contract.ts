// The passkey and WebAuthn-challenge repository ports' contract, run by repositories.contract.ts against
// the Prisma repositories and the in-memory fakes alike.
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Repositories } from '../../backend/src/domain/ports';
import type { NewPasskey } from '../../backend/src/domain/passkeys/types';
import type { User } from '../../backend/src/domain/types';

const MIN = 60_000;

export function passkeyContract(repos: () => Repositories, newUser: () => Promise<User>): void {
  const passkey = (userId: string, over: Partial<NewPasskey> = {}): NewPasskey => ({
    id: randomUUID(),
    userId,
    credentialId: `cred-${randomUUID()}`,
    publicKey: new Uint8Array([165, 1, 2, 3, 38]),
    counter: 0,
    transports: ['internal', 'hybrid'],
    deviceType: 'multiDevice',
    backedUp: true,
    aaguid: '00000000-0000-0000-0000-000000000000',
    name: 'Phone',
    ...over,
  });

  describe('passkeys', () => {
    it('when a passkey is stored, then it reads back field for field, and a second one with the same credential id is refused without an error', async () => {
      const u = await newUser();
      const p = passkey(u.id, { counter: 4_000_000_000 });
      assert.equal(await repos().passkeys.create(p), true);
      const found = await repos().passkeys.findByCredentialId(p.credentialId);
      assert.ok(found);
      assert.deepEqual({ ...found, publicKey: [...found.publicKey] }, { ...p, publicKey: [...p.publicKey], lastUsedAt: null, createdAt: found.createdAt });
      assert.ok(found.createdAt instanceof Date);
      const other = await newUser();
      assert.equal(await repos().passkeys.create(passkey(other.id, { credentialId: p.credentialId })), false);
      assert.equal(await repos().passkeys.countForUser(other.id), 0);
    });

    it('when passkeys are listed, renamed, used and deleted, then only the owner\'s change and malformed ids name nothing', async () => {
      const [owner, stranger] = [await newUser(), await newUser()];
      const first = passkey(owner.id);
      const second = passkey(owner.id, { name: 'Key' });
      await repos().passkeys.create(first);
      await repos().passkeys.create(second);
      assert.deepEqual((await repos().passkeys.listForUser(owner.id)).map((p) => p.id).sort(), [first.id, second.id].sort());
      assert.equal(await repos().passkeys.rename(stranger.id, first.id, 'mine'), null);
      assert.equal(await repos().passkeys.rename(owner.id, 'not-a-uuid', 'x'), null);
      assert.equal((await repos().passkeys.rename(owner.id, first.id, 'Laptop'))?.name, 'Laptop');
      const now = new Date('2026-12-05T17:00:00.000Z');
      await repos().passkeys.recordUse(first.id, 7, false, now);
      const used = await repos().passkeys.findByCredentialId(first.credentialId);
      assert.deepEqual([used?.counter, used?.backedUp, used?.lastUsedAt], [7, false, now]);
      assert.equal(await repos().passkeys.delete(stranger.id, first.id), false);
      assert.equal(await repos().passkeys.delete(owner.id, 'nope'), false);
      assert.equal(await repos().passkeys.delete(owner.id, first.id), true);
      assert.equal(await repos().passkeys.deleteAll(owner.id), 1);
      assert.equal(await repos().passkeys.countForUser(owner.id), 0);
    });
  });

  describe('WebAuthn challenges', () => {
    it('when a challenge is consumed, then only once, only for its purpose and only before it expires', async () => {
      const now = new Date('2026-12-05T17:00:00.000Z');
      const make = async (purpose: 'registration' | 'sign_in', expiresAt: Date) => {
        const c = { id: randomUUID(), challengeHash: `ch-${randomUUID()}`, purpose, userId: null, sessionId: null, mfaChallengeId: null, expiresAt };
        await repos().webauthnChallenges.create(c);
        return c;
      };
      const live = await make('sign_in', new Date(now.getTime() + MIN));
      assert.equal(await repos().webauthnChallenges.consume(live.challengeHash, 'registration', now), null, 'another purpose');
      const consumed = await repos().webauthnChallenges.consume(live.challengeHash, 'sign_in', now);
      assert.deepEqual(consumed, { ...live, consumedAt: now });
      assert.equal(await repos().webauthnChallenges.consume(live.challengeHash, 'sign_in', now), null, 'single use');
      const old = await make('sign_in', new Date(now.getTime() - 1));
      assert.equal(await repos().webauthnChallenges.consume(old.challengeHash, 'sign_in', now), null, 'expired');
      assert.equal(await repos().webauthnChallenges.consume('unknown', 'sign_in', now), null);
    });

    it('when one challenge is consumed concurrently, then exactly one consume gets it', async () => {
      const c = { id: randomUUID(), challengeHash: `ch-${randomUUID()}`, purpose: 'second_factor' as const, userId: null, sessionId: null, mfaChallengeId: null, expiresAt: new Date(Date.now() + MIN) };
      await repos().webauthnChallenges.create(c);
      const results = await Promise.all(Array.from({ length: 8 }, () => repos().webauthnChallenges.consume(c.challengeHash, 'second_factor', new Date())));
      assert.equal(results.filter(Boolean).length, 1);
    });
  });
}
