// Registration; in approval mode the account waits for an administrator, and the page says so.
import { useState } from 'preact/hooks';
import { api, type User } from '../api';
import { t } from '../i18n';
import { Field, FormCard, Link, Page, Status, useAction, type Go } from '../ui';

export function SignUp({ go, registered }: { go: Go; registered: () => void }) {
  const [email, setEmail] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [pending, setPending] = useState<string | null>(null);

  const register = useAction(async () => {
    const { user } = await api<{ user: User }>('/api/auth/register', {
      method: 'POST',
      auth: false,
      body: { email, password, ...(username.trim() ? { username: username.trim() } : {}) },
    });
    if (user.status === 'pending') setPending(user.email);
    else registered();
  });

  if (pending) {
    return (
      <Page title={t('signUp.pendingTitle')}>
        <Status>{t('signUp.pending', { email: pending })}</Status>
        <p>
          <Link to="/" go={go}>
            {t('signUp.toSignIn')}
          </Link>
        </p>
      </Page>
    );
  }
  return (
    <Page title={t('signUp.title')}>
      <FormCard submit={t('signUp.submit')} action={register}>
        <Field label={t('field.email')} type="email" value={email} onValue={setEmail} autoComplete="email" required name="email" />
        <Field label={t('field.usernameOptional')} value={username} onValue={setUsername} autoComplete="nickname" name="username" maxLength={64} />
        <Field label={t('field.password')} type="password" value={password} onValue={setPassword} autoComplete="new-password" required name="password" hint={t('field.passwordHint')} />
      </FormCard>
      <p>
        {t('signUp.haveAccount')}{' '}
        <Link to="/" go={go}>
          {t('signIn.title')}
        </Link>
      </p>
    </Page>
  );
}
