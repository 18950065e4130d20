// One user's page in the admin console (issue 28): profile, status, roles, 2FA, passkeys, linked providers,
// sessions, recent security events, and the account actions, each behind an inline confirmation. The
// actions need a recent sign-in of the admin (403 REAUTH_REQUIRED otherwise: the admin pages' wording says to sign in again).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { dateTime, placeName, relativeTime, t } from '../i18n';
import { Confirm, ErrorAlert, Status, useAction } from '../ui';
import { UserRolesCard } from './UserRolesCard';

interface Details {
  user: { id: string; email: string; username: string | null; role: string; status: string; lastLoginAt: string | null; createdAt: string };
  roles: { builtIn: string; assigned: string[]; roles: string[]; permissions: string[] };
  twoFactor: { enabled: boolean; backupCodesRemaining: number | null };
  passkeys: number;
  providers: { provider: string; email: string | null; linkedAt: string }[];
  events: { id: string; type: string; createdAt: string; ipAddress: string | null }[];
}

interface UserSession {
  id: string;
  browser: string | null;
  os: string | null;
  deviceName: string | null;
  name: string | null;
  lastIpAddress: string | null;
  location: { countryCode: string; country: string; city: string | null; region: string | null } | null;
  lastSeenAt: string;
}

type Action = 'disable' | 'enable' | 'reject' | 'password-reset' | 'delete' | 'revoke-sessions' | 'reset-2fa';

const eventLabel = (type: string) => {
  const text = t(`event.${type}`);
  return text === `event.${type}` ? type : text;
};
const sessionLabel = (s: UserSession) => s.name ?? s.deviceName ?? ([s.browser, s.os].filter(Boolean).join(' · ') || '—');

/** Which actions apply to an account in this state. */
function actionsFor(d: Details): Action[] {
  const s = d.user.status;
  return [
    ...(s === 'pending' ? (['reject'] as const) : []),
    ...(s === 'active' ? (['disable', 'password-reset', 'revoke-sessions'] as const) : []),
    ...(s === 'disabled' || s === 'rejected' ? (['enable'] as const) : []),
    ...(d.twoFactor.enabled ? (['reset-2fa'] as const) : []),
    'delete' as const,
  ];
}

function request(id: string, action: Action): [string, 'POST' | 'DELETE'] {
  if (action === 'delete') return [`/api/admin/users/${id}`, 'DELETE'];
  if (action === 'reject') return [`/api/admin/registrations/${id}/reject`, 'POST'];
  return [`/api/admin/users/${id}/${action}`, 'POST'];
}

