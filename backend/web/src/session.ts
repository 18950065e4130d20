// Signed-in state of this tab: silent refresh on load (cookie), refreshes serialised across tabs with a
// Web Lock (two tabs presenting the same refresh token would look like token theft and end the session),
// and the forced-logout push (Server-Sent Events read with fetch, since EventSource cannot send a bearer
// token) with the 401 SESSION_TERMINATED fallback.
import { api, errorOf, handleUnauthorized, send, setAccessToken, currentAccessToken, type BrowserTokens, type User } from './api';

export type Notice =
  | { kind: 'forced'; reason: string }
  | { kind: 'signedOut' }
  | { kind: 'registered' };

export interface AuthState {
  status: 'loading' | 'signedOut' | 'signedIn';
  user: User | null;
  sessionId: string | null;
  notice: Notice | null;
}

let state: AuthState = { status: 'loading', user: null, sessionId: null, notice: null };
const listeners = new Set<(s: AuthState) => void>();

export const authState = () => state;
export function onAuthChange(listener: (s: AuthState) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
function update(next: Partial<AuthState>): void {
  state = { ...state, ...next };
  listeners.forEach((l) => l(state));
}

let refreshTimer: ReturnType<typeof setTimeout> | null = null;
let stream: AbortController | null = null;
let refreshing: Promise<boolean> | null = null;
let tokenSession: string | null = null;

function useTokens(tokens: BrowserTokens): void {
  setAccessToken(tokens.accessToken);
  tokenSession = tokens.sessionId;
  if (refreshTimer) clearTimeout(refreshTimer);
  // Renew a minute before expiry, so requests rarely meet TOKEN_EXPIRED.
  refreshTimer = setTimeout(() => void refresh(), Math.max(5, tokens.expiresIn - 60) * 1000);
}

async function refreshNow(): Promise<boolean> {
  // ifSignedIn: with no cookie the server answers 204, not a 401 the console would show on a signed-out load.
  const res = await send('/api/auth/browser/refresh?ifSignedIn=true', { method: 'POST', auth: false }).catch(() => null);
  if (!res?.ok || res.status === 204) return false;
  useTokens((await res.json()) as BrowserTokens);
  return true;
}

/** One refresh at a time in this tab, and (with Web Locks) across every tab of this origin. */
export function refresh(): Promise<boolean> {
  if (!refreshing) {
    const run = (navigator.locks ? navigator.locks.request('sessionary-refresh', refreshNow) : refreshNow()) as Promise<boolean>;
    refreshing = run.finally(() => (refreshing = null));
  }
  return refreshing;
}

handleUnauthorized(async (code) => {
  if (code === 'TOKEN_EXPIRED' || code === 'UNAUTHENTICATED') {
    if (await refresh()) return true;
    forcedLogout('expired');
    return false;
  }
  if (code === 'SESSION_TERMINATED') forcedLogout('unknown');
  return false;
});

/** On load: a live cookie means this browser is still signed in. */
export async function restore(): Promise<void> {
  if (await refresh()) await enter();
  else update({ status: 'signedOut' });
}

export async function signedIn(tokens: BrowserTokens): Promise<void> {
  useTokens(tokens);
  await enter();
}

/**
 * The profile, and whether a later read was started meanwhile: of two reads in flight (sign-in's and a page's
 * after the address was confirmed), the answer of the one started last wins, whichever arrives last.
 */
let profileReads = 0;
async function readProfile(): Promise<{ user: User; latest: boolean }> {
  const mine = ++profileReads;
  const { user } = await api<{ user: User }>('/api/user/me');
  return { user, latest: mine === profileReads };
}

async function enter(): Promise<void> {
  const { user, latest } = await readProfile();
  update({ status: 'signedIn', user: latest || !state.user ? user : state.user, sessionId: tokenSession, notice: null });
  openStream();
}

export async function reloadUser(): Promise<void> {
  const { user, latest } = await readProfile();
  if (latest || !state.user) update({ user });
}

function leave(notice: Notice | null): void {
  stream?.abort();
  stream = null;
  if (refreshTimer) clearTimeout(refreshTimer);
  setAccessToken(null);
  update({ status: 'signedOut', user: null, sessionId: null, notice });
}

export async function signOut(): Promise<void> {
  const res = await send('/api/auth/browser/logout', { method: 'POST' }).catch(() => null);
  if (res && !res.ok && res.status !== 401) throw await errorOf(res);
  leave({ kind: 'signedOut' });
}

/**
 * The session ended elsewhere. A host app can listen for `session_forced_logout` to save unsaved work; then
 * the page returns to sign-in and says why.
 */
export function forcedLogout(reason: string): void {
  if (state.status !== 'signedIn') return;
  window.dispatchEvent(new CustomEvent('session_forced_logout', { detail: { reason } }));
  // The cookie is dead; have the server drop it (no bearer: the session is already gone).
  void send('/api/auth/browser/logout', { method: 'POST', auth: false }).catch(() => undefined);
  leave({ kind: 'forced', reason });
}

const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

function openStream(): void {
  stream?.abort();
  const ctrl = new AbortController();
  stream = ctrl;
  void (async () => {
    while (!ctrl.signal.aborted) {
      try {
        const res = await fetch('/api/user/session-events', {
          headers: { Accept: 'text/event-stream', Authorization: `Bearer ${currentAccessToken()}` },
          cache: 'no-store',
          signal: ctrl.signal,
        });
        if (res.status === 401) {
          const { code } = await errorOf(res);
          if (code === 'SESSION_TERMINATED') return forcedLogout('unknown');
          if (!(await refresh())) return forcedLogout('expired');
          continue;
        }
        if (res.ok && res.body) {
          const reason = await readUntilTerminated(res.body);
          if (reason !== null) return forcedLogout(reason);
        }
      } catch {
        if (ctrl.signal.aborted) return;
      }
      // The stream dropped (server restart, network): reconnect shortly.
      await pause(2000, ctrl.signal);
    }
  })();
}

/** Reads `data:` events; returns the reason of a session_terminated event, or null when the stream ends. */
async function readUntilTerminated(body: ReadableStream<Uint8Array>): Promise<string | null> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return null;
    buffer += decoder.decode(value, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const data = buffer
        .slice(0, cut)
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trim())
        .join('\n');
      buffer = buffer.slice(cut + 2);
      if (!data) continue;
      const event = JSON.parse(data) as { type: string; reason?: string };
      if (event.type === 'session_terminated') {
        void reader.cancel().catch(() => undefined);
        return event.reason ?? 'unknown';
      }
    }
  }
}
