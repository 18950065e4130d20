// Every mail the product sends, in one place: subject, plain-text body and HTML body per template. Links
// carry their token in the URL fragment (#token=...), which browsers never send to a server, so a token
// cannot end up in an access log or a Referer header; the web app's landing page reads it from there.
// Values are escaped for HTML; nothing here reads a request or the database.
import type { MailMessage, RenderedMail } from '../../domain/mail';
import type { SecurityChange } from '../../domain/security-notices';

export interface TemplateSettings {
  /** PRODUCT_NAME: in subjects, greetings and the signature. */
  productName: string;
  /** PUBLIC_URL: the web app's origin (and path prefix, if any). */
  publicUrl: string;
}

/** The web app's landing page for each token-bearing mail. */
export const LANDING_PATHS = {
  password_reset: '/reset-password',
  verify_email: '/verify-email',
  new_device: '/not-me',
  email_changed: '/revert-email',
} as const;

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

export function landingLink(settings: TemplateSettings, page: keyof typeof LANDING_PATHS, token: string): string {
  return `${settings.publicUrl.replace(/\/+$/, '')}${LANDING_PATHS[page]}#token=${encodeURIComponent(token)}`;
}

/** A mail's content before layout: paragraphs, an optional button (link), and a closing line. */
interface Content {
  subject: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  after?: string[];
}

/** A duration in the largest whole unit that fits: "30 minutes", "24 hours" → "1 day", "7 days" (issue 29, item 9). */
export function humanDuration(minutes: number): string {
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (minutes >= 1440 && minutes % 1440 === 0) return unit(minutes / 1440, 'day');
  if (minutes >= 60 && minutes % 60 === 0) return unit(minutes / 60, 'hour');
  return unit(Math.max(1, Math.round(minutes)), 'minute');
}

/** What each security change says: the subject's ending and the sentence describing it. */
const SECURITY_CHANGES: Record<SecurityChange, { subject: string; did: string }> = {
  password_changed: { subject: 'password was changed', did: 'the password was changed and every other session was signed out' },
  two_factor_enabled: { subject: 'two-factor authentication was turned on', did: 'two-factor authentication was turned on and the other sessions were signed out' },
  two_factor_disabled: { subject: 'two-factor authentication was turned off', did: 'two-factor authentication was turned off' },
  two_factor_reset_by_admin: { subject: 'two-factor authentication was reset', did: 'an administrator turned two-factor authentication off and removed the passkeys' },
  backup_codes_regenerated: { subject: 'backup codes were replaced', did: 'new backup codes were made; the old ones no longer work' },
  trusted_devices_forgotten: { subject: 'a remembered device was forgotten', did: 'a device that skipped the second step was forgotten' },
  passkey_added: { subject: 'a passkey was added', did: 'a passkey was added: it can now sign in to the account' },
  passkey_removed: { subject: 'a passkey was removed', did: 'a passkey was removed' },
  signed_out_everywhere: { subject: 'was signed out everywhere', did: 'every session was signed out' },
  signed_out_by_admin: { subject: 'was signed out by an administrator', did: 'an administrator signed out every session' },
  registration_approved: { subject: 'account was approved', did: 'an administrator approved the account: you can sign in now' },
  provider_linked: { subject: 'sign-in provider was linked', did: 'a sign-in provider was linked: it can now sign in to the account' },
  provider_unlinked: { subject: 'sign-in provider was unlinked', did: 'a sign-in provider was unlinked' },
};

function securityNotice(params: Extract<MailMessage, { template: 'security_notice' }>['params'], p: string): Content {
  const change = SECURITY_CHANGES[params.change];
  const provider = params.provider ? ` (${params.provider})` : '';
  const expected = params.change === 'registration_approved';
  return {
    subject: `Your ${p} account: ${change.subject}`,
    paragraphs: [
      `On ${params.time}${params.ipAddress ? `, from ${params.ipAddress}` : ''}, ${change.did}${provider}.`,
    ],
    after: expected
      ? []
      : ['If this was you, there is nothing to do. If not, reset your password at once (the sign-in page has "Forgot your password?"), check your sessions and two-factor settings, and tell your administrator.'],
  };
}