export function UserDetails({ userId, onClose, onChanged }: { userId: string; onClose: () => void; onChanged: () => void }) {
  const [details, setDetails] = useState<Details | null>(null);
  const [sessions, setSessions] = useState<UserSession[] | null>(null);
  const [confirming, setConfirming] = useState<Action | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [deleted, setDeleted] = useState(false);

  const [roleNames, setRoleNames] = useState<string[]>([]);
  const load = useAction(async () => {
    const [d, s, r] = await Promise.all([
      api<Details>(`/api/admin/users/${userId}`),
      api<{ sessions: UserSession[] }>(`/api/admin/users/${userId}/sessions`),
      api<{ roles: { name: string }[] }>('/api/admin/roles'),
    ]);
    setDetails(d);
    setSessions(s.sessions);
    setRoleNames(r.roles.map((x) => x.name));
  });
  useEffect(() => void load.run(), [userId]);

  const act = useAction(async (action: Action) => {
    if (!details) return;
    const [path, method] = request(userId, action);
    await api(path, { method });
    setConfirming(null);
    setMessage(t(`adminUser.done.${action}`, { email: details.user.email }));
    onChanged();
    if (action === 'delete') return setDeleted(true);
    await load.run();
  });

  const d = details;
  return (
    <section class="card admin-user" aria-labelledby="admin-user-title">
      <div class="row">
        <h2 id="admin-user-title">{d ? d.user.email : t('common.loading')}</h2>
        <button type="button" onClick={onClose}>
          {t('adminUser.close')}
        </button>
      </div>
      {message && <Status tone="success">{message}</Status>}
      <ErrorAlert error={act.error} />
      <ErrorAlert error={load.error} />
      {d && !deleted && (
        <>
          <dl class="facts">
            <dt>{t('adminUser.name')}</dt>
            <dd>{d.user.username ?? '—'}</dd>
            <dt>{t('adminUser.status')}</dt>
            <dd data-status={d.user.status}>{t(`status.${d.user.status}`)}</dd>
            <dt>{t('adminUser.roles')}</dt>
            <dd>{d.roles.roles.join(', ')}</dd>
            <dt>{t('adminUser.created')}</dt>
            <dd>{dateTime(d.user.createdAt)}</dd>
            <dt>{t('adminUser.lastLogin')}</dt>
            <dd>{d.user.lastLoginAt ? dateTime(d.user.lastLoginAt) : t('adminUser.never')}</dd>
            <dt>{t('adminUser.twoFactor')}</dt>
            <dd>
              {d.twoFactor.enabled ? t('adminUser.twoFactorOn', { count: d.twoFactor.backupCodesRemaining ?? 0 }) : t('adminUser.twoFactorOff')}
            </dd>
            <dt>{t('adminUser.passkeys')}</dt>
            <dd>{d.passkeys}</dd>
            <dt>{t('adminUser.providers')}</dt>
            <dd>{d.providers.length ? d.providers.map((p) => (p.email ? `${p.provider} (${p.email})` : p.provider)).join(', ') : '—'}</dd>
          </dl>

          <h3>{t('adminUser.actions')}</h3>
          {confirming ? (
            <Confirm
              question={t(`adminUser.confirm.${confirming}`, { email: d.user.email })}
              yes={t(`adminUser.action.${confirming}`)}
              tone={confirming === 'enable' || confirming === 'password-reset' ? 'primary' : 'danger'}
              busy={act.busy}
              onYes={() => void act.run(confirming)}
              onCancel={() => setConfirming(null)}
            />
          ) : (
            <div class="actions">
              {actionsFor(d).map((a) => (
                <button type="button" key={a} class={a === 'delete' ? 'danger' : undefined} onClick={() => (setMessage(null), act.setError(null), setConfirming(a))}>
                  {t(`adminUser.action.${a}`)}
                </button>
              ))}
            </div>
          )}

          <h3>{t('adminUser.roles')}</h3>
          <UserRolesCard user={d.user} roleNames={roleNames} onChanged={() => void load.run()} />

          <h3>{t('admin.sessions')}</h3>
          {sessions && sessions.length === 0 ? (
            <p>{t('admin.noSessions')}</p>
          ) : (
            <ul class="admin-sessions" aria-label={t('admin.sessionsNamed', { email: d.user.email })}>
              {(sessions ?? []).map((s) => (
                <li key={s.id} data-session-id={s.id}>
                  <strong>{sessionLabel(s)}</strong>
                  <span class="meta">
                    {' · '}
                    {s.location ? placeName(s.location) : t('sessions.locationUnknown')}
                    {' · '}
                    {s.lastIpAddress ?? '—'}
                    {' · '}
                    <time dateTime={s.lastSeenAt} title={dateTime(s.lastSeenAt)}>
                      {relativeTime(s.lastSeenAt)}
                    </time>
                  </span>
                </li>
              ))}
            </ul>
          )}

          <h3>{t('adminUser.events')}</h3>
          {d.events.length === 0 ? (
            <p>{t('adminUser.noEvents')}</p>
          ) : (
            <ul class="admin-sessions" aria-label={t('adminUser.events')}>
              {d.events.map((e) => (
                <li key={e.id}>
                  {eventLabel(e.type)}
                  <span class="meta">
                    {' · '}
                    <time dateTime={e.createdAt} title={dateTime(e.createdAt)}>
                      {relativeTime(e.createdAt)}
                    </time>
                  </span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
