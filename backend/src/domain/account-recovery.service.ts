// Getting back into an account and keeping its address true: password reset by mail, email verification
// (and re-verification on a change of address), and the "this wasn't me" link of new-device alerts.
// Every mailed link is a single-use opaque token, stored as SHA-256 only (AccountTokenRepository); mails are
// queued in the same transaction as the change (MailOutbox) and sent later, so no request waits for SMTP.
import { issueAccountToken, voidOutstandingTokens } from './account-tokens';
import { forgetTrustedDevices } from './trusted-devices';
import { auditEntry } from './audit';
import { canonicalEmail, normalizeEmail } from './email';
import type { EmailVerification } from './email-verification';
import { Errors } from './errors';
import type { PasswordPolicy } from './password-policy';
import type { TwoFactorService } from './two-factor.service';
import type { Clock, PasswordHasher, Repositories, RevocationStore, TokenGenerator, UnitOfWork } from './ports';
import { isBarred, type AccessClaims, type RequestContext } from './types';

export interface RecoverySettings {
  /** PASSWORD_RESET_TTL, seconds. */
  passwordResetTtl: number;
  /** EMAIL_CHANGE_REVERT_TTL, seconds: how long the old address can undo a completed change of address. */
  emailChangeRevertTtl: number;
}

export interface SignInReport {
  /** The session the link was about; ended now (or already over). */
  sessionId: string;
  /** A password-reset link was mailed to the account's address (the link itself no longer resets: issue 22). */
  passwordResetMailed: boolean;
}

