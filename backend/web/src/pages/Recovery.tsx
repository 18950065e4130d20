// Pages reached from mail, signed in or not: "forgot password", the reset link, the verification link and
// the "this wasn't me" link of a new-device mail, and the link that undoes a change of address. Tokens arrive in the URL fragment (#token=…), which the
// browser never sends to a server; the page removes it from the address bar as soon as it has read it.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { t } from '../i18n';
import { useNewPassword } from '../new-password';
import { authState, reloadUser } from '../session';
import { ErrorAlert, Field, FormCard, Link, Page, Status, useAction, type Go } from '../ui';

/** The token in #token=…, read once, then wiped from the address bar (and so from history and screenshots). */
function useFragmentToken(): string | null {
  const [token] = useState(() => new URLSearchParams(location.hash.slice(1)).get('token'));
  useEffect(() => {
    if (location.hash) history.replaceState(null, '', location.pathname);
  }, []);
  return token;
}

function SignInLink({ go }: { go: Go }) {
  return (
    <p>
      <Link to="/" go={go}>
        {t('recovery.toSignIn')}
      </Link>
    </p>
  );
}

export function ForgotPassword({ go }: { go: Go }) {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const send = useAction(async () => {
    await api('/api/auth/password-reset', { method: 'POST', auth: false, body: { email } });
    setSent(true);
  });
  return (
    <Page title={t('forgot.title')}>
      {sent ? (
        <Status tone="success">{t('forgot.sent')}</Status>
      ) : (
        <>
          <p>{t('forgot.intro')}</p>
          <FormCard submit={t('forgot.submit')} action={send}>
            <Field label={t('field.email')} type="email" value={email} onValue={setEmail} autoComplete="username" required name="email" />
          </FormCard>
        </>
      )}
      <SignInLink go={go} />
    </Page>
  );
}

/** The new-password form; `token` from the reset link, or from the "this wasn't me" answer. */
function NewPasswordForm({ token, go }: { token: string; go: Go }) {
  const password = useNewPassword();
  const [done, setDone] = useState(false);
  const reset = useAction(async () => {
    if (!password.matches()) return;
    await api('/api/auth/password-reset/confirm', { method: 'POST', auth: false, body: { token, newPassword: password.value } });
    setDone(true);
  });
  if (done) {
    return (
      <>
        <Status tone="success">{t('reset.done')}</Status>
        <SignInLink go={go} />
      </>
    );
  }
  return (
    <FormCard submit={t('reset.submit')} action={reset}>
      {password.fields}
    </FormCard>
  );
}

export function ResetPassword({ go }: { go: Go }) {
  const token = useFragmentToken();
  return (
    <Page title={t('reset.title')}>
      {token ? (
        <>
          <p>{t('reset.intro')}</p>
          <NewPasswordForm token={token} go={go} />
        </>
      ) : (
        <>
          <Status tone="warning">{t('recovery.noToken')}</Status>
          <SignInLink go={go} />
        </>
      )}
    </Page>
  );
}

export function VerifyEmail({ go }: { go: Go }) {
  const token = useFragmentToken();
  const [email, setEmail] = useState<string | null>(null);
  const signedIn = authState().status === 'signedIn';
  const confirm = useAction(async () => {
    setEmail((await api<{ email: string }>('/api/auth/email-verification/confirm', { method: 'POST', auth: false, body: { token } })).email);
    // Signed in on this browser: the header and the account page show the confirmed (or new) address.
    if (authState().status === 'signedIn') await reloadUser().catch(() => undefined);
  });
  useEffect(() => void (token && confirm.run()), []);
  return (
    <Page title={t('verify.title')}>
      {!token ? (
        <Status tone="warning">{t('recovery.noToken')}</Status>
      ) : email ? (
        <Status tone="success">{t('verify.done', { email })}</Status>
      ) : confirm.error ? (
        <ErrorAlert error={confirm.error} />
      ) : (
        <p aria-busy="true">{t('common.loading')}</p>
      )}
      {signedIn ? (
        <p>
          <Link to="/account" go={go}>
            {t('verify.toAccount')}
          </Link>
        </p>
      ) : (
        <SignInLink go={go} />
      )}
    </Page>
  );
}

export function NotMe({ go }: { go: Go }) {
  const token = useFragmentToken();
  const [ended, setEnded] = useState(false);
  // One deliberate click rather than on load: a mail scanner that opens links must not end a session.
  // The link only signs that device out; the new password comes from the reset link it mails (issue 22).
  const report = useAction(async () => {
    await api('/api/auth/sign-in-report', { method: 'POST', auth: false, body: { token } });
    setEnded(true);
  });
  return (
    <Page title={t('notMe.title')}>
      {!token ? (
        <>
          <Status tone="warning">{t('recovery.noToken')}</Status>
          <SignInLink go={go} />
        </>
      ) : ended ? (
        <>
          <Status tone="success">{t('notMe.ended')}</Status>
          <p>{t('notMe.mailed')}</p>
          <SignInLink go={go} />
        </>
      ) : (
        <ConfirmStep intro={t('notMe.intro')} label={t('notMe.submit')} action={report} />
      )}
    </Page>
  );
}

/** A link's landing step that acts only on a deliberate click: what it does, its error, the one button. */
function ConfirmStep({ intro, label, action }: { intro: string; label: string; action: ReturnType<typeof useAction> }) {
  return (
    <>
      <p>{intro}</p>
      <ErrorAlert error={action.error} />
      <div class="actions">
        <button type="button" class="primary" disabled={action.busy} onClick={() => void action.run()}>
          {label}
        </button>
      </div>
    </>
  );
}

/** The link mailed to the old address when the account's address changed: puts it back (issue 22). */
export function RevertEmail({ go }: { go: Go }) {
  const token = useFragmentToken();
  const [email, setEmail] = useState<string | null>(null);
  // A deliberate click, as for "this wasn't me": it ends every session.
  const revert = useAction(async () => {
    setEmail((await api<{ email: string }>('/api/auth/email-change/revert', { method: 'POST', auth: false, body: { token } })).email);
  });
  return (
    <Page title={t('revert.title')}>
      {!token ? (
        <Status tone="warning">{t('recovery.noToken')}</Status>
      ) : email ? (
        <>
          <Status tone="success">{t('revert.done', { email })}</Status>
          <p>{t('revert.resetHint')}</p>
          <p>
            <Link to="/forgot-password" go={go}>
              {t('revert.toReset')}
            </Link>
          </p>
        </>
      ) : (
        <ConfirmStep intro={t('revert.intro')} label={t('revert.submit')} action={revert} />
      )}
      <SignInLink go={go} />
    </Page>
  );
}
