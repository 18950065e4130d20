// Change password: every other session is signed out, and the page says how many.
import { useState } from 'preact/hooks';
import { api } from '../api';
import { t } from '../i18n';
import { ErrorAlert, Field, onSubmit, Page, Status, useAction } from '../ui';

export function Password() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [done, setDone] = useState<number | null>(null);
  const [mismatch, setMismatch] = useState(false);

  const change = useAction(async () => {
    setDone(null);
    if (next !== repeat) return setMismatch(true);
    setMismatch(false);
    const { revokedSessions } = await api<{ revokedSessions: number }>('/api/user/change-password', {
      method: 'POST',
      body: { currentPassword: current, newPassword: next },
    });
    setCurrent('');
    setNext('');
    setRepeat('');
    setDone(revokedSessions);
  });

  return (
    <Page title={t('password.title')}>
      <p>{t('password.intro')}</p>
      {done !== null && <Status tone="success">{t('password.changed', { count: done })}</Status>}
      <form onSubmit={onSubmit(change.run)} class="card">
        <Field label={t('password.current')} type="password" value={current} onValue={setCurrent} autoComplete="current-password" required />
        <Field label={t('password.new')} type="password" value={next} onValue={setNext} autoComplete="new-password" required hint={t('field.passwordHint')} />
        <Field label={t('password.repeat')} type="password" value={repeat} onValue={setRepeat} autoComplete="new-password" required />
        {mismatch && (
          <p class="alert error" role="alert">
            {t('password.mismatch')}
          </p>
        )}
        <ErrorAlert error={change.error} />
        <div class="actions">
          <button type="submit" class="primary" disabled={change.busy}>
            {t('password.submit')}
          </button>
        </div>
      </form>
    </Page>
  );
}
