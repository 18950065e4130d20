// Mailed single-use tokens (password reset, email verification, "this wasn't me"): the raw token goes into
// the mail only, the store keeps its SHA-256 (AccountTokenRepository). One place builds them, so every kind
// of link is made the same way.
import { auditEntry } from './audit';
import type { Repositories, TokenGenerator } from './ports';
import type { AccountTokenPurpose, AccountTokenReplacement, RequestContext } from './types';

export interface AccountTokenRequest {
  userId: string;
  purpose: AccountTokenPurpose;
  /** email_verification: the address it verifies; sign_in_report: the session it ends. */
  subject: string | null;
  now: Date;
  ttlSeconds: number;
  /** Which of the user's unused tokens of this purpose it replaces, so only the newest link works. */
  replaces: AccountTokenReplacement;
}

/** Stores a new token inside the caller's transaction and returns the raw token for the mail. */
export async function issueAccountToken(r: Repositories, tokens: TokenGenerator, req: AccountTokenRequest): Promise<string> {
  const token = tokens.opaqueToken();
  await r.accountTokens.issue(
    {
      id: tokens.uuid(),
      userId: req.userId,
      purpose: req.purpose,
      tokenHash: tokens.hashToken(token),
      subject: req.subject,
      expiresAt: new Date(req.now.getTime() + req.ttlSeconds * 1000),
    },
    req.replaces,
  );
  return token;
}

/** What voided an account's outstanding links (audit metadata of `email.change_cancelled`). */
export type TokenVoidReason =
  | 'password_changed'
  | 'password_reset'
  | 'sessions_revoked'
  | 'sign_in_reported'
  | '2fa_enabled'
  | '2fa_disabled'
  | 'admin_2fa_reset'
  | 'email_change_reverted'
  /** The owner cancelled it from the account page. */
  | 'cancelled_by_user';

/**
 * The links a credential change, a sign-out everywhere, a "this wasn't me" report or a 2FA change voids:
 * every one that could move the account to another address or set its password (issue 22: a pending change
 * of address requested by an intruder survived all of these and took the account over). The revert link of a
 * completed change (`email_change_revert`) is NOT voided: it is the old address's way back, and an intruder
 * who reset the password through the new address must not be able to take it away.
 */
const VOIDED_BY_ACCOUNT_CHANGES = ['password_reset', 'email_verification', 'sign_in_report'] as const;

/**
 * Inside the caller's transaction: deletes the user's unused reset, verification and "this wasn't me"
 * tokens. A pending change of address among them is recorded as `email.change_cancelled` (the owner sees in
 * the activity list that a change to that address was stopped). Returns how many links were voided.
 */
export async function voidOutstandingTokens(r: Repositories, userId: string, reason: TokenVoidReason, ctx: RequestContext): Promise<number> {
  const gone = await r.accountTokens.voidUnused(userId, VOIDED_BY_ACCOUNT_CHANGES);
  const verifications = gone.filter((t) => t.purpose === 'email_verification' && t.subject);
  if (verifications.length === 0) return gone.length;
  // Only now the account's address: a link for another one was a pending change (most calls void none).
  const user = await r.users.findById(userId);
  const pending = verifications.filter((t) => t.subject !== user?.email);
  if (pending.length) {
    await r.audit.record(auditEntry(userId, 'email.change_cancelled', ctx, { reason, newEmail: pending[pending.length - 1].subject }));
  }
  return gone.length;
}
