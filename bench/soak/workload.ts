// Simulated people, each a sequential loop (so concurrency is bounded by their number and their tabs): they
// register, sign in (some with 2FA), refresh from several tabs at once, list and revoke sessions, change their
// password, call the verifier-protected service, and have old refresh tokens replayed by an attacker. What a
// client saw succeed is written down in `Ledger`, and checked against the database at the end (invariants.ts).
import { randomBytes, randomUUID } from 'node:crypto';
import { generateTotpCode, totpStepAt } from '../../backend/src/infrastructure/two-factor/totp';
import { call, type Answer, type Target } from './client';
import type { Recorder } from './record';
import { REFRESH_REUSE_GRACE_SECONDS } from './stack';
import { watchRevocation, type RevocationWatch } from './revocation-watch';

interface Held {
  sessionId: string;
  access: string;
  refresh: string;
  /** Refresh tokens this session rotated past, with the time the rotation's answer arrived. */
  rotated: { token: string; at: number; rid: string }[];
}

interface Person {
  email: string;
  userId: string;
  /** The password the server last confirmed; null while a change's outcome is unknown. */
  password: string | null;
  candidates: string[];
  totpSecret: string | null;
  lastTotpStep: number;
  sessions: Held[];
}

/** What clients saw committed. */
export interface Ledger {
  users: Map<string, string>;
  sessions: Map<string, string>;
  revoked: Map<string, string>;
  passwords: Map<string, { email: string; candidates: string[]; rid: string }>;
}

export interface Workload {
  ledger: Ledger;
  watches: RevocationWatch[];
  stop(): Promise<void>;
}

const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const newPassword = () => `soak-${randomBytes(6).toString('hex')}-Harbor`;