export class AccountRecoveryService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly revocations: RevocationStore,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
    private readonly tokens: TokenGenerator,
    private readonly verification: EmailVerification,
    private readonly clock: Clock,
    private readonly settings: RecoverySettings,
    /** Re-authentication for a change of address: the password and, with 2FA on, a code. */
    private readonly twoFactor: Pick<TwoFactorService, 'reauthenticate'>,
  ) {}

  /**
   * Mails a reset link when an active account has this address; does nothing otherwise. The caller answers
   * the same either way (and does not wait for this), so the answer tells nothing about the address.
   */
  async requestPasswordReset(emailInput: string, ctx: RequestContext): Promise<void> {
    const user = await this.uow.direct.users.findByEmail(normalizeEmail(emailInput));
    if (!user || user.status !== 'active') return;
    await this.uow.run(async (r) => {
      await this.mailResetLink(r, user);
      await r.audit.record(auditEntry(user.id, 'password.reset_requested', ctx));
    });
  }

  /**
   * An administrator sends the reset link (issue 28): the same mail and token as the user's own request,
   * for an active account only; the audit row names who asked.
   */
  async requestPasswordResetFor(userId: string, actor: Record<string, unknown>, ctx: RequestContext): Promise<void> {
    const user = await this.uow.direct.users.findById(userId);
    if (!user || user.deletedAt) throw Errors.notFound('User');
    if (user.status === 'pending') throw Errors.accountPending();
    if (isBarred(user.status)) throw Errors.accountDisabled();
    await this.uow.run(async (r) => {
      await this.mailResetLink(r, user);
      await r.audit.record(auditEntry(user.id, 'password.reset_requested', ctx, actor));
    });
  }

  private async mailResetLink(r: Repositories, user: { id: string; email: string }): Promise<void> {
    const token = await this.issueResetToken(r, user.id);
    await r.mail.enqueue({ template: 'password_reset', to: user.email, userId: user.id, params: { token, expiresInMinutes: Math.round(this.settings.passwordResetTtl / 60) } });
  }

  private issueResetToken(r: Repositories, userId: string): Promise<string> {
    return issueAccountToken(r, this.tokens, {
      userId,
      purpose: 'password_reset',
      subject: null,
      now: this.clock.now(),
      ttlSeconds: this.settings.passwordResetTtl,
      replaces: 'all',
    });
  }

  /**
   * Sets the new password with a reset token: every session ends, the lockout counters are cleared (the
   * owner has proven they read the account's mail, which also verifies the address), `password.reset` is
   * recorded and a notice mailed. Two-factor authentication is left as it is: the next sign-in still asks
   * for a code, and no session is opened here.
   */
  async confirmPasswordReset(token: string, newPassword: string, ctx: RequestContext): Promise<void> {
    // Checked before the token is spent, so a weak password does not burn the link.
    const problems = this.policy.check(newPassword, 'newPassword');
    if (problems.length) throw Errors.validation(problems);
    const hash = await this.hasher.hash(newPassword);
    const now = this.clock.now();
    const revoked = await this.uow.run(async (r) => {
      const used = await r.accountTokens.consume(this.tokens.hashToken(token), 'password_reset', now);
      if (!used) throw Errors.linkInvalid();
      const user = await r.users.findById(used.userId);
      if (!user || user.status !== 'active') throw Errors.linkInvalid();
      await r.users.updatePassword(user.id, hash, now);
      await r.users.resetLoginFailures(user.id);
      if (!user.emailVerified) await r.users.setEmailVerified(user.id);
      const ids = await r.sessions.revoke({ userId: user.id }, 'password_reset', now);
      await r.audit.record(auditEntry(user.id, 'password.reset', ctx, { sessionIds: ids, count: ids.length }));
      // A new password forgets every "remember this device" token too (trusted devices).
      await forgetTrustedDevices(r, user.id, 'password_changed', ctx);
      // Every other mailed link too: an intruder's pending change of address must not outlive the reset.
      await voidOutstandingTokens(r, user.id, 'password_reset', ctx);
      await r.mail.enqueue({ template: 'password_changed', to: user.email, userId: user.id, params: { time: now.toISOString(), ipAddress: ctx.ipAddress } });
      return ids;
    });
    if (revoked.length) await this.revocations.revoke(revoked);
  }

  /** "Send the verification mail again": like a reset request, silent about unknown or verified addresses. */
  async resendVerification(emailInput: string): Promise<void> {
    const user = await this.uow.direct.users.findByEmail(normalizeEmail(emailInput));
    if (!user || user.emailVerified || isBarred(user.status)) return;
    await this.uow.run((r) => this.verification.queue(r, user.id, user.email));
  }

  /**
   * Confirms an address with its link. For the account's own address it marks it verified; for a new address
   * (a change requested with POST /api/user/email) it becomes the account's address, verified.
   */
  async confirmEmail(token: string, ctx: RequestContext): Promise<{ email: string }> {
    const now = this.clock.now();
    return this.uow.run(async (r) => {
      const used = await r.accountTokens.consume(this.tokens.hashToken(token), 'email_verification', now);
      if (!used || !used.subject) throw Errors.linkInvalid();
      const user = await r.users.findById(used.userId);
      if (!user || isBarred(user.status)) throw Errors.linkInvalid();
      if (used.subject === user.email) {
        await r.users.setEmailVerified(user.id);
        await r.audit.record(auditEntry(user.id, 'email.verified', ctx));
      } else {
        // EMAIL_TAKEN when another account registered the address meanwhile; the link stays unused (rollback).
        await r.users.changeEmail(user.id, used.subject);
        // Older links (for the previous address, or an earlier change) must not move the account back.
        await r.accountTokens.discardUnused(user.id, 'email_verification', used.id);
        await r.audit.record(auditEntry(user.id, 'email.changed', ctx, { previousEmail: user.email }));
        // The old address is told, with a way back: whoever moved the account may have had only the password.
        const ttl = this.settings.emailChangeRevertTtl;
        const revert = await issueAccountToken(r, this.tokens, { userId: user.id, purpose: 'email_change_revert', subject: user.email, now, ttlSeconds: ttl, replaces: 'none' });
        await r.mail.enqueue({
          template: 'email_changed',
          to: user.email,
          userId: user.id,
          params: { newEmail: used.subject, time: now.toISOString(), token: revert, expiresInHours: Math.round(ttl / 3600) },
        });
      }
      return { email: used.subject };
    });
  }

  /**
   * A signed-in user asks to move the account to another address (password re-checked, with lockout). The
   * new address gets a verification link and becomes the account's only when it is confirmed; the current
   * address is told at once, so an intruder cannot quietly take the account over.
   */
  /** The account's address and the change waiting for confirmation, if any (its newest link). */
  async emailStatus(userId: string): Promise<{ email: string; pendingEmail: string | null; pendingExpiresAt: Date | null }> {
    const user = await this.uow.direct.users.findById(userId);
    if (!user) throw Errors.sessionTerminated();
    const links = await this.uow.direct.accountTokens.listLive(userId, 'email_verification', this.clock.now());
    const pending = links.filter((t) => t.subject && t.subject !== user.email).at(-1);
    return { email: user.email, pendingEmail: pending?.subject ?? null, pendingExpiresAt: pending?.expiresAt ?? null };
  }

  /** The owner withdraws a pending change of address: its link stops working (audited `email.change_cancelled`). */
  async cancelEmailChange(userId: string, ctx: RequestContext): Promise<boolean> {
    return this.uow.run(async (r) => {
      const user = await r.users.findById(userId);
      if (!user) throw Errors.sessionTerminated();
      const gone = await r.accountTokens.voidUnused(userId, ['email_verification']);
      const pending = gone.filter((t) => t.subject && t.subject !== user.email);
      // A link confirming the current address was voided too: send a fresh one so it can still be confirmed.
      if (gone.length > pending.length && !user.emailVerified) await this.verification.queue(r, user.id, user.email, 'same-subject');
      if (pending.length === 0) return false;
      await r.audit.record(auditEntry(userId, 'email.change_cancelled', ctx, { reason: 'cancelled_by_user', newEmail: pending[pending.length - 1].subject }));
      return true;
    });
  }

  async requestEmailChange(claims: AccessClaims, input: { password: string; newEmail: string; code?: string | null }, ctx: RequestContext): Promise<{ pendingEmail: string }> {
    const user = await this.uow.direct.users.findById(claims.sub);
    if (!user) throw Errors.sessionTerminated();
    // The password and, with 2FA on, a TOTP or backup code (wrong ones count toward the lockout): moving the
    // address hands over the account's recovery, so a stolen password alone must not be enough (issue 22).
    const secondFactor = await this.twoFactor.reauthenticate(user, { password: input.password, code: input.code ?? null }, ctx, 'change_email');
    const email = canonicalEmail(input.newEmail);
    if (!email) throw Errors.validation([{ field: 'newEmail', message: 'newEmail must be a valid email address' }]);
    if (email === user.email) throw Errors.validation([{ field: 'newEmail', message: 'newEmail is already the account\'s address' }]);
    if (await this.uow.direct.users.findByEmail(email)) throw Errors.emailTaken();
    await this.uow.run(async (r) => {
      if (secondFactor) await secondFactor.commit(r);
      await this.verification.queue(r, user.id, email, 'all');
      await r.mail.enqueue({ template: 'email_change_requested', to: user.email, userId: user.id, params: { newEmail: email, time: this.clock.now().toISOString() } });
      await r.audit.record(auditEntry(user.id, 'email.change_requested', ctx, { sessionId: claims.sid }));
    });
    return { pendingEmail: email };
  }

  /**
   * The "this wasn't me" link of a new-device mail: ends that session at once (`session.reported`), voids
   * every other outstanding link (an intruder who signed in may have asked to move the address), and mails a
   * fresh password-reset link to the account's address, since whoever signed in knew the password. The link
   * does only this (issue 22): it is not itself a way to set a password, lives SIGN_IN_REPORT_TTL (24 h), is
   * single use, and any credential change voids it. Expired, used or unknown links are LINK_INVALID.
   */
  async reportSignIn(token: string, ctx: RequestContext): Promise<SignInReport> {
    const now = this.clock.now();
    const { sessionId, revoked } = await this.uow.run(async (r) => {
      const used = await r.accountTokens.consume(this.tokens.hashToken(token), 'sign_in_report', now);
      if (!used || !used.subject) throw Errors.linkInvalid();
      const user = await r.users.findById(used.userId);
      if (!user || user.status !== 'active') throw Errors.linkInvalid();
      const ids = await r.sessions.revoke({ sessionId: used.subject, userId: user.id }, 'reported_by_user', now);
      await r.audit.record(auditEntry(user.id, 'session.reported', ctx, { sessionId: used.subject, sessionIds: ids, count: ids.length }));
      await voidOutstandingTokens(r, user.id, 'sign_in_reported', ctx);
      await this.mailResetLink(r, user);
      return { sessionId: used.subject, revoked: ids };
    });
    if (revoked.length) await this.revocations.revoke(revoked);
    return { sessionId, passwordResetMailed: true };
  }

  /**
   * The revert link mailed to the old address when a change of address completed: the old address becomes
   * the account's again (verified), every session ends, remembered devices are forgotten, every outstanding
   * link is voided (a reset link mailed to the intruder's address above all) including the revert links of
   * other changes, and `email.change_reverted` is recorded. Single use, EMAIL_CHANGE_REVERT_TTL; a credential
   * change does not void it (the intruder may be the one changing them). The password is left as it is: the
   * owner resets it through the restored address. EMAIL_TAKEN when the old address was registered meanwhile.
   */
  async revertEmailChange(token: string, ctx: RequestContext): Promise<{ email: string }> {
    const now = this.clock.now();
    const { email, revoked } = await this.uow.run(async (r) => {
      const used = await r.accountTokens.consume(this.tokens.hashToken(token), 'email_change_revert', now);
      if (!used || !used.subject) throw Errors.linkInvalid();
      const user = await r.users.findById(used.userId);
      if (!user || user.deletedAt || isBarred(user.status)) throw Errors.linkInvalid();
      if (user.email !== used.subject) await r.users.changeEmail(user.id, used.subject);
      await r.accountTokens.voidUnused(user.id, ['email_change_revert']);
      await voidOutstandingTokens(r, user.id, 'email_change_reverted', ctx);
      const ids = await r.sessions.revoke({ userId: user.id }, 'email_change_reverted', now);
      await r.audit.record(auditEntry(user.id, 'email.change_reverted', ctx, { revertedEmail: user.email, sessionIds: ids, count: ids.length }));
      await forgetTrustedDevices(r, user.id, 'email_change_reverted', ctx);
      return { email: used.subject, revoked: ids };
    });
    if (revoked.length) await this.revocations.revoke(revoked);
    return { email };
  }
}
