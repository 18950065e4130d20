// Sign-in with upstream providers (docs/federation.md): what the server's callback told the page. The callback
// redirects to `/?federation_error=<reason>` (or to the app's `/authorize?request=…&federation_error=…`), or
// `/account?federation=linked|federation_error=…`, or, when the
// account has 2FA, to `/#federation=mfa&mfaToken=…&methods=…`. Read once when the page loads and removed from
// the address bar at once (the mfaToken must not stay in history).
import { t } from './i18n';

export interface FederationProvider {
  id: string;
  name: string;
}

export interface FederationOutcome {
  /** The path the callback sent the browser to: `/` for the sign-in page, `/account` for a link. */
  path: string;
  error: string | null;
  linked: string | null;
  mfa: { mfaToken: string; methods: string[] } | null;
}

function read(): FederationOutcome {
  const query = new URLSearchParams(location.search);
  const hash = new URLSearchParams(location.hash.slice(1));
  const mfaToken = hash.get('federation') === 'mfa' ? hash.get('mfaToken') : null;
  const outcome = {
    path: location.pathname,
    error: query.get('federation_error'),
    linked: query.get('federation') === 'linked' ? query.get('provider') : null,
    mfa: mfaToken ? { mfaToken, methods: (hash.get('methods') ?? '').split(',').filter(Boolean) } : null,
  };
  if (outcome.error || outcome.linked || hash.get('federation')) {
    // Only the outcome goes: an app's authorization request (`?request=`) stays in the address.
    for (const key of ['federation', 'federation_error', 'provider']) query.delete(key);
    const rest = query.toString();
    history.replaceState(null, '', `${location.pathname}${rest ? `?${rest}` : ''}`);
  }
  return outcome;
}

let pending: FederationOutcome | null = typeof location === 'undefined' ? null : read();

/** The outcome, once, for the page it was sent to (`/` or `/authorize` sign-in, `/account` linked accounts). */
export function takeFederationOutcome(path: string): FederationOutcome | null {
  if (!pending || pending.path !== path) return null;
  const outcome = pending;
  pending = null;
  return outcome;
}

/** The sentence for a refusal reason (an unknown one gets the general sentence). */
export function federationErrorText(reason: string): string {
  const key = `federation.error.${reason}`;
  const text = t(key);
  return text === key ? t('federation.error.unknown') : text;
}

/** `returnTo`: an app's authorization request (`/authorize?request=…`) to continue at after the sign-in. */
export const startUrl = (id: string, returnTo?: string) => `/api/auth/federation/${encodeURIComponent(id)}/start${returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : ''}`;
