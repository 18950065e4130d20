// The account page's address pieces: whether the address is confirmed (with "send the link again" while it
// is not), and moving the account to another address. Both only start a mail; the change itself happens on
// the /verify-email page the mailed link opens, so the account keeps its address until then.
import { useEffect, useState } from 'preact/hooks';
import { api, type User } from '../api';
import { dateTime, t } from '../i18n';
import { ErrorAlert, Field, FormCard, Status, useAction } from '../ui';

/**
 * "Send the link again" for `email`, with its answer. The signed-out endpoint: it answers 202 whether or not
 * the address needs a link, and is rate limited per address, so a 429 here is the "try again in N s" sentence.
 * Also on the sign-in page, for an account refused with EMAIL_NOT_VERIFIED.
 */
export function ResendVerification({ email }: { email: string }) {
  const [sentTo, setSentTo] = useState<string | null>(null);
  const resend = useAction(async () => {
    setSentTo(null);
    await api('/api/auth/email-verification', { method: 'POST', auth: false, body: { email } });
    setSentTo(email);
  });
  return (
    <>
      {sentTo && <Status tone="success">{t('email.resent', { email: sentTo })}</Status>}
      <ErrorAlert error={resend.error} />
      <div class="actions">
        <button type="button" disabled={resend.busy} onClick={() => void resend.run()}>
          {t('email.resend')}
        </button>
      </div>
    </>
  );
}

/** "Confirmed" / "Not confirmed yet", and the resend button while it is not. */
export function EmailVerificationStatus({ user }: { user: User }) {
  const verified = user.emailVerified ?? false;
  return (
    <section class="card" aria-labelledby="verified-title">
      <h2 id="verified-title">{t('email.statusTitle')}</h2>
      <p data-testid="email-status">{verified ? t('email.verified', { email: user.email }) : t('email.notVerified', { email: user.email })}</p>
      {!verified && <ResendVerification email={user.email} />}
    </section>
  );
}

/** New address and the current password; the answer names the address the link went to. */
export function ChangeEmail({ user }: { user: User }) {
  const [newEmail, setNewEmail] = useState('');
  const [password, setPassword] = useState('');
  // While 2FA is on, moving the address needs a code too (a stolen password alone must not move it).
  const twoFactor = user.twoFactorEnabled ?? false;
  const [code, setCode] = useState('');
  const [pending, setPending] = useState<{ to: string; from: string } | null>(null);
  /** A change waiting for its link (GET /api/user/email), also one asked for in another tab or earlier. */
  const [waiting, setWaiting] = useState<{ email: string; until: string } | null>(null);
  const [cancelled, setCancelled] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    api<{ pendingEmail: string | null; pendingExpiresAt: string | null }>('/api/user/email').then(
      (s) => setWaiting(s.pendingEmail && s.pendingExpiresAt ? { email: s.pendingEmail, until: s.pendingExpiresAt } : null),
      () => setWaiting(null),
    );
  }, [version]);
  const cancel = useAction(async () => {
    const was = waiting?.email ?? null;
    await api('/api/user/email/pending', { method: 'DELETE' });
    setPending(null);
    setCancelled(was);
    setVersion((v) => v + 1);
  });
  const change = useAction(async () => {
    setCancelled(null);
    setPending(null);
    const body = { newEmail: newEmail.trim(), password, ...(twoFactor ? { code: code.trim() } : {}) };
    const { pendingEmail } = await api<{ pendingEmail: string }>('/api/user/email', { method: 'POST', body });
    setNewEmail('');
    setPassword('');
    setCode('');
    setPending({ to: pendingEmail, from: user.email });
    setVersion((v) => v + 1);
  });
  return (
    <section aria-labelledby="change-email-title">
      <h2 id="change-email-title">{t('email.changeTitle')}</h2>
      <p>{t('email.changeIntro')}</p>
      {pending && <Status tone="success">{t('email.changeSent', { newEmail: pending.to, email: pending.from })}</Status>}
      {waiting && (
        <div class="card" data-testid="email-pending">
          <p>{t('email.pending', { newEmail: waiting.email, until: dateTime(waiting.until) })}</p>
          <ErrorAlert error={cancel.error} />
          <button type="button" onClick={() => void cancel.run()} disabled={cancel.busy}>
            {t('email.cancelChange')}
          </button>
        </div>
      )}
      {cancelled && <Status tone="success">{t('email.changeCancelled', { newEmail: cancelled })}</Status>}
      <FormCard submit={t('email.changeSubmit')} action={change}>
        <Field label={t('email.new')} type="email" value={newEmail} onValue={setNewEmail} autoComplete="email" required name="newEmail" />
        <Field label={t('password.current')} type="password" value={password} onValue={setPassword} autoComplete="current-password" required name="password" />
        {twoFactor && <Field label={t('twoFactor.codeOrBackup')} value={code} onValue={setCode} autoComplete="one-time-code" required name="code" />}
      </FormCard>
    </section>
  );
}
