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
import { Field, FormCard, Page, Status, useAction } from '../ui';

/** The display name given at sign-up: shown, changed or removed (PATCH /api/user/me). */
function DisplayName({ current }: { current: string | null }) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState('');
  const [saved, setSaved] = useState(false);
  const save = useAction(async () => {
    await api('/api/user/me', { method: 'PATCH', body: { username: name.trim() || null } });
    await reloadUser();
    setEditing(false);
    setSaved(true);
  });
  const open = () => (setName(current ?? ''), setSaved(false), save.setError(null), setEditing(true));
  if (editing) {
    return (
      <FormCard title={t('account.nameTitle')} help={t('account.nameHelp')} submit={t('common.save')} action={save} onCancel={() => setEditing(false)}>
        <Field label={t('account.name')} value={name} onValue={setName} autoComplete="nickname" name="username" maxLength={64} />
      </FormCard>
    );
  }
  return (
    <>
      <button type="button" onClick={open}>
        {current ? t('account.nameChange') : t('account.nameAdd')}
      </button>
      {saved && <Status tone="success">{t('account.nameSaved')}</Status>}
    </>
  );
}

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
        <dt>{t('account.name')}</dt>
        <dd data-testid="display-name">{user?.username ?? t('account.noName')}</dd>
        <dt>{t('field.email')}</dt>
        <dd>{user?.email}</dd>
        {user?.createdAt && (
          <>
            <dt>{t('account.since')}</dt>
            <dd>{dateTime(user.createdAt)}</dd>
          </>
        )}
      </dl>
      {user && <DisplayName current={user.username} />}
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
