// The linked-identity repository port's contract (issue 27), run by repositories.contract.ts against the Prisma
// repository and the in-memory fake alike.
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Repositories } from '../../backend/src/domain/ports';
import type { User } from '../../backend/src/domain/types';

export function federatedIdentityContract(repos: () => Repositories, newUser: () => Promise<User>): void {
  const link = (userId: string, provider: string, subject = `sub-${randomUUID()}`) => ({ id: randomUUID(), userId, provider, subject, email: 'ada@example.com' });

  describe('federated identities', () => {
    it('when a link is stored, then it is found by provider and subject and listed for its user, oldest first', async () => {
      const u = await newUser();
      const google = link(u.id, 'google');
      assert.equal(await repos().federatedIdentities.create(google), true);
      assert.equal(await repos().federatedIdentities.create(link(u.id, 'gitlab')), true);
      const found = await repos().federatedIdentities.findBySubject('google', google.subject);
      assert.deepEqual(found && { ...found, createdAt: undefined }, { ...google, createdAt: undefined });
      assert.ok(found?.createdAt instanceof Date);
      assert.equal(await repos().federatedIdentities.findBySubject('gitlab', google.subject), null, 'a subject is per provider');
      assert.deepEqual((await repos().federatedIdentities.listForUser(u.id)).map((l) => l.provider), ['google', 'gitlab']);
    });

    it('when the same provider identity or a second identity of the same provider is linked, then create answers false without an error', async () => {
      const [a, b] = [await newUser(), await newUser()];
      const first = link(a.id, 'google');
      assert.equal(await repos().federatedIdentities.create(first), true);
      assert.equal(await repos().federatedIdentities.create(link(b.id, 'google', first.subject)), false, 'one account per identity');
      assert.equal(await repos().federatedIdentities.create(link(a.id, 'google')), false, 'one identity per provider per account');
      assert.equal(await repos().federatedIdentities.create(link(b.id, 'google')), true);
    });

    it('when links are deleted, then only the named one (or all of the user\'s) go', async () => {
      const u = await newUser();
      await repos().federatedIdentities.create(link(u.id, 'google'));
      await repos().federatedIdentities.create(link(u.id, 'gitlab'));
      assert.equal(await repos().federatedIdentities.delete(u.id, 'google'), true);
      assert.equal(await repos().federatedIdentities.delete(u.id, 'google'), false);
      assert.deepEqual((await repos().federatedIdentities.listForUser(u.id)).map((l) => l.provider), ['gitlab']);
      assert.equal(await repos().federatedIdentities.deleteAll(u.id), 1);
      assert.deepEqual(await repos().federatedIdentities.listForUser(u.id), []);
    });
  });
}
