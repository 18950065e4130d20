// SessionRepository on Prisma. rotate() and revoke() are single UPDATE ... RETURNING statements written in
// SQL: that makes each one atomic under concurrency (the row lock serialises writers and PostgreSQL re-checks
// the WHERE clause on the latest row version) and costs one round-trip on the refresh hot path.
import { Prisma } from '../../generated/prisma/client';
import type { SessionLocation, SessionRepository } from '../../domain/ports';
import type { ActiveSession, NewSession, RevokeReason, Role, RotatedSession, Session, UserStatus } from '../../domain/types';
import type pg from 'pg';
import type { Db } from './client';
import { isUuid, toSession } from './mappers';
import { col, runNamed, statement, type Columns } from './named-statement';

type RotatedRow = Omit<RotatedSession, 'owner'> & OwnerColumns;

interface OwnerColumns {
  ownerEmail: string;
  ownerUsername: string | null;
  ownerRole: Role;
  ownerStatus: UserStatus;
}

/** Prisma filter of a live session: not revoked, neither absolute nor idle expiry reached (as in ROTATE). */
const live = (now: Date) => ({ revokedAt: null, expiresAt: { gt: now }, idleExpiresAt: { gt: now } });

/**
 * The columns of a RotatedSession (besides its owner): every column is a field read on each refresh. Named,
 * never `*`: with cached prepared statements, `*` would fail with "cached plan must not change result type"
 * once a later migration adds a column to a running instance (so for the session list's columns too).
 */
const ROTATED_COLUMNS = {
  id: col.text,
  userId: col.text,
  aal: col.int,
  expiresAt: col.timestamptz,
  idleExpiresAt: col.timestamptz,
  clientId: col.textOrNull,
  scope: col.textOrNull,
  resource: col.textOrNull,
} satisfies Columns<Omit<RotatedSession, 'owner'>>;
const ROTATED_FIELDS = Object.keys(ROTATED_COLUMNS);

/** rotate(): one statement, prepared once per connection when it runs on the pool. */
const ROTATE = statement<RotatedRow>(
  'session_rotate',
  {
    ...ROTATED_COLUMNS,
    ownerEmail: col.text,
    ownerUsername: col.textOrNull,
    ownerRole: col.oneOf<Role>(),
    ownerStatus: col.oneOf<UserStatus>(),
  },
  () => `
  WITH rotated AS (
    UPDATE "Session"
    SET "refreshTokenHash" = $2, "previousRefreshTokenHash" = $1, "lastActiveAt" = $3::timestamptz,
        "idleExpiresAt" = LEAST("expiresAt", $4::timestamptz)
    WHERE "refreshTokenHash" = $1 AND "revokedAt" IS NULL
      AND "expiresAt" > $3::timestamptz AND "idleExpiresAt" > $3::timestamptz
      AND "clientId" IS NOT DISTINCT FROM $5::text
    RETURNING ${ROTATED_FIELDS.map((c) => `"${c}"`).join(', ')}
  ), history AS (
    INSERT INTO "RotatedRefreshToken" ("tokenHash", "sessionId", "rotatedAt")
    SELECT $1, "id", $3::timestamptz FROM rotated
  )
  SELECT ${ROTATED_FIELDS.map((c) => `rotated."${c}"`).join(', ')}, u."email" AS "ownerEmail", u."username" AS "ownerUsername",
         u."role"::text AS "ownerRole", u."status"::text AS "ownerStatus"
  FROM rotated JOIN "User" u ON u."id" = rotated."userId"`,
);

/** listActive() for the sessions page, the other hot read: every column is a field read on it. */
const LIST_ACTIVE = statement<ActiveSession>(
  'session_list_active',
  {
    id: col.text,
    userAgent: col.textOrNull,
    ipAddress: col.textOrNull,
    deviceName: col.textOrNull,
    browser: col.textOrNull,
    os: col.textOrNull,
    deviceType: col.textOrNull,
    name: col.textOrNull,
    lastSeenAt: col.timestamptzOrNull,
    lastSeenIp: col.textOrNull,
    countryCode: col.textOrNull,
    city: col.textOrNull,
    region: col.textOrNull,
    aal: col.int,
    createdAt: col.timestamptz,
    lastActiveAt: col.timestamptz,
    expiresAt: col.timestamptz,
  },
  (keys) => `
  SELECT ${keys.map((c) => `"${c}"`).join(', ')} FROM "Session"
  WHERE "userId" = $1::uuid AND "revokedAt" IS NULL AND "expiresAt" > $2::timestamptz AND "idleExpiresAt" > $2::timestamptz
    AND "parentSessionId" IS NULL
  ORDER BY "lastActiveAt" DESC, "id" ASC`,
);

