// Passkeys (issue 26): registration by a signed-in user, the list (name, created, last used, device type,
// synced), renaming and removal, and the checks behind passwordless sign-in and the passkey second factor.
// Sessions are not opened here: AuthService does that, on the same path as a password sign-in.
// Every challenge is single use (consumed before the response is even checked), short-lived, and bound to
// what asked for it: the session (registration), the MFA challenge (second factor), or nothing but itself
// (passwordless sign-in, where the authenticator names the account).
import { auditEntry } from '../audit';
import { DomainError, Errors } from '../errors';
import type { LockoutPolicy } from '../lockout';
import { hasUsablePassword } from '../password-policy';
import type { Clock, Repositories, TokenGenerator, UnitOfWork } from '../ports';
import type { RequestContext, User } from '../types';
import type { WebAuthnRelyingParty } from './ports';
import { amrOf, type Passkey, type PasskeyAmr, type WebAuthnPurpose } from './types';

/** config.passkeys.challengeTtl and config.twoFactor.reauthWindow. */
export interface PasskeySettings {
  /** Seconds a WebAuthn challenge stays usable. */
  challengeTtl: number;
  /** Seconds after sign-in during which a passkey may be added without the password (REAUTH_WINDOW_SECONDS). */
  reauthWindow: number;
}

/** Who asks for a sensitive passkey change: the password again, or a session that signed in recently. */
export interface PasskeyReauth {
  password: string | null;
  sessionId: string;
}

/** Longest passkey name; longer input is a validation error, not cut. */
export const PASSKEY_NAME_MAX = 64;

/** What the login flow needs from passkeys (AuthService). */
export interface PasskeyFactor {
  hasPasskeys(userId: string): Promise<boolean>;
  /** Passwordless sign-in: the account the verified passkey belongs to, and its amr. */
  verifySignIn(response: unknown, ctx: RequestContext): Promise<{ user: User; amr: PasskeyAmr }>;
  /** Options for the second factor of one MFA challenge (the user's passkeys only). */
  secondFactorOptions(userId: string, mfaChallengeId: string): Promise<Record<string, unknown>>;
  /** Second factor: throws PASSKEY_INVALID unless the response is a passkey of `user` answering a challenge of this MFA challenge. */
  verifySecondFactor(user: User, mfaChallengeId: string, response: unknown, ctx: RequestContext): Promise<PasskeyAmr>;
}

