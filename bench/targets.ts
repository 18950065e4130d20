// The performance targets, checked against the scenario results, and the logging-cost sentence.
import { clean } from './load';
import type { Report, ScenarioResult, Target } from './report';
import { OAUTH_REFRESH } from './settings';
import { introspectTarget, oauthRefreshTarget } from './targets-oauth';

type Get = (id: string) => ScenarioResult | undefined;

function ratioTarget(get: Get, name: string, id: string, factor: number): Target {
  const s = get(id);
  const base = get('baseline');
  if (!s || !base) return { name, requirement: `≥ ${factor} × baseline req/s`, measured: 'not run', met: null };
  const ratio = s.rps / base.rps;
  const ok = clean(s) && clean(base);
  return {
    name,
    requirement: `≥ ${factor} × baseline req/s (≥ ${Math.round(factor * base.rps).toLocaleString('en-US')})`,
    measured: `${Math.round(s.rps).toLocaleString('en-US')} req/s = ${ratio.toFixed(2)} × baseline`,
    met: ratio >= factor && ok,
    why: ok ? undefined : 'errors or non-2xx responses',
  };
}

function refreshTarget(get: Get): Target {
  const s = get('refresh');
  if (!s) return { name: 'refresh rotation', requirement: '≥ 1,500 req/s with p99 < 60 ms', measured: 'not run', met: null };
  const broken = s.notes.some((n) => n.includes('BROKE'));
  return {
    name: 'refresh rotation',
    requirement: '≥ 1,500 req/s with p99 < 60 ms',
    measured: `${Math.round(s.rps).toLocaleString('en-US')} req/s, p99 ${s.p99} ms`,
    met: s.rps >= 1500 && s.p99 < 60 && clean(s) && !broken,
    why: broken
      ? 'a refresh chain broke'
      : !clean(s)
        ? 'errors or non-2xx responses'
        : [s.rps < 1500 ? 'req/s below 1,500' : '', s.p99 >= 60 ? 'p99 ≥ 60 ms' : ''].filter(Boolean).join(', ') || undefined,
  };
}

function sessionsTarget(get: Get): Target {
  const s = get('sessions');
  return s
    ? { name: 'session list', requirement: '≥ 3,000 req/s', measured: `${Math.round(s.rps).toLocaleString('en-US')} req/s`, met: s.rps >= 3000 && clean(s), why: clean(s) ? undefined : 'errors or non-2xx responses' }
    : { name: 'session list', requirement: '≥ 3,000 req/s', measured: 'not run', met: null };
}

function loginTarget(get: Get, bcrypt: Report['bcrypt']): Target {
  const l = get('login');
  const m = get('me-during-login');
  const ctl = get('me-control');
  if (!l || !m || !bcrypt) return { name: 'login', requirement: '≥ 0.9 × bcrypt-bound limit while /me p99 < 50 ms', measured: 'not run', met: null };
  const ratio = l.rps / bcrypt.hashesPerSecond;
  const ok = clean(l) && clean(m);
  return {
    name: 'login',
    requirement: `≥ 0.9 × bcrypt-bound limit (≥ ${(0.9 * bcrypt.hashesPerSecond).toFixed(1)}/s) while /me p99 < 50 ms`,
    measured: `${l.rps.toFixed(1)} logins/s = ${ratio.toFixed(2)} × ${bcrypt.hashesPerSecond.toFixed(1)}/s; /me p99 ${m.p99} ms${ctl ? ` (${ctl.p99} ms without login load)` : ''}`,
    met: ratio >= 0.9 && m.p99 < 50 && ok,
    why: !ok
      ? 'errors or non-2xx responses'
      : [ratio < 0.9 ? 'login rate below 0.9 × limit' : '', m.p99 >= 50 ? '/me p99 ≥ 50 ms during login load' : ''].filter(Boolean).join(', ') || undefined,
  };
}

/** Every target, in report order; a target whose scenarios did not run is "not run". */
export function checkTargets(get: Get, bcrypt: Report['bcrypt']): Target[] {
  return [
    ratioTarget(get, 'validate', 'validate', 0.8),
    ratioTarget(get, '/me', 'me', 0.5),
    refreshTarget(get),
    sessionsTarget(get),
    loginTarget(get, bcrypt),
    oauthRefreshTarget(get, OAUTH_REFRESH.rate),
    introspectTarget(get),
  ];
}

/** What one JSON log line per request costs, from the me and me-info scenarios (null unless both ran). */
export function loggingCost(get: Get): string | null {
  const me = get('me');
  const meInfo = get('me-info');
  if (!me || !meInfo) return null;
  const change = 100 * (meInfo.rps / me.rps - 1);
  return (
    `GET /api/user/me: ${Math.round(me.rps).toLocaleString('en-US')} req/s (p99 ${me.p99} ms) at LOG_LEVEL=warn vs ` +
    `${Math.round(meInfo.rps).toLocaleString('en-US')} req/s (p99 ${meInfo.p99} ms) at LOG_LEVEL=info, i.e. ` +
    `${Math.abs(change).toFixed(0)}% ${change <= 0 ? 'fewer' : 'MORE (noise: the machine was busier during the warn run)'} requests/s with one JSON log line per request ` +
    "(winston Console transport; the child's stdout is a file, so each write is synchronous as for any file or pipe on Linux)."
  );
}
