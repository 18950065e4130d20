// The checks made once the faults are over and every dependency is back: the database against what clients
// saw committed, every revoked token once more on every target, and the outbox against the JetStream stream.
import { connect } from 'nats';
import pg from 'pg';
import { BcryptPasswordHasher } from '../../backend/src/infrastructure/crypto/bcrypt-hasher';
import { call, type Target } from './client';
import type { Recorder } from './record';
import { PATH } from './revocation-watch';
import type { Stack } from './stack';
import type { Workload } from './workload';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function finalChecks(rec: Recorder, stack: Stack, work: Workload, targets: Target[]): Promise<{ events: number; messages: number }> {
  const { ledger } = work;
  // Never accepted after: every token whose revocation a client saw, on every target, after all the faults.
  for (const w of work.watches) {
    for (const t of targets) {
      const a = await call(rec, t, 'revoked-token', 'GET', PATH(t), { token: w.access });
      rec.check('a revoked session\'s token is never accepted after the bound (final sweep)', a.status !== 200 && a.status !== 0, () => `${a.rid} on ${t.name} answered ${a.status} for session ${w.sessionId} revoked by ${w.rid}`);
    }
  }
  const db = new pg.Client({ connectionString: stack.pg.url });
  await db.connect();
  try {
    const lost = 'nothing committed lost (users, sessions, revocations, passwords)';
    const users = new Set((await db.query<{ id: string }>('SELECT id FROM "User" WHERE id = ANY($1::uuid[])', [[...ledger.users.keys()]])).rows.map((r) => r.id));
    for (const [id, rid] of ledger.users) rec.check(lost, users.has(id), () => `user ${id} registered by ${rid} is missing`);
    const sessions = new Map((await db.query<{ id: string; revokedAt: Date | null }>('SELECT id, "revokedAt" FROM "Session" WHERE id = ANY($1::uuid[])', [[...ledger.sessions.keys()]])).rows.map((r) => [r.id, r.revokedAt]));
    for (const [id, rid] of ledger.sessions) rec.check(lost, sessions.has(id), () => `session ${id} created by ${rid} is missing`);
    for (const [id, rid] of ledger.revoked) rec.check(lost, sessions.get(id) != null, () => `session ${id} revoked by ${rid} has no revokedAt`);
    // Against the stored hash with the server's own hasher, not by signing in: a login can be refused for
    // reasons that say nothing about the password (the lockout after wrong 2FA codes, 423).
    const hasher = new BcryptPasswordHasher(4);
    const hashes = new Map((await db.query<{ id: string; passwordHash: string }>('SELECT id, "passwordHash" FROM "User" WHERE id = ANY($1::uuid[])', [[...ledger.passwords.keys()]])).rows.map((r) => [r.id, r.passwordHash]));
    for (const [userId, p] of ledger.passwords) {
      const hash = hashes.get(userId);
      let matches = false;
      for (const password of p.candidates) if (hash && (await hasher.verify(password, hash))) matches = true;
      rec.check(lost, matches, () => `user ${userId}: the stored password is none of the ${p.candidates.length} a client may have set (last change ${p.rid})`);
    }

    // Exactly once by message id: the relay catches up (bounded), then every outbox row's id is in the stream
    // once, and no message id appears twice.
    const once = 'every outbox event published to JetStream exactly once (by message id)';
    const deadline = Date.now() + 60_000;
    let pending = 0;
    while (Date.now() < deadline) {
      pending = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM "AuditEvent" WHERE "publishedAt" IS NULL')).rows[0].n);
      if (pending === 0) break;
      await sleep(500);
    }
    rec.check(once, pending === 0, () => `${pending} outbox rows still unpublished 60 s after the last fault`);
    const events = (await db.query<{ id: string }>('SELECT id FROM "AuditEvent"')).rows.map((r) => r.id);
    const nc = await connect({ servers: stack.nats.url });
    try {
      const jsm = await nc.jetstreamManager();
      const info = await jsm.streams.info('AUTH_EVENTS');
      const seen = new Map<string, number>();
      for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
        const m = await jsm.streams.getMessage('AUTH_EVENTS', { seq }).catch(() => null);
        const id = m?.header?.get('Nats-Msg-Id');
        if (id) seen.set(id, (seen.get(id) ?? 0) + 1);
      }
      for (const [id, n] of seen) rec.check(once, n === 1, () => `message id ${id} is in the stream ${n} times`);
      for (const id of events) rec.check(once, seen.has(id), () => `outbox event ${id} is not in the stream`);
      return { events: events.length, messages: info.state.messages };
    } finally {
      await nc.close();
    }
  } finally {
    await db.end();
  }
}