export class PasskeyService implements PasskeyFactor {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly rp: WebAuthnRelyingParty,
    private readonly tokens: Pick<TokenGenerator, 'uuid' | 'hashToken'>,
    private readonly clock: Clock,
    private readonly settings: PasskeySettings,
    /** Checks the password of re-authentications (wrong ones count toward the lockout). */
    private readonly lockout: LockoutPolicy,
  ) {}

  // --- management (signed-in user) ---------------------------------------------------------------------------

  /** Options for navigator.credentials.create(): needs the password or a sign-in within the re-auth window. */
  async registrationOptions(userId: string, reauth: PasskeyReauth, ctx: RequestContext): Promise<Record<string, unknown>> {
    const user = await this.requireUser(userId);
    await this.reauthenticate(user, reauth, ctx, 'passkey_add');
    const existing = await this.uow.direct.passkeys.listForUser(userId);
    const { options, challenge } = await this.rp.registrationOptions({
      userId,
      userName: user.email,
      displayName: user.username ?? user.email,
      exclude: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
    });
    await this.storeChallenge(challenge, 'registration', { userId, sessionId: reauth.sessionId });
    return options;
  }

  /** Verifies the new credential against the challenge this session asked for, and stores it. */
  async register(userId: string, sessionId: string, response: unknown, nameInput: string | null, ctx: RequestContext): Promise<Passkey> {
    const name = nameInput === null ? null : this.checkName(nameInput);
    const challenge = await this.consumeChallenge(response, 'registration');
    if (!challenge || challenge.userId !== userId || challenge.sessionId !== sessionId) throw Errors.passkeyInvalid();
    const verified = await this.rp.verifyRegistration(response, challenge.value);
    return this.uow.run(async (r) => {
      const count = await r.passkeys.countForUser(userId);
      const passkey = {
        id: this.tokens.uuid(),
        userId,
        credentialId: verified.credentialId,
        publicKey: verified.publicKey,
        counter: verified.counter,
        transports: verified.transports,
        deviceType: verified.deviceType,
        backedUp: verified.backedUp,
        aaguid: verified.aaguid,
        name: name || `Passkey ${count + 1}`,
      };
      // The same authenticator twice (excludeCredentials should have stopped it), or another account's.
      if (!(await r.passkeys.create(passkey))) throw Errors.validation([{ field: 'credential', message: 'This passkey is registered already' }]);
      await r.audit.record(auditEntry(userId, 'passkey.added', ctx, { passkeyId: passkey.id, deviceType: passkey.deviceType, backedUp: passkey.backedUp, sessionId }));
      const stored = await r.passkeys.findByCredentialId(passkey.credentialId);
      return stored!;
    });
  }

  list(userId: string): Promise<Passkey[]> {
    return this.uow.direct.passkeys.listForUser(userId);
  }

  async rename(userId: string, id: string, nameInput: string, ctx: RequestContext): Promise<Passkey> {
    const name = this.checkName(nameInput);
    if (!name) throw Errors.validation([{ field: 'name', message: 'name must not be empty' }]);
    return this.uow.run(async (r) => {
      const renamed = await r.passkeys.rename(userId, id, name);
      if (!renamed) throw Errors.notFound('Passkey');
      await r.audit.record(auditEntry(userId, 'passkey.renamed', ctx, { passkeyId: id }));
      return renamed;
    });
  }

  /**
   * Removes one of the user's passkeys (the password or a recent sign-in again). Refused when it is the last
   * way to sign in: no other passkey and no usable password.
   */
  async remove(userId: string, id: string, reauth: PasskeyReauth, ctx: RequestContext): Promise<void> {
    const user = await this.requireUser(userId);
    const owned = (await this.uow.direct.passkeys.listForUser(userId)).some((p) => p.id === id);
    if (!owned) throw Errors.notFound('Passkey');
    await this.reauthenticate(user, reauth, ctx, 'passkey_remove');
    await this.uow.run(async (r) => {
      const count = await r.passkeys.countForUser(userId);
      // A linked upstream provider (docs/federation.md) is a way to sign in too.
      if (count <= 1 && !hasUsablePassword(user) && (await r.federatedIdentities.listForUser(userId)).length === 0) throw Errors.lastSignInMethod();
      if (!(await r.passkeys.delete(userId, id))) throw Errors.notFound('Passkey');
      await r.audit.record(auditEntry(userId, 'passkey.removed', ctx, { passkeyId: id, reason: 'user' }));
    });
  }

  // --- sign-in and second factor ----------------------------------------------------------------------------

  async hasPasskeys(userId: string): Promise<boolean> {
    return (await this.uow.direct.passkeys.countForUser(userId)) > 0;
  }

  /** Options for passwordless sign-in: no account named (discoverable credentials), user verification required. */
  async signInOptions(): Promise<Record<string, unknown>> {
    const { options, challenge } = await this.rp.authenticationOptions({ allow: [], userVerification: 'required' });
    await this.storeChallenge(challenge, 'sign_in', {});
    return options;
  }

  async verifySignIn(response: unknown, ctx: RequestContext): Promise<{ user: User; amr: PasskeyAmr }> {
    const challenge = await this.consumeChallenge(response, 'sign_in');
    const named = this.rp.credentialOf(response);
    if (!challenge || !named) return this.refuse(null, ctx, 'sign_in', 'challenge');
    const passkey = await this.uow.direct.passkeys.findByCredentialId(named.credentialId);
    // The user handle, when the authenticator returns one, must be the owner of the credential it names.
    if (!passkey || (named.userHandle !== null && named.userHandle !== passkey.userId)) return this.refuse(null, ctx, 'sign_in', 'credential');
    await this.assertAssertion(passkey, response, challenge.value, true, ctx, 'sign_in');
    const user = await this.uow.direct.users.findById(passkey.userId);
    if (!user || user.deletedAt) throw Errors.passkeyInvalid();
    return { user, amr: amrOf(passkey) };
  }

  async secondFactorOptions(userId: string, mfaChallengeId: string): Promise<Record<string, unknown>> {
    const passkeys = await this.uow.direct.passkeys.listForUser(userId);
    if (!passkeys.length) throw Errors.passkeyInvalid();
    const { options, challenge } = await this.rp.authenticationOptions({
      allow: passkeys.map((p) => ({ id: p.credentialId, transports: p.transports })),
      // After the password, the passkey is the possession factor: presence is enough, as with a security key.
      userVerification: 'preferred',
    });
    await this.storeChallenge(challenge, 'second_factor', { userId, mfaChallengeId });
    return options;
  }

  async verifySecondFactor(user: User, mfaChallengeId: string, response: unknown, ctx: RequestContext): Promise<PasskeyAmr> {
    const challenge = await this.consumeChallenge(response, 'second_factor');
    const named = this.rp.credentialOf(response);
    if (!challenge || !named || challenge.mfaChallengeId !== mfaChallengeId || challenge.userId !== user.id) {
      return this.refuse(user.id, ctx, 'second_factor', 'challenge');
    }
    const passkey = await this.uow.direct.passkeys.findByCredentialId(named.credentialId);
    // Another account's passkey is refused like an unknown one.
    if (!passkey || passkey.userId !== user.id) return this.refuse(user.id, ctx, 'second_factor', 'credential');
    await this.assertAssertion(passkey, response, challenge.value, false, ctx, 'second_factor');
    return amrOf(passkey);
  }

  // --- what other credential changes do to passkeys -----------------------------------------------------------

  /**
   * Admin "reset 2FA" (docs/passkeys.md): passkeys are a second factor too, so they go with TOTP and the
   * backup codes. Runs inside the caller's transaction; returns how many were removed.
   */
  static async removeAll(r: Repositories, userId: string, ctx: RequestContext, reason: 'admin_2fa_reset' | 'account_deleted'): Promise<number> {
    const count = await r.passkeys.deleteAll(userId);
    if (count) await r.audit.record(auditEntry(userId, 'passkey.removed', ctx, { count, reason }));
    return count;
  }

  // --- internals ----------------------------------------------------------------------------------------------

  private async assertAssertion(passkey: Passkey, response: unknown, challenge: string, requireUv: boolean, ctx: RequestContext, context: WebAuthnPurpose): Promise<void> {
    let verified;
    try {
      verified = await this.rp.verifyAuthentication(response, challenge, passkey, requireUv);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'PASSKEY_INVALID') await this.refuse(passkey.userId, ctx, context, 'signature', passkey.id);
      throw err;
    }
    // A counter that does not grow (when either side keeps one) means two copies of the key are in use:
    // refused, and a security event the owner sees (WebAuthn §6.1.1).
    if ((verified.counter > 0 || passkey.counter > 0) && verified.counter <= passkey.counter) {
      await this.uow.direct.audit.record(
        auditEntry(passkey.userId, 'passkey.counter_regressed', ctx, { passkeyId: passkey.id, storedCounter: passkey.counter, receivedCounter: verified.counter, context }),
      );
      throw Errors.passkeyInvalid();
    }
    await this.uow.direct.passkeys.recordUse(passkey.id, verified.counter, verified.backedUp, this.clock.now());
  }

  /** Records a failed assertion (for the account when known) and throws PASSKEY_INVALID. */
  private async refuse(userId: string | null, ctx: RequestContext, context: WebAuthnPurpose, reason: string, passkeyId?: string): Promise<never> {
    await this.uow.direct.audit.record(auditEntry(userId, 'passkey.failed', ctx, { context, reason, ...(passkeyId ? { passkeyId } : {}) }));
    throw Errors.passkeyInvalid();
  }

  private async storeChallenge(challenge: string, purpose: WebAuthnPurpose, bound: { userId?: string; sessionId?: string; mfaChallengeId?: string }): Promise<void> {
    await this.uow.direct.webauthnChallenges.create({
      id: this.tokens.uuid(),
      challengeHash: this.tokens.hashToken(challenge),
      purpose,
      userId: bound.userId ?? null,
      sessionId: bound.sessionId ?? null,
      mfaChallengeId: bound.mfaChallengeId ?? null,
      expiresAt: new Date(this.clock.now().getTime() + this.settings.challengeTtl * 1000),
    });
  }

  /** The challenge the response signed, consumed (single use) whatever the outcome of the checks that follow. */
  private async consumeChallenge(response: unknown, purpose: WebAuthnPurpose) {
    const value = this.rp.challengeOf(response);
    if (!value) return null;
    const row = await this.uow.direct.webauthnChallenges.consume(this.tokens.hashToken(value), purpose, this.clock.now());
    return row ? { ...row, value } : null;
  }

  private async reauthenticate(user: User, reauth: PasskeyReauth, ctx: RequestContext, context: 'passkey_add' | 'passkey_remove'): Promise<void> {
    if (reauth.password !== null) {
      await this.lockout.checkPassword(user, reauth.password, ctx, context);
      await this.lockout.recordSuccess(user);
      return;
    }
    const windowMs = this.settings.reauthWindow * 1000;
    const session = windowMs > 0 ? await this.uow.direct.sessions.findById(reauth.sessionId) : null;
    // createdAt is when this session's sign-in happened; refresh rotations never make it recent again.
    if (!session || session.userId !== user.id || this.clock.now().getTime() - session.createdAt.getTime() > windowMs) throw Errors.reauthRequired();
  }

  private async requireUser(userId: string): Promise<User> {
    const user = await this.uow.direct.users.findById(userId);
    if (!user || user.deletedAt) throw Errors.sessionTerminated();
    return user;
  }

  private checkName(input: string): string {
    const name = input.normalize('NFC').trim();
    if ([...name].length > PASSKEY_NAME_MAX) throw Errors.validation([{ field: 'name', message: `name must be at most ${PASSKEY_NAME_MAX} characters` }]);
    if (/\p{Cc}/u.test(name)) throw Errors.validation([{ field: 'name', message: 'name must not contain control characters' }]);
    return name;
  }
}
