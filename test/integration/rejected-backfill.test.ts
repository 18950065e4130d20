// The `rejected` status (issue 28) arrived after rejections had set `disabled`: the backfill migration moves
// exactly the accounts whose latest status change was the rejection. Migrated up to just before it, rows are
// written as the old code wrote them, then the rest of the migrations run.
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../../backend/src/infrastructure/database/migrator';
import { createEmptyDatabase, MIGRATIONS_DIR, type TestDatabase } from '../helpers/database';

const BACKFILL = '20261206070100_rejected_backfill';

describe('the rejected-status backfill migration', () => {
  let db: TestDatabase;
  let dir: string;
  const ids = { rejected: randomUUID(), rejectedThenDisabled: randomUUID(), rejectedThenEnabled: randomUUID(), disabled: randomUUID(), deleted: randomUUID() };

  before(async () => {
    db = await createEmptyDatabase();
    dir = mkdtempSync(join(tmpdir(), 'migrations-'));
    for (const name of readdirSync(MIGRATIONS_DIR)) if (name < BACKFILL || name === 'migration_lock.toml') cpSync(join(MIGRATIONS_DIR, name), join(dir, name), { recursive: true });
    await migrate(db.url, dir);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const user = (id: string, status: string, deleted = false) =>
        c.query(`INSERT INTO "User" (id, email, "passwordHash", status, "updatedAt", "deletedAt") VALUES ($1, $2, 'x', $3, now(), $4)`, [id, `${id}@example.test`, status, deleted ? new Date() : null]);
      let t = Date.parse('2026-11-01T00:00:00Z');
      const event = (userId: string, type: string) =>
        c.query(`INSERT INTO "AuditEvent" (id, "userId", type, "createdAt") VALUES ($1, $2, $3, $4)`, [randomUUID(), userId, type, new Date((t += 1000))]);
      await user(ids.rejected, 'disabled');
      await event(ids.rejected, 'registration.rejected');
      await event(ids.rejected, 'login.failed');
      await user(ids.rejectedThenDisabled, 'disabled');
      await event(ids.rejectedThenDisabled, 'registration.rejected');
      await event(ids.rejectedThenDisabled, 'account.enabled');
      await event(ids.rejectedThenDisabled, 'account.disabled');
      await user(ids.rejectedThenEnabled, 'active');
      await event(ids.rejectedThenEnabled, 'registration.rejected');
      await event(ids.rejectedThenEnabled, 'account.enabled');
      await user(ids.disabled, 'disabled');
      await event(ids.disabled, 'account.disabled');
      await user(ids.deleted, 'disabled', true);
      await event(ids.deleted, 'registration.rejected');
    } finally {
      await c.end();
    }
    assert.ok((await migrate(db.url, MIGRATIONS_DIR)).includes(BACKFILL));
  });

  after(async () => {
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('when an account was rejected before the status existed, then it becomes rejected; disabled, re-enabled and deleted ones keep theirs', async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const { rows } = await c.query<{ id: string; status: string }>(`SELECT id, status FROM "User"`);
      const status = Object.fromEntries(rows.map((r) => [r.id, r.status]));
      assert.deepEqual(
        Object.fromEntries(Object.entries(ids).map(([k, id]) => [k, status[id]])),
        { rejected: 'rejected', rejectedThenDisabled: 'disabled', rejectedThenEnabled: 'active', disabled: 'disabled', deleted: 'disabled' },
      );
    } finally {
      await c.end();
    }
  });
});
