// Queues a verification mail for an address inside the caller's transaction: a fresh single-use token
// (SHA-256 at rest) that replaces any unused older one, and the mail carrying it. Used at registration, on
// "send it again", and when the user changes their address (then the mail goes to the new address).
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

  async queue(r: Repositories, userId: string, address: string): Promise<void> {
    const ttl = this.settings.emailVerificationTtl;
    const token = await issueAccountToken(r, this.tokens, {
      userId,
      purpose: 'email_verification',
      subject: address,
      now: this.clock.now(),
      ttlSeconds: ttl,
      replaceUnused: true,
    });
    await r.mail.enqueue({ template: 'verify_email', to: address, userId, params: { token, expiresInMinutes: Math.round(ttl / 60) } });
  }
}
