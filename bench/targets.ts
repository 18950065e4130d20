// The performance targets, checked against the scenario results, and the logging-cost sentence.
import { clean } from './load';
import type { Report, ScenarioResult, Target } from './report';
import { LIGHT_ME, OAUTH_REFRESH } from './settings';
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

/** Issue 15: the app's route at ≥ factor × the floor (a bare node:http handler doing the same work), in one run. */
function floorTarget(get: Get, name: string, id: string, factor: number, p99Max?: number): Target {
  const s = get(id);
  const f = get(`floor-${id}`);
  const requirement = `≥ ${factor} × floor req/s${p99Max ? ` with p99 < ${p99Max} ms` : ''}`;
  if (!s || !f) return { name, requirement, measured: 'not run', met: null };
  const broken = [...s.notes, ...f.notes].some((n) => n.includes('BROKE'));
  const single = s.rps / f.rps;
  // The median of the alternating short runs when the scenario has them (sessions): see scenarios/reads.ts.
  const ratio = s.paired?.rps ?? single;
  const ok = clean(s) && clean(f) && !broken;
  const misses = [ratio < factor ? `ratio below ${factor}` : '', p99Max && s.p99 >= p99Max ? `p99 ≥ ${p99Max} ms` : ''].filter(Boolean);
  const cpu = s.paired
    ? `; server CPU per request floor/app ${s.paired.cpu.toFixed(2)} (median of the rounds)`
    : s.cpu && f.cpu
      ? `; CPU per request floor/app: server ${(f.cpu.server / s.cpu.server).toFixed(2)}, total ${((f.cpu.server + f.cpu.postgres) / (s.cpu.server + s.cpu.postgres)).toFixed(2)}`
      : '';
  return {
    name,
    requirement: `${requirement} (floor ${Math.round(f.rps).toLocaleString('en-US')} req/s, p99 ${f.p99} ms)`,
    measured:
      (s.paired
        ? `median of alternating rounds ${ratio.toFixed(2)} × floor (single runs: ${Math.round(s.rps).toLocaleString('en-US')} req/s = ${single.toFixed(2)} ×), p99 ${s.p99} ms`
        : `${Math.round(s.rps).toLocaleString('en-US')} req/s = ${ratio.toFixed(2)} × floor, p99 ${s.p99} ms`) + cpu,
    met: ok && misses.length === 0,
    why: broken ? 'a refresh chain broke' : !ok ? 'errors or non-2xx responses' : misses.join(', ') || undefined,
  };
}

function loginTarget(get: Get, bcrypt: Report['bcrypt']): Target {
  const l = get('login');
  const m = get('me-during-login');
  const ctl = get('me-control');
  if (!l || !m || !bcrypt) return { name: 'login', requirement: '≥ 0.85 × bcrypt-bound limit while /me p99 < 50 ms', measured: 'not run', met: null };
  const ratio = l.rps / bcrypt.hashesPerSecond;
  const ok = clean(l) && clean(m);
  return {
    name: 'login',
    requirement: `≥ 0.85 × bcrypt-bound limit (≥ ${(0.85 * bcrypt.hashesPerSecond).toFixed(1)}/s) while /me at ${LIGHT_ME.rate} req/s keeps p99 < 50 ms`,
    measured: `${l.rps.toFixed(1)} logins/s = ${ratio.toFixed(2)} × ${bcrypt.hashesPerSecond.toFixed(1)}/s; /me p99 ${m.p99} ms${ctl ? ` (${ctl.p99} ms without login load)` : ''}`,
    met: ratio >= 0.85 && m.p99 < 50 && ok,
    why: !ok
      ? 'errors or non-2xx responses'
      : [ratio < 0.85 ? 'login rate below 0.85 × limit' : '', m.p99 >= 50 ? '/me p99 ≥ 50 ms during login load' : ''].filter(Boolean).join(', ') || undefined,
  };
}

/** Every target, in report order; a target whose scenarios did not run is "not run". */
export function checkTargets(get: Get, bcrypt: Report['bcrypt']): Target[] {
  return [
    ratioTarget(get, 'validate', 'validate', 0.8),
    ratioTarget(get, '/me', 'me', 0.5),
    floorTarget(get, 'refresh rotation', 'refresh', 0.9, 60),
    floorTarget(get, 'session list', 'sessions', 0.9),
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