function content(m: MailMessage, s: TemplateSettings): Content {
  const p = s.productName;
  switch (m.template) {
    case 'password_reset':
      return {
        subject: `Reset your ${p} password`,
        paragraphs: [`Someone (hopefully you) asked to reset the password of your ${p} account.`],
        action: { label: 'Choose a new password', url: landingLink(s, 'password_reset', m.params.token) },
        after: [
          `The link works once, for ${humanDuration(m.params.expiresInMinutes)}; asking again replaces it.`,
          'If you did not ask for this, ignore this mail: your password stays as it is.',
        ],
      };
    case 'password_changed':
      return {
        subject: `Your ${p} password was changed`,
        paragraphs: [
          `The password of your ${p} account was reset on ${m.params.time}${m.params.ipAddress ? ` from ${m.params.ipAddress}` : ''}.`,
          'Every session was signed out. Two-step verification, if it is on, still applies.',
        ],
        after: ['If this was not you, reset your password at once and contact your administrator.'],
      };
    case 'security_notice':
      return securityNotice(m.params, p);
    case 'verify_email':
      return {
        subject: `Confirm your email address for ${p}`,
        paragraphs: [`Please confirm that this address belongs to your ${p} account.`],
        action: { label: 'Confirm this address', url: landingLink(s, 'verify_email', m.params.token) },
        after: [`The link works once, for ${humanDuration(m.params.expiresInMinutes)}.`, 'If you did not create an account, ignore this mail.'],
      };
    case 'email_change_requested':
      return {
        subject: `The email address of your ${p} account is being changed`,
        paragraphs: [
          `On ${m.params.time} someone signed in to your ${p} account asked to change its email address to ${m.params.newEmail}.`,
          'The change takes effect once the new address is confirmed.',
        ],
        after: ['If this was not you, change your password now: whoever did this knows it. Changing it (or signing out everywhere) also cancels this change.'],
      };
    case 'new_device':
      return {
        subject: `New sign-in to your ${p} account`,
        paragraphs: [
          `Your ${p} account was just signed in to from a device it has not used before: a sign-in from ${m.params.device}${m.params.location ? ` in ${m.params.location}` : ''}.`,
          `Device: ${m.params.device}`,
          ...(m.params.location ? [`Location: ${m.params.location} (from the IP address; approximate)`] : []),
          `IP address: ${m.params.ipAddress ?? 'unknown'}`,
          `Time: ${m.params.time}`,
        ],
        action: { label: 'This wasn\'t me', url: landingLink(s, 'new_device', m.params.token) },
        after: [
          `If it was you, there is nothing to do. If not, the link signs that device out at once, cancels any pending change of your email address, and mails you a link to choose a new password (it works once, for ${humanDuration(m.params.expiresInMinutes)}, and no longer after a password change).`,
        ],
      };
    case 'impossible_travel':
      return {
        subject: `Sign-in to your ${p} account from ${m.params.location}`,
        paragraphs: [
          `Your ${p} account was just signed in to from ${m.params.location}, though it was used from ${m.params.previousLocation} at ${m.params.previousSeenAt}. Nobody travels that fast: either you use a VPN or proxy, or someone else has your password.`,
          `Device: ${m.params.device}`,
          `Location: ${m.params.location} (from the IP address; approximate)`,
          `IP address: ${m.params.ipAddress ?? 'unknown'}`,
          `Time: ${m.params.time}`,
        ],
        action: { label: 'This wasn\'t me', url: landingLink(s, 'new_device', m.params.token) },
        after: [
          `If it was you, there is nothing to do. If not, the link signs that device out at once, cancels any pending change of your email address, and mails you a link to choose a new password (it works once, for ${humanDuration(m.params.expiresInMinutes)}, and no longer after a password change).`,
        ],
      };
    case 'email_changed':
      return {
        subject: `The email address of your ${p} account was changed`,
        paragraphs: [
          `On ${m.params.time} the email address of your ${p} account was changed to ${m.params.newEmail}. Mail about the account now goes there, not here.`,
        ],
        action: { label: 'This wasn\'t me: undo the change', url: landingLink(s, 'email_changed', m.params.token) },
        after: [
          `The link puts this address back, signs every device out and works once, for ${humanDuration(m.params.expiresInHours * 60)}. Then reset your password: whoever did this knows it.`,
          'If you made this change, there is nothing to do.',
        ],
      };
  }
}

export function renderMail(m: MailMessage, s: TemplateSettings): RenderedMail {
  const c = content(m, s);
  const text = [
    ...c.paragraphs,
    ...(c.action ? [`${c.action.label}: ${c.action.url}`] : []),
    ...(c.after ?? []),
    `— ${s.productName}`,
  ].join('\n\n');
  const para = (t: string) => `<p style="margin:0 0 16px">${escapeHtml(t)}</p>`;
  const button = c.action
    ? `<p style="margin:0 0 16px"><a href="${escapeHtml(c.action.url)}" style="display:inline-block;padding:10px 18px;background:#1d4ed8;color:#ffffff;text-decoration:none;border-radius:4px">${escapeHtml(c.action.label)}</a></p>` +
      `<p style="margin:0 0 16px;font-size:13px;color:#444">${escapeHtml(c.action.url)}</p>`
    : '';
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(c.subject)}</title></head>` +
    `<body style="font-family:system-ui,sans-serif;font-size:15px;line-height:1.5;color:#111;max-width:560px;margin:24px auto;padding:0 16px">` +
    c.paragraphs.map(para).join('') + button + (c.after ?? []).map(para).join('') +
    `<p style="margin:24px 0 0;color:#444">— ${escapeHtml(s.productName)}</p></body></html>`;
  return { to: m.to, subject: c.subject, text, html };
}
