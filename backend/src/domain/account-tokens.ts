// Mailed single-use tokens (password reset, email verification, "this wasn't me"): the raw token goes into
// the mail only, the store keeps its SHA-256 (AccountTokenRepository). One place builds them, so every kind
// of link is made the same way.
import type { Repositories, TokenGenerator } from './ports';
import type { AccountTokenPurpose, AccountTokenReplacement } from './types';

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
