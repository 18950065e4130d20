// Admin: pending registrations (approve / reject), find a user, see their sessions and where they are (issue 33),
// sign them out everywhere, reset their 2FA. Issue 28: find by status and role too, page through, and open a
// user's page (admin/UserDetails.tsx) with the account actions.
import { useEffect, useState } from 'preact/hooks';
import { api, type User } from '../api';
import { dateTime, placeName, relativeTime, t } from '../i18n';
import { ADMIN_WORDING, Confirm, ErrorAlert, Field, onSubmit, Page, Status, useAction } from '../ui';
import { UserDetails } from '../admin/UserDetails';

const PAGE = 20;

interface Registration {
  userId: string;
  email: string;
  username: string | null;
  createdAt: string;
}

/** GET /api/admin/users/{userId}/sessions: the fields the console shows. */
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

const sessionLabel = (s: UserSession) => s.name ?? s.deviceName ?? ([s.browser, s.os].filter(Boolean).join(' · ') || '—');

export function Admin() {
  const [pending, setPending] = useState<Registration[] | null>(null);
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<User[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);

  const load = useAction(async () => {
    setPending((await api<{ registrations: Registration[] }>('/api/admin/registrations?status=pending')).registrations);
  });
  useEffect(() => void load.run(), []);

  const decide = useAction(async (r: Registration, action: 'approve' | 'reject') => {
    await api(`/api/admin/registrations/${r.userId}/${action}`, { method: 'POST' });
    setMessage(t(action === 'approve' ? 'admin.approved' : 'admin.rejected', { email: r.email }));
    await load.run();
  });
  const [status, setStatus] = useState('');
  const [role, setRole] = useState('');
  const [roleNames, setRoleNames] = useState<string[]>([]);
  const [hasMore, setHasMore] = useState(false);
  const [opened, setOpened] = useState<string | null>(null);
  useEffect(() => {
    api<{ roles: { name: string }[] }>('/api/admin/roles').then((r) => setRoleNames(r.roles.map((x) => x.name)), () => setRoleNames([]));
  }, []);
  /** Page 0 replaces the results; a later page ("More") adds to them. */
  const search = useAction(async (from = 0) => {
    const params = new URLSearchParams({ limit: String(PAGE), offset: String(from) });
    if (query.trim()) params.set('query', query.trim());
    if (status) params.set('status', status);
    if (role) params.set('role', role);
    const page = await api<{ users: User[]; hasMore?: boolean }>(`/api/admin/users?${params}`);
    setFound(from === 0 ? page.users : [...(found ?? []), ...page.users]);
    setHasMore(page.hasMore ?? false);
  });
  /** The user whose sessions are open, with them; one user at a time. */
  const [shown, setShown] = useState<{ userId: string; sessions: UserSession[] } | null>(null);
  const showSessions = useAction(async (u: User) => {
    if (shown?.userId === u.id) return setShown(null);
    setShown({ userId: u.id, sessions: (await api<{ sessions: UserSession[] }>(`/api/admin/users/${u.id}/sessions`)).sessions });
  });
  const act = useAction(async (u: User, action: 'revoke-sessions' | 'reset-2fa') => {
    const answer = await api<{ revoked?: number }>(`/api/admin/users/${u.id}/${action}`, { method: 'POST' });
    setConfirming(null);
    setMessage(action === 'revoke-sessions' ? t('admin.signedOut', { email: u.email, count: answer.revoked ?? 0 }) : t('admin.reset', { email: u.email }));
    if (shown?.userId === u.id) setShown(null);
    await search.run(0);
  });

  return (
    <Page title={t('admin.title')} wording={ADMIN_WORDING}>
      {message && <Status tone="success">{message}</Status>}
      <ErrorAlert error={load.error || decide.error || act.error || showSessions.error} />
      <section aria-labelledby="pending-title">
        <h2 id="pending-title">{t('admin.pending')}</h2>
        {pending === null ? (
          <p aria-busy="true">{t('common.loading')}</p>
        ) : pending.length === 0 ? (
          <p>{t('admin.noPending')}</p>
        ) : (
          <ul class="list">
            {pending.map((r) => (
              <li key={r.userId} class="card" data-email={r.email}>
                <div class="row">
                  <strong>{r.email}</strong>
                  <span class="meta">{dateTime(r.createdAt)}</span>
                </div>
                <div class="actions">
                  <button type="button" class="primary" onClick={() => void decide.run(r, 'approve')} disabled={decide.busy} aria-label={t('admin.approveNamed', { email: r.email })}>
                    {t('admin.approve')}
                  </button>
                  <button type="button" class="danger" onClick={() => void decide.run(r, 'reject')} disabled={decide.busy} aria-label={t('admin.rejectNamed', { email: r.email })}>
                    {t('admin.reject')}
                  </button>
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="find-title">
        <h2 id="find-title">{t('admin.find')}</h2>
        <form class="card" role="search" onSubmit={onSubmit(() => (setMessage(null), setOpened(null), void search.run(0)))}>
          <Field label={t('admin.query')} type="search" inputMode="search" value={query} onValue={setQuery} required={!status && !role} hint={t('admin.queryHint')} />
          <div class="field">
            <label for="find-status">{t('admin.filterStatus')}</label>
            <select id="find-status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
              <option value="">{t('admin.any')}</option>
              {['active', 'pending', 'disabled', 'rejected'].map((s) => (
                <option key={s} value={s}>
                  {t(`status.${s}`)}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="find-role">{t('admin.filterRole')}</label>
            <select id="find-role" value={role} onChange={(e) => setRole(e.currentTarget.value)}>
              <option value="">{t('admin.any')}</option>
              {roleNames.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </div>
          <ErrorAlert error={search.error} />
          <div class="actions">
            <button type="submit" class="primary" disabled={search.busy}>
              {t('admin.search')}
            </button>
          </div>
        </form>
        {found && found.length === 0 && <p>{t('admin.noneFound')}</p>}
        {found && found.length > 0 && (
          <ul class="list">
            {found.map((u) => (
              <li key={u.id} class="card" data-email={u.email}>
                <div class="row">
                  <strong>{u.email}</strong>
                  <span class="badge">{u.role}</span>
                  <span class="badge">{t(`status.${u.status}`)}</span>
                  {u.twoFactorEnabled && <span class="badge on">2FA</span>}
                </div>
                {confirming === u.id ? (
                  <Confirm question={t('admin.confirmSignOut', { email: u.email })} yes={t('admin.signOutEverywhere')} busy={act.busy} onYes={() => void act.run(u, 'revoke-sessions')} onCancel={() => setConfirming(null)} />
                ) : confirming === `2fa:${u.id}` ? (
                  <Confirm question={t('admin.confirmReset', { email: u.email })} yes={t('admin.reset2fa')} busy={act.busy} onYes={() => void act.run(u, 'reset-2fa')} onCancel={() => setConfirming(null)} />
                ) : (
                  <div class="actions">
                    <button type="button" class="primary" onClick={() => setOpened(u.id)} aria-expanded={opened === u.id} aria-label={t('admin.openNamed', { email: u.email })}>
                      {t('admin.open')}
                    </button>
                    <button type="button" onClick={() => void showSessions.run(u)} disabled={showSessions.busy} aria-expanded={shown?.userId === u.id} aria-label={t('admin.sessionsNamed', { email: u.email })}>
                      {t('admin.sessions')}
                    </button>
                    <button type="button" onClick={() => setConfirming(u.id)}>
                      {t('admin.signOutEverywhere')}
                    </button>
                    {u.twoFactorEnabled && (
                      <button type="button" onClick={() => setConfirming(`2fa:${u.id}`)}>
                        {t('admin.reset2fa')}
                      </button>
                    )}
                  </div>
                )}
                {shown?.userId === u.id &&
                  (shown.sessions.length === 0 ? (
                    <p>{t('admin.noSessions')}</p>
                  ) : (
                    <ul class="admin-sessions" aria-label={t('admin.sessionsNamed', { email: u.email })}>
                      {shown.sessions.map((s) => (
                        <li key={s.id} data-session-id={s.id}>
                          <strong>{sessionLabel(s)}</strong>
                          <span class="meta">
                            {' · '}
                            <span class="location">{s.location ? placeName(s.location) : t('sessions.locationUnknown')}</span>
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
                  ))}
                {opened === u.id && <UserDetails userId={u.id} onClose={() => setOpened(null)} onChanged={() => void load.run()} />}
              </li>
            ))}
          </ul>
        )}
        {found && hasMore && (
          <div class="actions">
            <button type="button" onClick={() => void search.run(found.length)} disabled={search.busy}>
              {t('admin.more')}
            </button>
          </div>
        )}
      </section>
    </Page>
  );
}
