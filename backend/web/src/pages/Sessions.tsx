// Every signed-in device: its name (the person's own, else the one the device sent, else browser and OS),
// browser, OS, first and last IP, signed in and last seen; rename one; revoke one (after confirming), sign
// out all others, or sign out here.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { dateTime, placeName, relativeTime, t } from '../i18n';
import { signOut } from '../session';
import { Confirm, ErrorAlert, Field, FormCard, Page, Status, useAction } from '../ui';

interface SessionView {
  id: string;
  current: boolean;
  name: string | null;
  deviceName: string | null;
  browser: string | null;
  os: string | null;
  deviceType: string | null;
  ipAddress: string | null;
  lastIpAddress: string | null;
  /** Where lastIpAddress is; null for private, loopback and unknown addresses (issue 33). */
  location: { countryCode: string; country: string; city: string | null; region: string | null } | null;
  createdAt: string;
  lastSeenAt: string;
}

/** The API's limit (SESSION_NAME_MAX). */
const NAME_MAX = 64;

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
  const [renaming, setRenaming] = useState<{ id: string; name: string } | null>(null);
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
  const rename = useAction(async () => {
    if (!renaming) return;
    const { session } = await api<{ session: SessionView }>(`/api/user/sessions/${renaming.id}`, { method: 'PATCH', body: { name: renaming.name } });
    setRenaming(null);
    setSessions((list) => list?.map((s) => (s.id === session.id ? session : s)) ?? null);
    setMessage(t('sessions.renamed'));
  });
  const here = useAction(signOut);

  const name = (s: SessionView) => s.name || s.deviceName || [s.browser, s.os].filter(Boolean).join(' · ') || t('sessions.unknownDevice');
  const startRename = (s: SessionView) => (setRenaming({ id: s.id, name: s.name ?? '' }), setConfirming(null), setMessage(null), rename.setError(null));
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
                <dt>{t('sessions.location')}</dt>
                <dd class="location">{s.location ? placeName(s.location) : t('sessions.locationUnknown')}</dd>
                <dt>{t('sessions.lastIp')}</dt>
                <dd>{s.lastIpAddress ?? '—'}</dd>
                {s.ipAddress !== s.lastIpAddress && (
                  <>
                    <dt>{t('sessions.ip')}</dt>
                    <dd>{s.ipAddress ?? '—'}</dd>
                  </>
                )}
                <dt>{t('sessions.created')}</dt>
                <dd>
                  <Time iso={s.createdAt} />
                </dd>
                <dt>{t('sessions.lastSeen')}</dt>
                <dd>
                  <Time iso={s.lastSeenAt} />
                </dd>
              </dl>
              {renaming?.id === s.id ? (
                <FormCard submit={t('sessions.saveName')} action={rename} onCancel={() => setRenaming(null)}>
                  <Field
                    label={t('sessions.nameLabel', { device: name(s) })}
                    value={renaming.name}
                    onValue={(v) => setRenaming({ id: s.id, name: v })}
                    maxLength={NAME_MAX}
                    hint={t('sessions.nameHint', { max: NAME_MAX })}
                  />
                </FormCard>
              ) : confirming === s.id ? (
                <Confirm question={t('sessions.confirmRevoke', { device: name(s) })} yes={t('sessions.revokeYes')} busy={revoke.busy} onYes={() => void revoke.run(s.id)} onCancel={() => setConfirming(null)} />
              ) : (
                <div class="actions">
                  <button type="button" onClick={() => startRename(s)} aria-label={t('sessions.renameNamed', { device: name(s) })}>
                    {t('sessions.rename')}
                  </button>
                  {s.current ? (
                    <button type="button" onClick={() => void here.run()} disabled={here.busy}>
                      {t('sessions.signOutHere')}
                    </button>
                  ) : (
                    <button type="button" onClick={() => (setConfirming(s.id), setRenaming(null), setMessage(null))} aria-label={t('sessions.revokeNamed', { device: name(s) })}>
                      {t('sessions.revoke')}
                    </button>
                  )}
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {sessions && sessions.length > 1 && (
        <div class="actions">
          {confirming === 'others' ? (
            <Confirm question={t('sessions.confirmOthers')} yes={t('sessions.revokeYes')} busy={others.busy} onYes={() => void others.run()} onCancel={() => setConfirming(null)} />
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