export function startWorkload(rec: Recorder, servers: Target[], verifier: Target, people: number): Workload {
  const ledger: Ledger = { users: new Map(), sessions: new Map(), revoked: new Map(), passwords: new Map() };
  const watches: RevocationWatch[] = [];
  let stopping = false;
  const server = () => pick(servers);

  const adopt = (p: Person, a: Answer): Held => {
    const held = { sessionId: a.body.sessionId as string, access: a.body.accessToken as string, refresh: a.body.refreshToken as string, rotated: [] };
    ledger.sessions.set(held.sessionId, a.rid);
    p.sessions.push(held);
    return held;
  };
  const drop = (p: Person, held: Held) => (p.sessions = p.sessions.filter((s) => s !== held));
  const revoked = (p: Person, held: Held, a: Answer) => {
    drop(p, held);
    ledger.revoked.set(held.sessionId, a.rid);
    watches.push(watchRevocation(rec, [...servers, verifier], held.sessionId, held.access, a));
  };

  const register = async (): Promise<Person | null> => {
    const email = `soak.${randomUUID()}@example.test`;
    const password = newPassword();
    const a = await call(rec, server(), 'register', 'POST', '/api/auth/register', { body: { email, password } });
    if (a.status !== 201) return null;
    ledger.users.set(a.body.user.id, a.rid);
    return { email, userId: a.body.user.id, password, candidates: [password], totpSecret: null, lastTotpStep: -1, sessions: [] };
  };

  const login = async (p: Person) => {
    if (p.password === null) return resolvePassword(p);
    const a = await call(rec, server(), 'login', 'POST', '/api/auth/login', { body: { email: p.email, password: p.password } });
    if (a.status !== 200) return;
    if (!a.body.mfaRequired) return adopt(p, a);
    // TOTP codes are single use per 30 s step; the next step's code is accepted (±1 step of drift).
    const at = new Date(Date.now() + 30_000);
    if (!p.totpSecret || totpStepAt(at) <= p.lastTotpStep) return;
    const b = await call(rec, server(), 'login-2fa', 'POST', '/api/auth/login/2fa', { body: { mfaToken: a.body.mfaToken, code: generateTotpCode(p.totpSecret, at) } });
    // A code sent is spent, whatever came back: an answer lost after the code was consumed must not make the
    // next sign-in reuse it (a wrong code counts toward the account lockout, as it should).
    p.lastTotpStep = totpStepAt(at);
    if (b.status === 200) adopt(p, b);
  };

  /** After a password change whose answer was lost: whichever candidate signs in is the password now. */
  const resolvePassword = async (p: Person) => {
    for (const candidate of p.candidates) {
      const a = await call(rec, server(), 'login', 'POST', '/api/auth/login', { body: { email: p.email, password: candidate } });
      if (a.status === 200) {
        // The ledger keeps every candidate: a change whose answer was lost may still commit after this login.
        p.password = candidate;
        p.candidates = [candidate];
        if (!a.body.mfaRequired) adopt(p, a);
        return;
      }
    }
  };

  /** Several tabs refresh with the same token at once: within the grace window every one must succeed. */
  const refreshTabs = async (p: Person, held: Held) => {
    const tabs = 2 + Math.floor(Math.random() * 3);
    const sent = Date.now();
    const answers = await Promise.all(Array.from({ length: tabs }, () => call(rec, server(), 'refresh', 'POST', '/api/auth/refresh', { body: { refreshToken: held.refresh } })));
    const won = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 401);
    // Only when every answer came within the grace window of the request is a 401 beside a 200 a defect.
    const within = answers.every((a) => a.at - sent < REFRESH_REUSE_GRACE_SECONDS * 1000);
    if (within) rec.check('tabs refreshing at once all succeed within the grace window', !(won.length > 0 && refused.length > 0), () => `${answers.map((a) => `${a.rid}=${a.status}`).join(' ')}`);
    if (won.length > 0) {
      const successors = new Set(won.map((a) => a.body.refreshToken));
      rec.check('tabs refreshing at once get the same successor', successors.size === 1, () => won.map((a) => a.rid).join(' '));
      held.rotated.push({ token: held.refresh, at: Math.max(...won.map((a) => a.at)), rid: won[0].rid });
      held.refresh = won[0].body.refreshToken;
      held.access = won[0].body.accessToken;
    } else if (refused.length > 0 || answers.every((a) => a.status === 0)) {
      drop(p, held); // ended elsewhere, or the answer was lost long enough that its fate is unknown
    }
  };

  /** An attacker replays a refresh token rotated past the grace window: it must never work. */
  const replay = async (p: Person, held: Held) => {
    const old = held.rotated.find((r) => Date.now() - r.at > (REFRESH_REUSE_GRACE_SECONDS + 1) * 1000);
    if (!old) return;
    const a = await call(rec, server(), 'replay', 'POST', '/api/auth/refresh', { body: { refreshToken: old.token } });
    if (a.status === 0 || a.status === 503) return;
    rec.check('no refresh with a token rotated past the grace window', a.status !== 200, () => `${a.rid} replayed the token rotated by ${old.rid} ${Math.round((Date.now() - old.at) / 1000)} s earlier and got 200`);
    // Reuse ends the session: its access token must now be refused everywhere, like a logout's.
    if (a.status === 401) revoked(p, held, a);
  };

  const REPLAY = 'no refresh with a token rotated past the grace window';
  const act = async (p: Person) => {
    const held = p.sessions.length ? pick(p.sessions) : null;
    // Until the replay invariant has been checked once, a person holding a token rotated past the grace window
    // replays it first: a short run must not end with that invariant unchecked by chance.
    if (held && (rec.invariants.get(REPLAY)?.checks ?? 0) === 0 && held.rotated.some((o) => Date.now() - o.at > (REFRESH_REUSE_GRACE_SECONDS + 1) * 1000)) return replay(p, held);
    const r = Math.random();
    if (!held || r < 0.08) return login(p);
    if (r < 0.3) return refreshTabs(p, held);
    if (r < 0.42) {
      await call(rec, server(), 'me', 'GET', '/api/user/me', { token: held.access });
      return;
    }
    if (r < 0.55) {
      await call(rec, verifier, 'service', 'GET', '/whoami', { token: held.access });
      return;
    }
    if (r < 0.63) {
      await call(rec, server(), 'sessions', 'GET', '/api/user/sessions', { token: held.access });
      return;
    }
    if (r < 0.7) {
      const a = await call(rec, server(), 'logout', 'POST', '/api/auth/logout', { token: held.access });
      if (a.status === 204) revoked(p, held, a);
      else if (a.status === 401) drop(p, held);
      return;
    }
    if (r < 0.76) {
      const other = p.sessions.find((s) => s !== held);
      if (!other) return login(p);
      const a = await call(rec, server(), 'revoke-session', 'DELETE', `/api/user/sessions/${other.sessionId}`, { token: held.access });
      if (a.status === 204) revoked(p, other, a);
      else if (a.status === 401) drop(p, held);
      return;
    }
    if (r < 0.82) return replay(p, held);
    if (r < 0.87 && p.password) {
      const next = newPassword();
      const a = await call(rec, server(), 'change-password', 'POST', '/api/user/change-password', { token: held.access, body: { currentPassword: p.password, newPassword: next } });
      if (a.status === 200) {
        p.password = next;
        p.candidates = [next];
        ledger.passwords.set(p.userId, { email: p.email, candidates: [next], rid: a.rid });
        p.sessions = [held]; // every other session ended
      } else if (a.status === 0 || a.status >= 500) {
        const known = ledger.passwords.get(p.userId)?.candidates ?? [p.password];
        p.candidates = [p.password, next];
        p.password = null;
        ledger.passwords.set(p.userId, { email: p.email, candidates: [...new Set([...known, p.password ?? '', ...p.candidates].filter(Boolean))], rid: a.rid });
      } else if (a.status === 401) drop(p, held);
      return;
    }
    if (r < 0.9 && !p.totpSecret && p.password) {
      const a = await call(rec, server(), '2fa-enable', 'POST', '/api/user/2fa/enable', { token: held.access, body: { password: p.password } });
      if (a.status !== 200) return;
      const now = new Date();
      const b = await call(rec, server(), '2fa-verify', 'POST', '/api/user/2fa/verify', { token: held.access, body: { code: generateTotpCode(a.body.secret, now) } });
      if (b.status === 200) {
        p.totpSecret = a.body.secret;
        p.lastTotpStep = totpStepAt(now);
      }
      return;
    }
    await call(rec, server(), 'me', 'GET', '/api/user/me', { token: held.access });
  };

  const loop = async () => {
    let p: Person | null = null;
    while (!stopping && !p) {
      p = await register();
      if (!p) await sleep(300);
    }
    while (!stopping && p) {
      await act(p);
      await sleep(20 + Math.random() * 80);
    }
  };
  const loops = Array.from({ length: people }, loop);
  return {
    ledger,
    watches,
    async stop() {
      stopping = true;
      await Promise.all(loops);
      await Promise.all(watches.map((w) => w.done));
    },
  };
}
