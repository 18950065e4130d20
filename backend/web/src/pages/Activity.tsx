// The security-events timeline, newest first, paged with the API's cursor. Browser and OS come parsed from
// the server (the same parser as the sessions list), so the page carries no user-agent parsing of its own.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { dateTime, placeName, relativeTime, t } from '../i18n';
import { ErrorAlert, Page, useAction } from '../ui';

interface SecurityEvent {
  id: string;
  type: string;
  ipAddress: string | null;
  browser: string | null;
  os: string | null;
  createdAt: string;
  metadata?: Record<string, unknown> | null;
}

/** Sign-ins from a device the account had not used before (the server marks them). */
const isNewDevice = (e: SecurityEvent) => e.type === 'login.new_device' || (e.type === 'login.succeeded' && e.metadata?.newDevice === true);

/** A sign-in from a country the account had not used before (issue 33). */
const isNewCountry = (e: SecurityEvent) => e.type === 'login.succeeded' && e.metadata?.newCountry === true;

/** A sign-in from a second country within IMPOSSIBLE_TRAVEL_WINDOW of the last one (issue 33): the owner checks it. */
const isImpossibleTravel = (e: SecurityEvent) => e.type === 'login.impossible_travel';

/** A country code from the event's metadata, named in the page's language. */
const countryOf = (value: unknown) => (typeof value === 'string' ? placeName({ countryCode: value, country: value, city: null }) : null);

const PAGE = 20;

function label(type: string): string {
  const key = `event.${type}`;
  const text = t(key);
  return text === key ? type : text;
}

const device = (e: SecurityEvent) => [e.browser, e.os].filter(Boolean).join(' · ') || '—';

export function Activity() {
  const [events, setEvents] = useState<SecurityEvent[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);

  const load = useAction(async (before: string | null) => {
    const query = new URLSearchParams({ limit: String(PAGE), ...(before ? { before } : {}) });
    const page = await api<{ events: SecurityEvent[]; nextCursor: string | null }>(`/api/user/security-events?${query}`);
    setEvents((prev) => (before ? [...prev, ...page.events] : page.events));
    setCursor(page.nextCursor);
    setLoaded(true);
  });
  useEffect(() => void load.run(null), []);

  return (
    <Page title={t('activity.title')}>
      <p>{t('activity.intro')}</p>
      <ErrorAlert error={load.error} />
      {!loaded ? (
        <p aria-busy="true">{t('common.loading')}</p>
      ) : events.length === 0 ? (
        <p>{t('activity.empty')}</p>
      ) : (
        <ol class="timeline">
          {events.map((e) => (
            <li key={e.id} class={`event ${e.type.replace(/\W/g, '-')}`}>
              <strong>{label(e.type)}</strong>
              {isNewDevice(e) && <span class="badge new-device">{t('activity.newDevice')}</span>}
              {isNewCountry(e) && <span class="badge new-country">{t('activity.newCountry')}</span>}
              {isImpossibleTravel(e) && <span class="badge impossible-travel">{t('activity.checkThis')}</span>}
              <span class="meta">
                <time dateTime={e.createdAt} title={dateTime(e.createdAt)}>
                  {relativeTime(e.createdAt)}
                </time>
                {' · '}
                {device(e)}
                {' · '}
                {e.ipAddress ?? '—'}
                {countryOf(e.metadata?.country) && ` · ${countryOf(e.metadata?.country)}`}
                {isImpossibleTravel(e) && countryOf(e.metadata?.previousCountry) && ` · ${t('activity.previousCountry', { country: countryOf(e.metadata?.previousCountry)! })}`}
              </span>
            </li>
          ))}
        </ol>
      )}
      {cursor && (
        <div class="actions">
          <button type="button" onClick={() => void load.run(cursor)} disabled={load.busy}>
            {t('activity.more')}
          </button>
        </div>
      )}
    </Page>
  );
}
