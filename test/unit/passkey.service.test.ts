// PasskeyService over the in-memory repositories and the real relying party (@simplewebauthn/server), with
// WebAuthn responses from the test's software authenticator: the rules HTTP tests cannot reach easily.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildServices, rejectsWithCode, TEST_PASSWORD } from '../fakes/services';
import { SoftAuthenticator } from '../helpers/soft-authenticator';

/** The relying party of test/fakes/services.ts: RP ID auth.test, origin https://auth.test. */
const ORIGIN = 'https://auth.test';

async function setup() {
  const s = buildServices();
  const { user, email } = await s.registerUser();
  const pair = await s.login(email);
  const authenticator = new SoftAuthenticator({ origin: ORIGIN });
  const add = async (name: string | null = null) => {
    const options = await s.passkeys.registrationOptions(user.id, { password: null, sessionId: pair.sessionId }, s.ctx);
    return s.passkeys.register(user.id, pair.sessionId, authenticator.create(options), name, s.ctx);
  };
  return { s, user, pair, authenticator, add };
}

describe('PasskeyService', () => {
  it('when the account has no usable password, then its last passkey cannot be removed, but one of two can', async () => {
    const { s, user, pair, add } = await setup();
    const first = await add('One');
    const second = await add('Two');
    // An account without a password (none are made today; the rule guards the day they are).
    s.db.tables.users.get(user.id)!.passwordHash = '!';
    await s.passkeys.remove(user.id, first.id, { password: null, sessionId: pair.sessionId }, s.ctx);
    await rejectsWithCode(s.passkeys.remove(user.id, second.id, { password: null, sessionId: pair.sessionId }, s.ctx), 'LAST_SIGN_IN_METHOD');
    assert.equal((await s.passkeys.list(user.id)).length, 1);
  });

  it('when the account has a password, then its last passkey may go (the password still signs in)', async () => {
    const { s, user, pair, add } = await setup();
    const only = await add();
    assert.equal(only.name, 'Passkey 1');
    await s.passkeys.remove(user.id, only.id, { password: null, sessionId: pair.sessionId }, s.ctx);
    assert.equal((await s.passkeys.list(user.id)).length, 0);
  });

  it('when a registration answers after the challenge lifetime, then it is refused', async () => {
    const { s, user, pair, authenticator } = await setup();
    const options = await s.passkeys.registrationOptions(user.id, { password: null, sessionId: pair.sessionId }, s.ctx);
    s.clock.advance(s.settings.passkeys.challengeTtl + 1);
    await rejectsWithCode(s.passkeys.register(user.id, pair.sessionId, authenticator.create(options), null, s.ctx), 'PASSKEY_INVALID');
  });

  it('when an admin resets 2FA, then the passkeys go too and passkey.removed names the reason', async () => {
    const { s, user, add } = await setup();
    await add();
    await add();
    await s.twoFactor.adminReset('00000000-0000-4000-8000-000000000001', user.id, s.ctx);
    assert.equal((await s.passkeys.list(user.id)).length, 0);
    const removed = [...s.db.tables.audit.values()].find((e) => e.type === 'passkey.removed');
    assert.deepEqual(removed?.metadata, { count: 2, reason: 'admin_2fa_reset' });
  });

  it('when the account is deleted, then its passkeys are deleted with it', async () => {
    const { s, user, add } = await setup();
    await add();
    await s.accountDeletion.delete(user.id, { password: TEST_PASSWORD }, s.ctx);
    assert.equal(s.db.tables.passkeys.size, 0);
  });
});
