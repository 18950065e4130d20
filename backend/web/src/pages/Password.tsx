// Change password: every other session is signed out, and the page says how many.
import { useState } from 'preact/hooks';
import { api } from '../api';
import { t } from '../i18n';
import { useNewPassword } from '../new-password';
import { Field, FormCard, Page, Status, useAction } from '../ui';

export function Password() {
  const [current, setCurrent] = useState('');
  const password = useNewPassword();
  const [done, setDone] = useState<number | null>(null);

  const change = useAction(async () => {
    setDone(null);
    if (!password.matches()) return;
    const { revokedSessions } = await api<{ revokedSessions: number }>('/api/user/change-password', {
      method: 'POST',
      body: { currentPassword: current, newPassword: password.value },
    });
    setCurrent('');
    password.clear();
    setDone(revokedSessions);
  });

  return (
    <Page title={t('password.title')}>
      <p>{t('password.intro')}</p>
      {done !== null && <Status tone="success">{t('password.changed', { count: done })}</Status>}
      <FormCard submit={t('password.submit')} action={change}>
        <Field label={t('password.current')} type="password" value={current} onValue={setCurrent} autoComplete="current-password" required />
        {password.fields}
      </FormCard>
    </Page>
  );
}
