// Connected apps: the applications this account signed in to with "Sign in with Sessionary" and allowed on
// the consent screen — what each may do, when it was last used — and "Remove access", which signs the app
// out (its tokens end, it is told through its back-channel logout) and makes it ask again next time.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { relativeTime, t } from '../i18n';
import { ErrorAlert, Page, Status, useAction } from '../ui';

interface ConnectedAppView {
  clientId: string;
  name: string;
  clientUri: string | null;
  scopes: string[];
  grantedAt: string;
  lastUsedAt: string | null;
  activeSessions: number;
}

const KNOWN_SCOPES = ['openid', 'profile', 'email', 'offline_access'];

export function ConnectedApps() {
  const [apps, setApps] = useState<ConnectedAppView[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const load = useAction(async () => {
    setApps((await api<{ apps: ConnectedAppView[] }>('/api/user/connected-apps')).apps);
  });
  useEffect(() => void load.run(), []);
  const remove = useAction(async (app: ConnectedAppView) => {
    await api(`/api/user/connected-apps/${encodeURIComponent(app.clientId)}`, { method: 'DELETE' });
    setMessage(t('apps.removed', { name: app.name }));
    await load.run();
  });

  return (
    <Page title={t('apps.title')}>
      <p>{t('apps.intro')}</p>
      {message && <Status tone="success">{message}</Status>}
      <ErrorAlert error={load.error || remove.error} />
      {apps === null ? (
        <p aria-busy="true">{t('common.loading')}</p>
      ) : apps.length === 0 ? (
        <p>{t('apps.none')}</p>
      ) : (
        <ul class="sessions">
          {apps.map((a) => (
            <li key={a.clientId} class="card" data-client-id={a.clientId}>
              <h2>{a.name}</h2>
              {a.clientUri && (
                <p>
                  <a href={a.clientUri} rel="noopener noreferrer" target="_blank">
                    {a.clientUri}
                  </a>
                </p>
              )}
              <ul>
                {a.scopes.map((s) => (
                  <li key={s}>{KNOWN_SCOPES.includes(s) ? t(`scope.${s}`) : t('scope.other', { scope: s })}</li>
                ))}
              </ul>
              <p>
                <small>{a.lastUsedAt ? t('apps.lastUsed', { time: relativeTime(a.lastUsedAt) }) : t('apps.notUsed')}</small>
              </p>
              <button type="button" class="danger" disabled={remove.busy} onClick={() => void remove.run(a)} aria-label={t('apps.removeNamed', { name: a.name })}>
                {t('apps.remove')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </Page>
  );
}
