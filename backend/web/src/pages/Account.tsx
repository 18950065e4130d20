// Account settings: who is signed in, the address (confirmed or not, and moving to another one), and
// leaving — deleting the account with the password (and a code while two-factor is on). Every session ends
// at once; the page returns to sign-in and says the account is gone.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { dateTime, t } from '../i18n';
import { authState, forcedLogout, reloadUser } from '../session';
import { ChangeEmail, EmailVerificationStatus } from './EmailAddress';
import { LinkedAccounts } from './LinkedAccounts';
import { Passkeys } from './Passkeys';
import { Field, FormCard, Page, useAction } from '../ui';

export function Account() {
  const user = authState().user;
  const twoFactor = user?.twoFactorEnabled ?? false;
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  // Fresh from /me: the address may have been confirmed or changed from a mailed link in another tab.
  useEffect(() => void reloadUser().catch(() => undefined), []);

  const remove = useAction(async () => {
    await api('/api/user/delete-account', { method: 'POST', body: { password, ...(twoFactor ? { code: code.trim() } : {}) } });
    forcedLogout('account_deleted');
  });
  const cancel = () => (setOpen(false), setPassword(''), setCode(''), remove.setError(null));

  return (
    <Page title={t('account.title')}>
      <dl class="facts card">
        <dt>{t('field.email')}</dt>
        <dd>{user?.email}</dd>
        {user?.createdAt && (
          <>
            <dt>{t('account.since')}</dt>
            <dd>{dateTime(user.createdAt)}</dd>
          </>
        )}
      </dl>
      {user && <EmailVerificationStatus user={user} />}
      {user && <ChangeEmail user={user} />}
      <Passkeys />
      <LinkedAccounts />
      <section aria-labelledby="delete-title">
        <h2 id="delete-title">{t('account.deleteTitle')}</h2>
        <p>{t('account.deleteIntro')}</p>
        {open ? (
          <FormCard help={t('account.deleteWarning')} submit={t('account.deleteConfirm')} tone="danger" action={remove} onCancel={cancel}>
            <Field label={t('field.password')} type="password" value={password} onValue={setPassword} autoComplete="current-password" required />
            {twoFactor && <Field label={t('twoFactor.codeOrBackup')} value={code} onValue={setCode} autoComplete="one-time-code" required />}
          </FormCard>
        ) : (
          <button type="button" class="danger" onClick={() => setOpen(true)}>
            {t('account.delete')}
          </button>
        )}
      </section>
    </Page>
  );
}
