// Every signed-in device: name, browser, OS, IP, created and last active; revoke one (after confirming),
// sign out all others, or sign out here.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { dateTime, relativeTime, t } from '../i18n';
import { signOut } from '../session';
import { ErrorAlert, Page, Status, useAction } from '../ui';

interface SessionView {
  id: string;
  current: boolean;
  deviceName: string | null;
  browser: string | null;
  os: string | null;
  deviceType: string | null;
  ipAddress: string | null;
  createdAt: string;
  lastActiveAt: string;
}

function Time({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={dateTime(iso)}>
      {relativeTime(iso)}
    </time>
  );
}

export function Sessions() {
  const [sessions, setSessions] = useState<SessionView[] | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const load = useAction(async () => {
    setSessions((await api<{ sessions: SessionView[] }>('/api/user/sessions')).sessions);
  });
  useEffect(() => void load.run(), []);

  const revoke = useAction(async (id: string) => {
    await api(`/api/user/sessions/${id}`, { method: 'DELETE' });
    setConfirming(null);
    setMessage(t('sessions.revoked'));
    await load.run();
  });
  const others = useAction(async () => {
    const { revoked } = await api<{ revoked: number }>('/api/user/sessions/others', { method: 'DELETE' });
    setConfirming(null);
    setMessage(t('sessions.othersRevoked', { count: revoked }));
    await load.run();
  });
  const here = useAction(signOut);

  const name = (s: SessionView) => s.deviceName || [s.browser, s.os].filter(Boolean).join(' · ') || t('sessions.unknownDevice');
  return (
    <Page title={t('sessions.title')}>
      <p>{t('sessions.intro')}</p>
      {message && <Status tone="success">{message}</Status>}
      <ErrorAlert error={load.error || revoke.error || others.error || here.error} />
      {sessions === null ? (
        <p aria-busy="true">{t('common.loading')}</p>
      ) : (
        <ul class="list" aria-label={t('sessions.listLabel')}>
          {sessions.map((s) => (
            <li key={s.id} class={`card session${s.current ? ' current' : ''}`} data-session-id={s.id}>
              <div class="row">
                <h2 class="device">{name(s)}</h2>
                {s.current && <span class="badge">{t('sessions.thisDevice')}</span>}
              </div>
              <dl class="facts">
                <dt>{t('sessions.browser')}</dt>
                <dd>{s.browser ?? '—'}</dd>
                <dt>{t('sessions.os')}</dt>
                <dd>{s.os ?? '—'}</dd>
                <dt>{t('sessions.ip')}</dt>
                <dd>{s.ipAddress ?? '—'}</dd>
                <dt>{t('sessions.created')}</dt>
                <dd>
                  <Time iso={s.createdAt} />
                </dd>
                <dt>{t('sessions.lastActive')}</dt>
                <dd>
                  <Time iso={s.lastActiveAt} />
                </dd>
              </dl>
              {s.current ? (
                <button type="button" onClick={() => void here.run()} disabled={here.busy}>
                  {t('sessions.signOutHere')}
                </button>
              ) : confirming === s.id ? (
                <div class="confirm" role="group" aria-label={t('sessions.confirmRevoke', { device: name(s) })}>
                  <p>{t('sessions.confirmRevoke', { device: name(s) })}</p>
                  <button type="button" class="danger" onClick={() => void revoke.run(s.id)} disabled={revoke.busy}>
                    {t('sessions.revokeYes')}
                  </button>
                  <button type="button" onClick={() => setConfirming(null)}>
                    {t('common.cancel')}
                  </button>
                </div>
              ) : (
                <button type="button" onClick={() => (setConfirming(s.id), setMessage(null))} aria-label={t('sessions.revokeNamed', { device: name(s) })}>
                  {t('sessions.revoke')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {sessions && sessions.length > 1 && (
        <div class="actions">
          {confirming === 'others' ? (
            <div class="confirm" role="group" aria-label={t('sessions.confirmOthers')}>
              <p>{t('sessions.confirmOthers')}</p>
              <button type="button" class="danger" onClick={() => void others.run()} disabled={others.busy}>
                {t('sessions.revokeYes')}
              </button>
              <button type="button" onClick={() => setConfirming(null)}>
                {t('common.cancel')}
              </button>
            </div>
          ) : (
            <button type="button" class="danger" onClick={() => (setConfirming('others'), setMessage(null))}>
              {t('sessions.signOutOthers')}
            </button>
          )}
        </div>
      )}
    </Page>
  );
}
