// Sign in (password, or a passkey: the button, or the email field's autofill), then the second step when
// the account has 2FA (authenticator code, a backup code, or a passkey). A button per upstream provider
// (docs/federation.md); its outcome comes back in the address (federation.ts).
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, type BrowserTokens } from '../api';
import { t } from '../i18n';
import { cancelPasskeyRequest, passkeySecondFactor, passkeySignIn, passkeysSupported } from '../passkeys';
import { federationErrorText, startUrl, takeFederationOutcome, type FederationProvider } from '../federation';
import { signedIn, type Notice } from '../session';
import { ResendVerification } from './EmailAddress';
import { Check, ErrorAlert, Field, FormCard, Link, onSubmit, Page, Status, useAction, type Go } from '../ui';

type LoginAnswer = BrowserTokens | { mfaRequired: true; mfaToken: string; methods: string[] };

export function noticeText(notice: Notice): string {
  if (notice.kind === 'forced') {
    const key = `forced.${notice.reason}`;
    const text = t(key);
    return text === key ? t('forced.unknown') : text;
  }
  return t(notice.kind === 'signedOut' ? 'notice.signedOut' : 'notice.registered');
}

/** `returnTo`: embedded in an app's authorization request, where a provider's sign-in comes back to. */
export function SignIn({ notice, go, initialEmail = '', returnTo }: { notice: Notice | null; go: Go; initialEmail?: string; returnTo?: string }) {
  // What a federated sign-in's callback sent back: a refusal to explain, or the 2FA step to finish.
  const [federation] = useState(() => takeFederationOutcome(returnTo ? '/authorize' : '/'));
  const [providers, setProviders] = useState<FederationProvider[]>([]);
  const [email, setEmail] = useState(initialEmail);
  const [password, setPassword] = useState('');
  const [device, setDevice] = useState('');
  const [mfaToken, setMfaToken] = useState<string | null>(federation?.mfa?.mfaToken ?? null);
  const [code, setCode] = useState('');
  const [backup, setBackup] = useState(false);
  /** "Remember this device": the server sets an HttpOnly cookie that skips this step here for 30 days. */
  const [remember, setRemember] = useState(false);
  const [passkeyFactor, setPasskeyFactor] = useState(federation?.mfa?.methods.includes('passkey') ?? false);

  // A button per provider the operator enabled (FEDERATION_PROVIDERS); none when the list cannot be had.
  useEffect(() => {
    api<{ providers: FederationProvider[] }>('/api/auth/federation/providers', { auth: false })
      .then((answer) => setProviders(answer.providers))
      .catch(() => undefined);
  }, []);

  // Conditional UI: while the form is shown, the browser offers this site's passkeys in the email field's
  // autofill; picking one signs in. Abandoned when the page is left or another ceremony starts.
  useEffect(() => {
    if (mfaToken || !passkeysSupported()) return;
    let live = true;
    passkeySignIn(true)
      .then((tokens) => (live && tokens ? signedIn(tokens) : undefined))
      .catch((err) => live && withPasskey.setError(err));
    return () => {
      live = false;
      cancelPasskeyRequest();
    };
  }, [mfaToken]);

  const withPasskey = useAction(async () => {
    const tokens = await passkeySignIn(false);
    if (tokens) await signedIn(tokens);
  });

  const login = useAction(async () => {
    const answer = await api<LoginAnswer>('/api/auth/browser/login', {
      method: 'POST',
      auth: false,
      body: { email, password, ...(device.trim() ? { deviceName: device.trim() } : {}) },
    });
    if ('mfaRequired' in answer) {
      setPasskeyFactor(answer.methods.includes('passkey'));
      setMfaToken(answer.mfaToken);
    } else await signedIn(answer);
  });

  const second = useAction(async () => {
    const factor = backup ? { backupCode: code.trim() } : { code: code.replace(/\s/g, '') };
    try {
      await signedIn(await api<BrowserTokens>('/api/auth/browser/login/2fa', { method: 'POST', auth: false, body: { mfaToken, ...factor, rememberDevice: remember } }));
    } catch (err) {
      // An expired or exhausted second step cannot be retried: start over from the password.
      if ((err as { code?: string }).code === 'INVALID_TOKEN') setMfaToken(null);
      throw err;
    }
  });

  const secondPasskey = useAction(async () => {
    try {
      await signedIn(await passkeySecondFactor(mfaToken!, remember));
    } catch (err) {
      if ((err as { code?: string }).code === 'INVALID_TOKEN') setMfaToken(null);
      throw err;
    }
  });

  if (mfaToken) {
    return (
      <Page title={t('signIn.mfaTitle')}>
        <p>{backup ? t('signIn.backupHelp') : t('signIn.totpHelp')}</p>
        <form onSubmit={onSubmit(second.run)} class="card">
          {backup ? (
            <Field key="backup" label={t('signIn.backupCode')} value={code} onValue={setCode} autoComplete="off" required name="backupCode" />
          ) : (
            <Field key="totp" label={t('signIn.code')} value={code} onValue={setCode} autoComplete="one-time-code" inputMode="numeric" required name="code" maxLength={8} />
          )}
          <Check name="rememberDevice" checked={remember} onChecked={setRemember}>
            {t('signIn.rememberDevice')}
          </Check>
          <ErrorAlert error={second.error || secondPasskey.error} />
          <div class="actions">
            <button type="submit" class="primary" disabled={second.busy}>
              {t('signIn.verify')}
            </button>
            <button type="button" class="link" onClick={() => (setBackup(!backup), setCode(''), second.setError(null))}>
              {backup ? t('signIn.useTotp') : t('signIn.useBackup')}
            </button>
            <button type="button" class="link" onClick={() => (setMfaToken(null), setCode(''))}>
              {t('common.back')}
            </button>
          </div>
        </form>
        {passkeyFactor && passkeysSupported() && (
          <div class="actions">
            <button type="button" onClick={() => void secondPasskey.run()} disabled={secondPasskey.busy}>
              {t('signIn.usePasskey')}
            </button>
          </div>
        )}
      </Page>
    );
  }

  return (
    <Page title={t('signIn.title')}>
      {notice && <Status tone={notice.kind === 'forced' ? 'warning' : 'info'}>{noticeText(notice)}</Status>}
      {federation?.error && (
        <p class="alert error" role="alert" data-testid="federation-error">
          {federationErrorText(federation.error)}
        </p>
      )}
      <FormCard submit={t('signIn.submit')} action={login}>
        <Field label={t('field.email')} type="email" value={email} onValue={setEmail} autoComplete="username webauthn" required name="email" />
        <Field label={t('field.password')} type="password" value={password} onValue={setPassword} autoComplete="current-password" required name="password" />
        <Field label={t('signIn.deviceName')} value={device} onValue={setDevice} hint={t('signIn.deviceHint')} name="deviceName" maxLength={100} />
      </FormCard>
      {passkeysSupported() && (
        <div class="actions">
          <button type="button" onClick={() => void withPasskey.run()} disabled={withPasskey.busy}>
            {t('signIn.withPasskey')}
          </button>
        </div>
      )}
      <ErrorAlert error={withPasskey.error} />
      {providers.length > 0 && (
        <nav class="actions federation" aria-label={t('signIn.providersLabel')}>
          {providers.map((p) => (
            // A navigation, not a fetch: the browser goes to the provider and comes back to the callback.
            <a key={p.id} class="button" href={startUrl(p.id, returnTo)} data-provider={p.id}>
              {t('signIn.withProvider', { name: p.name })}
            </a>
          ))}
        </nav>
      )}
      {/* REQUIRE_EMAIL_VERIFICATION refused the sign-in: the link can be asked for again right here. */}
      {login.error instanceof ApiError && login.error.code === 'EMAIL_NOT_VERIFIED' && <ResendVerification email={email.trim()} />}
      <p>
        <Link to="/forgot-password" go={go}>
          {t('signIn.forgot')}
        </Link>
      </p>
      <p>
        {t('signIn.noAccount')}{' '}
        <Link to="/sign-up" go={go}>
          {t('signUp.title')}
        </Link>
      </p>
    </Page>
  );
}
