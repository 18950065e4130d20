// /authorize?request=<handle>: "Sign in with Sessionary" for another application (the authorization code flow).
// /oauth/authorize validated the request and sent the browser here; this page signs the user in if needed (the
// ordinary sign-in, 2FA and trusted devices included), shows the consent screen, and sends the browser back to
// the application with whatever the server answers (a code, or an error such as access_denied).
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { languages, setLanguage, t } from '../i18n';
import type { AuthState } from '../session';
import { ErrorAlert, Page, Status, useAction, type Go } from '../ui';
import { ConsentDetails } from './ConsentDetails';
import { SignIn } from './SignIn';

type Step =
  | { step: 'login'; loginHint: string | null; uiLocales: string | null }
  | { step: 'consent'; client: { clientId: string; name: string; clientUri: string | null; host?: string | null }; scopes: string[]; resource?: string | null; uiLocales: string | null }
  | { step: 'redirect'; redirectTo: string };

interface Pending {
  loginHint: string | null;
  uiLocales: string | null;
  promptNone: boolean;
  clientName: string;
}

const handleOf = () => new URLSearchParams(location.search).get('request') ?? '';
const path = (suffix = '') => `/api/oauth/authorization/${encodeURIComponent(handleOf())}${suffix}`;

/** ui_locales (OIDC Core §3.1.2.1): the first of the requested languages this app has. */
function useRequestedLanguage(uiLocales: string | null | undefined) {
  useEffect(() => {
    const match = (uiLocales ?? '').split(' ').map((l) => l.split('-')[0].toLowerCase()).find((l) => languages.includes(l));
    if (match) setLanguage(match);
  }, [uiLocales]);
}

export function Authorize({ auth, go }: { auth: AuthState; go: Go }) {
  const [pending, setPending] = useState<Pending | null>(null);
  const [step, setStep] = useState<Step | null>(null);
  const [error, setError] = useState<unknown>(null);
  useRequestedLanguage(pending?.uiLocales ?? (step && 'uiLocales' in step ? step.uiLocales : null));

  useEffect(() => {
    api<Pending>(path('/pending'), { auth: false }).then(setPending, setError);
  }, []);

  // Nobody signed in: prompt=none ends here with login_required; otherwise the sign-in form below.
  useEffect(() => {
    if (auth.status !== 'signedOut' || !pending?.promptNone) return;
    api<{ redirectTo: string }>(path('/login-required'), { method: 'POST', auth: false }).then((r) => location.assign(r.redirectTo), setError);
  }, [auth.status, pending]);

  // Signed in (again): ask what comes next. A new session (sign-in for prompt=login) asks again.
  useEffect(() => {
    if (auth.status !== 'signedIn') return;
    api<Step>(path()).then((next) => {
      if (next.step === 'redirect') location.assign(next.redirectTo);
      setStep(next);
    }, setError);
  }, [auth.status, auth.sessionId]);

  const decide = useAction(async (approve: boolean) => {
    const { redirectTo } = await api<{ redirectTo: string }>(path('/decision'), { method: 'POST', body: { approve } });
    setStep({ step: 'redirect', redirectTo });
    location.assign(redirectTo);
  });

  if (error) {
    const gone = error instanceof ApiError && error.status === 404;
    return (
      <Page title={t('authorize.title')}>
        {gone ? <Status tone="warning">{t('authorize.gone')}</Status> : <ErrorAlert error={error} />}
      </Page>
    );
  }
  const client = pending?.clientName ?? '';
  if (auth.status === 'loading' || !pending || (auth.status === 'signedOut' && pending.promptNone)) return <p aria-busy="true">{t('common.loading')}</p>;
  if (auth.status === 'signedOut' || step?.step === 'login') {
    return (
      <>
        <Status tone="info">{step?.step === 'login' ? t('authorize.signInAgain', { client }) : t('authorize.signInTo', { client })}</Status>
        <SignIn notice={null} go={go} initialEmail={pending.loginHint ?? ''} returnTo={`/authorize?request=${encodeURIComponent(handleOf())}`} />
      </>
    );
  }
  if (!step || step.step === 'redirect') return <p aria-busy="true">{t('authorize.returning')}</p>;
  return (
    <Page title={t('authorize.consentTitle', { client: step.client.name })}>
      <ConsentDetails client={step.client} scopes={step.scopes} resource={step.resource} email={auth.user?.email ?? ''} />
      <ErrorAlert error={decide.error} />
      <div class="actions">
        <button type="button" class="primary" disabled={decide.busy} onClick={() => void decide.run(true)}>
          {t('authorize.allow')}
        </button>
        <button type="button" disabled={decide.busy} onClick={() => void decide.run(false)}>
          {t('authorize.deny')}
        </button>
      </div>
      <p class="hint">{t('authorize.remembered')}</p>
    </Page>
  );
}
