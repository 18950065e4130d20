// "New password" typed twice, with the mismatch alert: shared by the change-password page and the pages a
// reset link or a "this wasn't me" answer opens.
import { useState } from 'preact/hooks';
import { t } from './i18n';
import { Field } from './ui';

/** The two fields for the form, and `matches()` for its submit: false (and the alert shown) when they differ. */
export function useNewPassword() {
  const [value, setValue] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const matches = () => {
    setMismatch(value !== repeat);
    return value === repeat;
  };
  const clear = () => (setValue(''), setRepeat(''));
  const fields = (
    <>
      <Field label={t('password.new')} type="password" value={value} onValue={setValue} autoComplete="new-password" required hint={t('field.passwordHint')} />
      <Field label={t('password.repeat')} type="password" value={repeat} onValue={setRepeat} autoComplete="new-password" required />
      {mismatch && (
        <p class="alert error" role="alert">
          {t('password.mismatch')}
        </p>
      )}
    </>
  );
  return { value, matches, clear, fields };
}
