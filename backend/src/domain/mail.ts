// Outgoing mail as the domain sees it: a message is a template name, a recipient and the template's
// parameters. The domain queues mail in the same transaction as the change it tells about (MailOutbox, a
// repository like the others); a relay sends queued mail later through a MailSender, with retries. So a
// request never waits for, or fails because of, a mail server, and a dead mail server loses no mail.
// Rendering (subject, plain text, HTML, links) is the templates' job (infrastructure/mail/templates.ts).

import type { SecurityChange } from './security-notices';

/** Every mail the product sends, with what its template needs. Tokens travel only here, never in logs. */
export type MailMessage =
  | { template: 'password_reset'; to: string; params: { token: string; expiresInMinutes: number } }
  | { template: 'password_changed'; to: string; params: { time: string; ipAddress: string | null } }
  /** A change to how the account is protected (security-notices.ts); `provider` for linked sign-in providers. */
  | { template: 'security_notice'; to: string; params: { change: SecurityChange; time: string; ipAddress: string | null; provider?: string | null } }
  | { template: 'verify_email'; to: string; params: { token: string; expiresInMinutes: number } }
  | { template: 'email_change_requested'; to: string; params: { newEmail: string; time: string } }
  /** To the OLD address once a change completed, with the revert link (email_change_revert token). */
  | { template: 'email_changed'; to: string; params: { newEmail: string; time: string; token: string; expiresInHours: number } }
  | {
      template: 'new_device';
      to: string;
      /** location: "Berlin, Germany" / "Germany" (issue 33); null or absent (mail queued before) = unknown. */
      params: { device: string; location?: string | null; ipAddress: string | null; time: string; token: string; expiresInMinutes: number };
    }
  | {
      /**
       * A sign-in from a second country within IMPOSSIBLE_TRAVEL_WINDOW of the last one (issue 33): sent instead
       * of new_device for that sign-in, with the same "this wasn't me" link (sign_in_report token).
       */
      template: 'impossible_travel';
      to: string;
      /** location: where this sign-in came from; previousLocation: the other country's name; previousSeenAt: ISO. */
      params: { device: string; location: string; previousLocation: string; previousSeenAt: string; ipAddress: string | null; time: string; token: string; expiresInMinutes: number };
    };

export type MailTemplate = MailMessage['template'];

/**
 * A message as it is queued: with the account it is about, so that deleting the account can discard its mail
 * that has not gone out yet (docs/security.md, "Deleting an account").
 */
export type QueuedMail = MailMessage & { userId: string };

/** Queues mail inside the caller's transaction (Repositories.mail). */
export interface MailOutbox {
  enqueue(message: QueuedMail): Promise<void>;
  /**
   * Account deletion: every mail row about the user goes, in the deletion's transaction. Mail still waiting
   * (or between retries) is never sent; sent and given-up rows go too, as their recipient is the address.
   * Returns how many rows were deleted.
   */
  deleteForUser(userId: string): Promise<number>;
}

/** A rendered mail, ready for the wire. */
export interface RenderedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Delivers one rendered mail (SMTP, or the dev transport). Throws when the server did not accept it. */
export interface MailSender {
  send(mail: RenderedMail): Promise<void>;
}
