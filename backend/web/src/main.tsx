// The account web app: a small shell (header, navigation, language switch) and one page per path.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { languageName, languages, language, onLanguageChange, setLanguage, t } from './i18n';
import { Account } from './pages/Account';
import { Activity } from './pages/Activity';
import { Admin } from './pages/Admin';
import { OAuthClients } from './pages/OAuthClients';
import { Roles } from './pages/Roles';
import { Authorize } from './pages/Authorize';
import { Device } from './pages/Device';
import { ConnectedApps } from './pages/ConnectedApps';
import { Password } from './pages/Password';
import { Sessions } from './pages/Sessions';
import { ForgotPassword, NotMe, RevertEmail, ResetPassword, VerifyEmail } from './pages/Recovery';
import { SignIn } from './pages/SignIn';
import { SignUp } from './pages/SignUp';
import { TwoFactor } from './pages/TwoFactor';
import { authState, onAuthChange, restore, signOut, type AuthState } from './session';
import { Link, type Go } from './ui';

const PAGES = [
  { path: '/sessions', label: 'nav.sessions', view: Sessions },
  { path: '/password', label: 'nav.password', view: Password },
  { path: '/two-factor', label: 'nav.twoFactor', view: TwoFactor },
  { path: '/activity', label: 'nav.activity', view: Activity },
  { path: '/connected-apps', label: 'nav.connectedApps', view: ConnectedApps },
  { path: '/account', label: 'nav.account', view: Account },
  { path: '/admin', label: 'nav.admin', view: Admin, admin: true },
  { path: '/oauth-clients', label: 'nav.oauthClients', view: OAuthClients, admin: true },
  { path: '/roles', label: 'nav.roles', view: Roles, admin: true },
] as const;

/** Pages opened from links in mail: shown whether or not someone is signed in on this browser. */
const LANDINGS: Record<string, { title: string; view: (props: { go: Go }) => preact.JSX.Element }> = {
  '/forgot-password': { title: 'forgot.title', view: ForgotPassword },
  '/reset-password': { title: 'reset.title', view: ResetPassword },
  '/verify-email': { title: 'verify.title', view: VerifyEmail },
  '/not-me': { title: 'notMe.title', view: NotMe },
  '/revert-email': { title: 'revert.title', view: RevertEmail },
};

function usePath(): [string, Go] {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const onPop = () => setPath(location.pathname);
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  const go = (next: string) => {
    if (next !== location.pathname) history.pushState(null, '', next);
    setPath(next);
  };
  return [path, go];
}

function LanguageSwitch() {
  return (
    <label class="lang">
      <span class="visually-hidden">{t('language.label')}</span>
      <select value={language()} onChange={(e) => setLanguage((e.currentTarget).value)} aria-label={t('language.label')}>
        {languages.map((l) => (
          <option key={l} value={l}>
            {languageName(l)}
          </option>
        ))}
      </select>
    </label>
  );
}

function App() {
  const [auth, setAuth] = useState<AuthState>(authState());
  const [, setLang] = useState(language());
  const [path, go] = usePath();
  const [registered, setRegistered] = useState(false);
  // "Account created" is the newest news until the auth state changes again (it outranks an older "you
  // signed out" left from before the registration).
  useEffect(() => onAuthChange((next) => (setAuth(next), setRegistered(false))), []);
  useEffect(() => onLanguageChange(() => setLang(language())), []);
  useEffect(() => void restore(), []);

  const user = auth.user;
  const pages = PAGES.filter((p) => !('admin' in p) || user?.role === 'admin');
  const page = pages.find((p) => p.path === path) ?? pages[0];
  const landing = LANDINGS[path];
  /** "Sign in with Sessionary" for another application: its own flow, signed in or not. */
  const authorizing = path === '/authorize';
  /** RFC 8628: entering a CLI's or TV's code, signed in first if needed. */
  const device = path === '/device';
  useEffect(() => {
    if (landing || authorizing || device) return;
    if (auth.status === 'signedIn' && page.path !== path) go(page.path);
    if (auth.status === 'signedOut' && path !== '/' && path !== '/sign-up') go('/');
  }, [auth.status, path]);
  useEffect(() => {
    document.title = `${authorizing ? t('authorize.title') : device ? t('device.title') : landing ? t(landing.title) : auth.status === 'signedIn' ? t(page.label) : path === '/sign-up' ? t('signUp.title') : t('signIn.title')} · Sessionary`;
  });

  const View = page.view;
  return (
    <>
      <a class="skip" href="#main">
        {t('nav.skip')}
      </a>
      <header class="top">
        <span class="brand">Sessionary</span>
        {user && <span class="who">{user.username ?? user.email}</span>}
        <LanguageSwitch />
        {auth.status === 'signedIn' && (
          <button type="button" onClick={() => void signOut()}>
            {t('nav.signOut')}
          </button>
        )}
      </header>
      {auth.status === 'signedIn' && !landing && !authorizing && !device && (
        <nav aria-label={t('nav.label')}>
          <ul>
            {pages.map((p) => (
              <li key={p.path}>
                <Link to={p.path} go={go} current={p === page}>
                  {t(p.label)}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <main id="main">
        {authorizing ? (
          <Authorize auth={auth} go={go} />
        ) : device ? (
          <Device auth={auth} go={go} />
        ) : landing ? (
          <landing.view go={go} />
        ) : auth.status === 'loading' ? (
          <p aria-busy="true">{t('common.loading')}</p>
        ) : auth.status === 'signedIn' ? (
          <View />
        ) : path === '/sign-up' ? (
          <SignUp go={go} registered={() => (setRegistered(true), go('/'))} />
        ) : (
          <SignIn notice={registered ? { kind: 'registered' } : auth.notice} go={go} />
        )}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