export class PrismaSessionRepository implements SessionRepository {
  constructor(
    private readonly db: Db,
    /** Set only outside transactions: rotate() then runs as a named pg statement (see client.ts). */
    private readonly pool: pg.Pool | null = null,
    /** Told about each rotation that matched (metrics). */
    private readonly onRotated: (() => void) | null = null,
  ) {}

  async create(s: NewSession): Promise<Session> {
    const row = await this.db.session.create({
      data: {
        id: s.id,
        userId: s.userId,
        refreshTokenHash: s.refreshTokenHash,
        userAgent: s.userAgent,
        ipAddress: s.ipAddress,
        deviceName: s.deviceName,
        browser: s.browser,
        os: s.os,
        deviceType: s.deviceType,
        countryCode: s.countryCode ?? null,
        city: s.city ?? null,
        region: s.region ?? null,
        aal: s.aal,
        createdAt: s.createdAt,
        lastActiveAt: s.lastActiveAt,
        expiresAt: s.expiresAt,
        idleExpiresAt: s.idleExpiresAt,
        clientId: s.clientId ?? null,
        scope: s.scope ?? null,
        resource: s.resource ?? null,
        parentSessionId: s.parentSessionId ?? null,
      },
    });
    return toSession(row);
  }

  async findById(id: string): Promise<Session | null> {
    if (!isUuid(id)) return null;
    const row = await this.db.session.findUnique({ where: { id } });
    return row ? toSession(row) : null;
  }

  async findByRefreshTokenHash(hash: string): Promise<{ session: Session; matched: 'current' | 'previous' } | null> {
    const row = await this.db.session.findUnique({ where: { refreshTokenHash: hash } });
    if (row) return { session: toSession(row), matched: 'current' };
    // Every replaced token, the immediately previous one included, has a history row (written by rotate()):
    // only reached on the failure path, so the second lookup costs the hot path nothing.
    const rotated = await this.db.rotatedRefreshToken.findUnique({ where: { tokenHash: hash }, include: { session: true } });
    return rotated ? { session: toSession(rotated.session), matched: 'previous' } : null;
  }

  async rotate(oldHash: string, newHash: string, now: Date, idleExpiresAt: Date, clientId: string | null = null): Promise<RotatedSession | null> {
    // One statement and one round-trip: the compare-and-set UPDATE, the history row for the replaced token,
    // and the owner the new access token is issued for. Through the pool as a named statement when we have
    // it (the refresh hot path); the same SQL through Prisma otherwise (inside a transaction, tests).
    const values = [oldHash, newHash, now, idleExpiresAt, clientId] as const;
    const rows = this.pool
      ? await runNamed(this.pool, ROTATE, values)
      : // "Unsafe" only means the SQL text is a plain string: it is a constant, and every value is a bound parameter.
        await this.db.$queryRawUnsafe<RotatedRow[]>(ROTATE.text, ...values);
    const row = rows[0];
    if (rows.length !== 1 || !row) return null;
    this.onRotated?.();
    return {
      id: row.id,
      userId: row.userId,
      aal: row.aal,
      expiresAt: row.expiresAt,
      idleExpiresAt: row.idleExpiresAt,
      clientId: row.clientId,
      scope: row.scope,
      resource: row.resource ?? null,
      owner: { id: row.userId, email: row.ownerEmail, username: row.ownerUsername, role: row.ownerRole, status: row.ownerStatus },
    };
  }

  async listActive(userId: string, now: Date): Promise<ActiveSession[]> {
    if (!isUuid(userId)) return [];
    // The one SQL text, as rotate(): named on the pool, through Prisma otherwise (inside a transaction, tests).
    if (this.pool) return runNamed(this.pool, LIST_ACTIVE, [userId, now]);
    return this.db.$queryRawUnsafe<ActiveSession[]>(LIST_ACTIVE.text, userId, now);
  }

  async setAal(sessionId: string, aal: number, now: Date): Promise<boolean> {
    if (!isUuid(sessionId)) return false;
    const { count } = await this.db.session.updateMany({
      where: { id: sessionId, ...live(now) },
      data: { aal },
    });
    return count === 1;
  }

