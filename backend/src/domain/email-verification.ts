// Queues a verification mail for an address inside the caller's transaction: a fresh single-use token
// (SHA-256 at rest) that replaces the unused older ones for the same address, and the mail carrying it. Used at
// registration, on "send it again", and when the user changes their address (then the mail goes to the new
// address and replaces every unused link: only the newest change can complete).
import { issueAccountToken } from './account-tokens';
import type { Clock, Repositories, TokenGenerator } from './ports';

export interface EmailVerificationSettings {
  /** EMAIL_VERIFICATION_TTL, seconds. */
  emailVerificationTtl: number;
}

export class EmailVerification {
  constructor(
    private readonly tokens: TokenGenerator,
    private readonly clock: Clock,
    private readonly settings: EmailVerificationSettings,
  ) {}

  /**
   * `replaces`: 'same-subject' for the account's own address (so "send it again", which anyone who knows the
   * address may ask for, cannot cancel the owner's pending change of address), 'all' for a change of address.
   */
  async queue(r: Repositories, userId: string, address: string, replaces: 'same-subject' | 'all' = 'same-subject'): Promise<void> {
    const ttl = this.settings.emailVerificationTtl;
    const token = await issueAccountToken(r, this.tokens, {
      userId,
      purpose: 'email_verification',
      subject: address,
      now: this.clock.now(),
      ttlSeconds: ttl,
      replaces,
    });
    await r.mail.enqueue({ template: 'verify_email', to: address, userId, params: { token, expiresInMinutes: Math.round(ttl / 60) } });
  }
}