  async revoke(
    filter: { sessionId?: string; userId?: string; exceptSessionId?: string; clientId?: string },
    reason: RevokeReason,
    now: Date,
  ): Promise<string[]> {
    // Refuse an empty filter: it would revoke every session of every user.
    if (filter.sessionId === undefined && filter.userId === undefined && filter.clientId === undefined) {
      throw new Error('revoke: sessionId or userId required (or clientId)');
    }
    // A malformed id cannot match a uuid column; skip the query instead of letting PostgreSQL raise.
    if ((filter.sessionId !== undefined && !isUuid(filter.sessionId)) || (filter.userId !== undefined && !isUuid(filter.userId))) {
      return [];
    }
    // Live sessions only: an ended session has no usable token left (access tokens never outlive their
    // session, see AuthService.tokenPair), so it needs no revocation and must not count as revoked.
    const conditions = [Prisma.sql`"revokedAt" IS NULL`, Prisma.sql`"expiresAt" > ${now}`, Prisma.sql`"idleExpiresAt" > ${now}`];
    if (filter.sessionId !== undefined) conditions.push(Prisma.sql`"id" = ${filter.sessionId}::uuid`);
    if (filter.userId !== undefined) conditions.push(Prisma.sql`"userId" = ${filter.userId}::uuid`);
    if (filter.clientId !== undefined) conditions.push(Prisma.sql`"clientId" = ${filter.clientId}`);
    if (filter.exceptSessionId !== undefined && isUuid(filter.exceptSessionId)) {
      conditions.push(Prisma.sql`"id" <> ${filter.exceptSessionId}::uuid`);
    }
    // One statement: the matching sessions, then the live ones issued from them (parentSessionId), so a client's
    // code-flow tokens never outlive the browser sign-in even for a moment.
    // Every ended session of a client with a back-channel logout URI also leaves a row in the logout outbox, in
    // this same statement, whichever path revoked it (logout, admin, reuse, password change, deletion...).
    const rows = await this.db.$queryRaw<{ id: string }[]>`
      WITH ended AS (
        UPDATE "Session" SET "revokedAt" = ${now}, "revokedReason" = ${reason}
        WHERE ${Prisma.join(conditions, ' AND ')}
        RETURNING "id", "userId", "clientId", "parentSessionId"
      ), children AS (
        UPDATE "Session" SET "revokedAt" = ${now}, "revokedReason" = ${reason}
        WHERE "parentSessionId" IN (SELECT "id" FROM ended) AND "id" NOT IN (SELECT "id" FROM ended)
          AND "revokedAt" IS NULL AND "expiresAt" > ${now} AND "idleExpiresAt" > ${now}
        RETURNING "id", "userId", "clientId", "parentSessionId"
      ), notices AS (
        INSERT INTO "oauth_backchannel_logouts" ("id", "client_id", "user_id", "sid", "session_id", "created_at", "next_attempt_at")
        SELECT gen_random_uuid(), s."clientId", s."userId", COALESCE(s."parentSessionId", s."id"), s."id", ${now}, ${now}
        FROM (SELECT * FROM ended UNION ALL SELECT * FROM children) s
        JOIN "oauth_clients" c ON c."client_id" = s."clientId"
        WHERE c."backchannel_logout_uri" IS NOT NULL
      )
      SELECT "id" FROM ended UNION SELECT "id" FROM children`;
    return rows.map((r) => r.id);
  }

  async rename(userId: string, sessionId: string, name: string | null, now: Date): Promise<Session | null> {
    if (!isUuid(userId) || !isUuid(sessionId)) return null;
    // updateManyAndReturn: the renamed row in the same round-trip, and no P2025 when there is none.
    const [row] = await this.db.session.updateManyAndReturn({ where: { id: sessionId, userId, ...live(now) }, data: { name } });
    return row ? toSession(row) : null;
  }

  async touch(sessionId: string, ipAddress: string | null, now: Date, staleBefore: Date, location?: SessionLocation): Promise<boolean> {
    if (!isUuid(sessionId)) return false;
    // One statement on the primary key; the condition makes it a no-op when another instance wrote recently.
    const { count } = await this.db.session.updateMany({
      where: { id: sessionId, revokedAt: null, OR: [{ lastSeenAt: null }, { lastSeenAt: { lte: staleBefore } }] },
      data: { lastSeenAt: now, lastSeenIp: ipAddress, ...location },
    });
    return count === 1;
  }

  async anonymiseForUser(userId: string): Promise<void> {
    if (!isUuid(userId)) return;
    await this.db.session.updateMany({
      where: { userId },
      data: { userAgent: null, ipAddress: null, lastSeenIp: null, deviceName: null, name: null, browser: null, os: null, deviceType: null, countryCode: null, city: null, region: null },
    });
  }

  /** Inclusive of `since`: warming a revocation cache must not miss a boundary row. */
  async listRevokedSince(since: Date): Promise<{ id: string; revokedAt: Date }[]> {
    const rows = await this.db.session.findMany({
      where: { revokedAt: { gte: since } },
      select: { id: true, revokedAt: true },
      orderBy: { revokedAt: 'asc' },
    });
    return rows.map((r) => ({ id: r.id, revokedAt: r.revokedAt! }));
  }
}
