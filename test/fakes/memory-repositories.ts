// In-memory adapters for every repository port and a unit of work with real rollback.
// They follow the port docs and mirror the Prisma adapters where a test could tell the difference:
// `findX` returns null when absent (and for non-UUID ids), duplicate email -> EMAIL_TAKEN, unique refresh /
// MFA token hashes, foreign keys to users, compare-and-set for rotate / advanceTotpStep / consume / markUsed,
// and updates of a missing row throw (Prisma's P2025).
//
// Everything handed out is a copy: mutating a returned object never changes the store.
//
// MemoryUnitOfWork runs transactions one at a time (serializable) and, when `work` throws, restores a
// snapshot taken at the start, so nothing written inside survives. Repositories given to `work` refuse use
// after their transaction ended. `direct` repositories are auto-commit (each call its own transaction).
// run() or `direct` used inside run() throws: in production that is a second connection outside the
// transaction, which deadlocks on a one-connection pool such as PGlite's.
import { AsyncLocalStorage } from 'node:async_hooks';
import { tombstone } from '../../backend/src/domain/account-deletion';
import { Errors } from '../../backend/src/domain/errors';
import type { Passkey, WebAuthnChallenge } from '../../backend/src/domain/passkeys/types';
import { MemoryPasskeyRepository, MemoryWebAuthnChallengeRepository } from './memory-passkeys';
import type { FederatedIdentityRepository } from '../../backend/src/domain/federation/ports';
import type { FederatedIdentity, NewFederatedIdentity } from '../../backend/src/domain/federation/types';
import { builtInRoles, MemoryRoleRepository, type StoredUserRole } from './memory-roles';
import type { RoleDefinition } from '../../backend/src/domain/roles/access';
import type { MailOutbox, QueuedMail } from '../../backend/src/domain/mail';
import type {
  AccountTokenRepository,
  AuditRepository,
  BackupCodeRepository,
  TrustedDeviceRepository,
  KnownDeviceRepository,
  KnownCountryRepository,
  SessionLocation,
  Clock,
  MfaChallengeRepository,
  Repositories,
  SessionRepository,
  UnitOfWork,
  UserRepository,
} from '../../backend/src/domain/ports';
import type {
  AccountToken,
  ActiveSession,
  AccountTokenPurpose,
  AccountTokenReplacement,
  NewAccountToken,
  AuditEvent,
  BackupCode,
  TrustedDevice,
  MfaChallenge,
  RotatedSession,
  UserProfile,
  NewAuditEvent,
  NewSession,
  NewUser,
  RevokeReason,
  Role,
  Session,
  User,
  UserStatus,
} from '../../backend/src/domain/types';

// ---------------------------------------------------------------------------------------------------------
// Storage

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

function copy<T>(value: T): T {
  return structuredClone(value);
}

/** Prisma's deleteMany: removes the matching rows (deleting while iterating a Map is safe); returns how many. */
function deleteRows<T>(rows: Map<string, T>, match: (row: T) => boolean): number {
  let n = 0;
  for (const [id, row] of rows) if (match(row) && rows.delete(id)) n++;
  return n;
}

interface StoredBackupCode extends BackupCode {
  createdAt: Date;
  seq: number;
}

export interface MemoryTables {
  users: Map<string, User>;
  sessions: Map<string, Session>;
  mfaChallenges: Map<string, MfaChallenge>;
  backupCodes: Map<string, StoredBackupCode>;
  trustedDevices: Map<string, TrustedDevice>;
  audit: Map<string, AuditEvent>;
  /** Every rotated-away refresh-token hash → its session id (RotatedRefreshToken). */
  rotatedTokens: Map<string, string>;
  /** Queued mail, oldest first (OutgoingMail). */
  mail: QueuedMail[];
  accountTokens: Map<string, AccountToken>;
  /** `${userId} ${key}` → last seen. */
  knownDevices: Map<string, Date>;
  passkeys: Map<string, Passkey>;
  webauthnChallenges: Map<string, WebAuthnChallenge>;
  /** `${userId} ${countryCode}` → lastSeenAt. */
  knownCountries: Map<string, Date>;
  federatedIdentities: Map<string, FederatedIdentity>;
  /** AccessRole by name, and UserRole by `${userId} ${roleName}`. */
  roles: Map<string, RoleDefinition>;
  userRoles: Map<string, StoredUserRole>;
  /** Monotonic counter for insertion order (backup codes) and ordered audit ids. */
  seq: number;
}

function emptyTables(): MemoryTables {
  return { users: new Map(), sessions: new Map(), mfaChallenges: new Map(), backupCodes: new Map(), trustedDevices: new Map(), audit: new Map(), rotatedTokens: new Map(), mail: [], accountTokens: new Map(), knownDevices: new Map(), passkeys: new Map(), webauthnChallenges: new Map(), knownCountries: new Map(), federatedIdentities: new Map(), roles: builtInRoles(), userRoles: new Map(), seq: 0 };
}

/** Missing row on an update: Prisma throws P2025 ("Record to update not found"). */
function notFoundRow(table: string, id: string): Error {
  return new Error(`memory db: ${table} ${id} not found (Prisma would throw P2025)`);
}

/** Unique / foreign-key violations that are not part of a port's contract are plain errors, as in Prisma. */
function constraint(message: string): Error {
  return new Error(`memory db: ${message}`);
}

/**
 * The data behind the memory repositories. Tests may read `tables` directly to inspect state, or use
 * `repositories()` (auto-commit, like the bare Prisma client) to arrange it.
 */
export class MemoryDatabase {
  tables: MemoryTables = emptyTables();

  constructor(readonly clock: Clock = { now: () => new Date() }) {}

  snapshot(): MemoryTables {
    return copy(this.tables);
  }

  restore(snapshot: MemoryTables): void {
    this.tables = snapshot;
  }

  /** Repositories outside any transaction (each call commits by itself). */
  repositories(): Repositories {
    return createMemoryRepositories(this, () => {});
  }

  /** Audit ids sort in insertion order, so (createdAt desc, id desc) is deterministic within one instant. */
  nextAuditId(): string {
    const n = ++this.tables.seq;
    return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
  }

  nextSeq(): number {
    return ++this.tables.seq;
  }

  /** Every audit event, oldest first (including those without a user). */
  auditEvents(): AuditEvent[] {
    return [...this.tables.audit.values()].map(copy);
  }

  assertUserExists(userId: string, table: string): void {
    if (!this.tables.users.has(userId)) throw constraint(`${table}.userId ${userId} violates the foreign key to User`);
  }
}

type Guard = () => void;

// ---------------------------------------------------------------------------------------------------------
// Repositories

export class MemoryUserRepository implements UserRepository {
  constructor(private readonly db: MemoryDatabase, private readonly guard: Guard = () => {}) {}

  private get rows(): Map<string, User> {
    this.guard();
    return this.db.tables.users;
  }

  private mustGet(id: string): User {
    const row = this.rows.get(id);
    if (!row) throw notFoundRow('User', id);
    return row;
  }

  private touch(row: User): void {
    row.updatedAt = this.db.clock.now();
  }

  async findById(id: string): Promise<User | null> {
    const row = this.rows.get(id);
    return row ? copy(row) : null;
  }

  async findProfile(id: string): Promise<UserProfile | null> {
    const row = this.rows.get(id);
    if (!row) return null;
    const { email, username, role, status, twoFactorEnabled, emailVerified, lastLoginAt, createdAt } = copy(row);
    return { id, email, username, role, status, twoFactorEnabled, emailVerified, lastLoginAt, createdAt };
  }

  async findByEmail(email: string): Promise<User | null> {
    // Exact match, like the unique index on the column: the domain lower-cases before calling.
    for (const row of this.rows.values()) if (row.email === email) return copy(row);
    return null;
  }

  async create(user: NewUser): Promise<User> {
    const rows = this.rows;
    for (const row of rows.values()) if (row.email === user.email) throw Errors.emailTaken();
    if (!isUuid(user.id)) throw constraint(`User.id ${user.id} is not a uuid`);
    if (rows.has(user.id)) throw constraint(`User.id ${user.id} already exists`);
    const now = this.db.clock.now();
    const row: User = {
      id: user.id,
      email: user.email,
      username: user.username,
      passwordHash: user.passwordHash,
      role: user.role,
      status: user.status,
      failedLoginCount: 0,
      lockCount: 0,
      lockedUntil: null,
      twoFactorEnabled: false,
      totpSecretEncrypted: null,
      totpLastUsedStep: null,
      passwordChangedAt: null,
      deletedAt: null,
      emailVerified: user.emailVerified ?? false,
      lastLoginAt: null,
      createdAt: now,
      updatedAt: now,
    };
    rows.set(row.id, row);
    return copy(row);
  }

  async recordLogin(id: string, at: Date): Promise<void> {
    const row = this.rows.get(id);
    if (row) row.lastLoginAt = new Date(at);
  }

  async updatePassword(id: string, passwordHash: string, changedAt: Date): Promise<void> {
    const row = this.mustGet(id);
    row.passwordHash = passwordHash;
    row.passwordChangedAt = new Date(changedAt);
    this.touch(row);
  }

  async setStatus(id: string, status: UserStatus): Promise<User | null> {
    const row = this.rows.get(id);
    if (!row) return null;
    row.status = status;
    this.touch(row);
    return copy(row);
  }

  async setRole(id: string, role: Role): Promise<void> {
    const row = this.mustGet(id);
    row.role = role;
    this.touch(row);
  }

  async setUsername(id: string, username: string | null): Promise<void> {
    const row = this.rows.get(id);
    if (!row) return;
    row.username = username;
    this.touch(row);
  }

  /** Oldest first (the approval queue). */
  async listByStatus(status: UserStatus, limit: number): Promise<User[]> {
    return [...this.rows.values()]
      .filter((u) => u.status === status && u.deletedAt === null)
      // Stable sort over insertion order: PostgreSQL's microsecond createdAt separates users this fake's
      // millisecond clock gives the same instant, so within one instant insertion order is the real order.
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .slice(0, limit)
      .map(copy);
  }

  async search(text: string, limit: number): Promise<User[]> {
    const needle = text.toLowerCase();
    return [...this.rows.values()]
      .filter((u) => u.deletedAt === null)
      .filter((u) => u.id === needle || u.email.toLowerCase().includes(needle) || (u.username ?? '').toLowerCase().includes(needle))
      .sort((a, b) => a.email.localeCompare(b.email))
      .slice(0, limit)
      .map(copy);
  }

  async find(criteria: { text?: string; status?: UserStatus; role?: string }, limit: number, offset: number): Promise<User[]> {
    const needle = criteria.text?.toLowerCase();
    const grants = [...this.db.tables.userRoles.values()];
    return [...this.rows.values()]
      .filter((u) => u.deletedAt === null)
      .filter((u) => !needle || u.id === needle || u.email.toLowerCase().includes(needle) || (u.username ?? '').toLowerCase().includes(needle))
      .filter((u) => !criteria.status || u.status === criteria.status)
      .filter((u) => !criteria.role || u.role === criteria.role || grants.some((g) => g.userId === u.id && g.roleName === criteria.role))
      .sort((a, b) => a.email.localeCompare(b.email) || a.id.localeCompare(b.id))
      .slice(offset, offset + limit)
      .map(copy);
  }

  async recordLoginFailure(id: string): Promise<{ failedLoginCount: number; lockCount: number }> {
    const row = this.mustGet(id);
    row.failedLoginCount += 1;
    this.touch(row);
    return { failedLoginCount: row.failedLoginCount, lockCount: row.lockCount };
  }

  async lock(id: string, until: Date): Promise<void> {
    const row = this.mustGet(id);
    row.lockedUntil = new Date(until);
    row.lockCount += 1;
    row.failedLoginCount = 0;
    this.touch(row);
  }

  async resetLoginFailures(id: string): Promise<void> {
    const row = this.mustGet(id);
    row.failedLoginCount = 0;
    row.lockCount = 0;
    row.lockedUntil = null;
    this.touch(row);
  }

  /** Leaves totpLastUsedStep alone (as the Prisma adapter does). */
  async setTotpSecret(id: string, encryptedSecret: string | null, enabled: boolean): Promise<void> {
    const row = this.mustGet(id);
    row.totpSecretEncrypted = encryptedSecret;
    row.twoFactorEnabled = enabled;
    this.touch(row);
  }

  async anonymise(id: string, now: Date): Promise<boolean> {
    const row = this.rows.get(id);
    if (!row || row.deletedAt !== null) return false;
    Object.assign(row, tombstone(id, new Date(now)));
    this.touch(row);
    return true;
  }

  async advanceTotpStep(id: string, step: number): Promise<boolean> {
    const row = this.rows.get(id);
    if (!row) return false;
    if (row.totpLastUsedStep !== null && row.totpLastUsedStep >= step) return false;
    row.totpLastUsedStep = step;
    this.touch(row);
    return true;
  }

  async setEmailVerified(id: string): Promise<void> {
    const row = this.mustGet(id);
    row.emailVerified = true;
    this.touch(row);
  }

  async changeEmail(id: string, email: string): Promise<void> {
    const row = this.mustGet(id);
    for (const other of this.rows.values()) if (other.id !== id && other.email === email) throw Errors.emailTaken();
    row.email = email;
    row.emailVerified = true;
    this.touch(row);
  }
}

export class MemorySessionRepository implements SessionRepository {
  constructor(private readonly db: MemoryDatabase, private readonly guard: Guard = () => {}) {}

  private get rows(): Map<string, Session> {
    this.guard();
    return this.db.tables.sessions;
  }

  private static live(s: Session, now: Date): boolean {
    return s.revokedAt === null && s.expiresAt.getTime() > now.getTime() && s.idleExpiresAt.getTime() > now.getTime();
  }

  async create(session: NewSession): Promise<Session> {
    const rows = this.rows;
    if (!isUuid(session.id)) throw constraint(`Session.id ${session.id} is not a uuid`);
    if (rows.has(session.id)) throw constraint(`Session.id ${session.id} already exists`);
    this.db.assertUserExists(session.userId, 'Session');
    for (const s of rows.values()) {
      if (s.refreshTokenHash === session.refreshTokenHash) throw constraint('Session.refreshTokenHash must be unique');
    }
    const row: Session = {
      ...copy(session),
      clientId: session.clientId ?? null,
      scope: session.scope ?? null,
      countryCode: session.countryCode ?? null,
      city: session.city ?? null,
      region: session.region ?? null,
      name: null,
      lastSeenAt: null,
      lastSeenIp: null,
      previousRefreshTokenHash: null,
      revokedAt: null,
      revokedReason: null,
    };
    rows.set(row.id, row);
    return copy(row);
  }

  async findById(id: string): Promise<Session | null> {
    const row = this.rows.get(id);
    return row ? copy(row) : null;
  }

  async findByRefreshTokenHash(hash: string): Promise<{ session: Session; matched: 'current' | 'previous' } | null> {
    for (const s of this.rows.values()) {
      if (s.refreshTokenHash === hash) return { session: copy(s), matched: 'current' };
      if (s.previousRefreshTokenHash === hash) return { session: copy(s), matched: 'previous' };
    }
    const sessionId = this.db.tables.rotatedTokens.get(hash);
    const older = sessionId ? this.rows.get(sessionId) : undefined;
    return older ? { session: copy(older), matched: 'previous' } : null;
  }

  async rotate(oldHash: string, newHash: string, now: Date, idleExpiresAt: Date, clientId: string | null = null): Promise<RotatedSession | null> {
    const rows = this.rows;
    let row: Session | undefined;
    for (const s of rows.values()) if (s.refreshTokenHash === oldHash) row = s;
    if (!row || !MemorySessionRepository.live(row, now) || row.clientId !== clientId) return null;
    for (const s of rows.values()) {
      if (s !== row && (s.refreshTokenHash === newHash || s.previousRefreshTokenHash === newHash)) {
        throw constraint('Session.refreshTokenHash must be unique');
      }
    }
    row.previousRefreshTokenHash = oldHash;
    this.db.tables.rotatedTokens.set(oldHash, row.id);
    row.refreshTokenHash = newHash;
    row.lastActiveAt = new Date(now);
    // The idle deadline never outlives the absolute expiry (what AuthService.refresh expects of the repository).
    row.idleExpiresAt = new Date(Math.min(idleExpiresAt.getTime(), row.expiresAt.getTime()));
    const u = this.db.tables.users.get(row.userId)!;
    const r = copy(row);
    const owner = { id: u.id, email: u.email, username: u.username, role: u.role, status: u.status };
    return { id: r.id, userId: r.userId, aal: r.aal, expiresAt: r.expiresAt, idleExpiresAt: r.idleExpiresAt, clientId: r.clientId, scope: r.scope, resource: r.resource ?? null, owner };
  }

  /** Most recently used first; id breaks ties (as the Prisma adapter orders). */
  async listActive(userId: string, now: Date): Promise<ActiveSession[]> {
    return [...this.rows.values()]
      // Sessions issued from a browser session (code flow) are the apps', not devices: not listed.
      .filter((s) => s.userId === userId && MemorySessionRepository.live(s, now) && !(s as Session & { parentSessionId?: string | null }).parentSessionId)
      .sort((a, b) => b.lastActiveAt.getTime() - a.lastActiveAt.getTime() || a.id.localeCompare(b.id))
      .map(copy);
  }

  async setAal(sessionId: string, aal: number, now: Date): Promise<boolean> {
    const row = this.rows.get(sessionId);
    if (!row || !MemorySessionRepository.live(row, now)) return false;
    row.aal = aal;
    return true;
  }

  async revoke(
    filter: { sessionId?: string; userId?: string; exceptSessionId?: string; clientId?: string },
    reason: RevokeReason,
    now: Date,
  ): Promise<string[]> {
    if (filter.sessionId === undefined && filter.userId === undefined && filter.clientId === undefined) {
      throw new Error('revoke: sessionId or userId required (or clientId)');
    }
    const ids: string[] = [];
    for (const s of this.rows.values()) {
      if (filter.sessionId !== undefined && s.id !== filter.sessionId) continue;
      if (filter.userId !== undefined && s.userId !== filter.userId) continue;
      if (filter.clientId !== undefined && s.clientId !== filter.clientId) continue;
      if (filter.exceptSessionId !== undefined && s.id === filter.exceptSessionId) continue;
      if (!MemorySessionRepository.live(s, now)) continue;
      s.revokedAt = new Date(now);
      s.revokedReason = reason;
      ids.push(s.id);
    }
    // Sessions issued from the ones just ended (authorization code flow) end with them, as in the Prisma statement.
    for (const s of this.rows.values()) {
      const parent = (s as Session & { parentSessionId?: string | null }).parentSessionId;
      if (!parent || !ids.includes(parent) || !MemorySessionRepository.live(s, now)) continue;
      s.revokedAt = new Date(now);
      s.revokedReason = reason;
      ids.push(s.id);
    }
    return ids;
  }

  async rename(userId: string, sessionId: string, name: string | null, now: Date): Promise<Session | null> {
    const row = this.rows.get(sessionId);
    if (!row || row.userId !== userId || !MemorySessionRepository.live(row, now)) return null;
    row.name = name;
    return copy(row);
  }

  async touch(sessionId: string, ipAddress: string | null, now: Date, staleBefore: Date, location?: SessionLocation): Promise<boolean> {
    const row = this.rows.get(sessionId);
    if (!row || row.revokedAt !== null || (row.lastSeenAt !== null && row.lastSeenAt.getTime() > staleBefore.getTime())) return false;
    row.lastSeenAt = new Date(now);
    row.lastSeenIp = ipAddress;
    if (location) Object.assign(row, location);
    return true;
  }

  async anonymiseForUser(userId: string): Promise<void> {
    for (const row of this.rows.values()) {
      if (row.userId !== userId) continue;
      Object.assign(row, { userAgent: null, ipAddress: null, lastSeenIp: null, deviceName: null, name: null, browser: null, os: null, deviceType: null, countryCode: null, city: null, region: null });
    }
  }

  /** Inclusive of `since`, oldest first. */
  async listRevokedSince(since: Date): Promise<{ id: string; revokedAt: Date }[]> {
    return [...this.rows.values()]
      .filter((s) => s.revokedAt !== null && s.revokedAt.getTime() >= since.getTime())
      .sort((a, b) => a.revokedAt!.getTime() - b.revokedAt!.getTime())
      .map((s) => ({ id: s.id, revokedAt: new Date(s.revokedAt!) }));
  }
}

export class MemoryMfaChallengeRepository implements MfaChallengeRepository {
  constructor(private readonly db: MemoryDatabase, private readonly guard: Guard = () => {}) {}

  private get rows(): Map<string, MfaChallenge> {
    this.guard();
    return this.db.tables.mfaChallenges;
  }

  async create(challenge: Omit<MfaChallenge, 'attempts' | 'consumedAt' | 'createdAt'>): Promise<MfaChallenge> {
    const rows = this.rows;
    if (!isUuid(challenge.id)) throw constraint(`MfaChallenge.id ${challenge.id} is not a uuid`);
    if (rows.has(challenge.id)) throw constraint(`MfaChallenge.id ${challenge.id} already exists`);
    this.db.assertUserExists(challenge.userId, 'MfaChallenge');
    for (const c of rows.values()) if (c.tokenHash === challenge.tokenHash) throw constraint('MfaChallenge.tokenHash must be unique');
    const row: MfaChallenge = { ...copy(challenge), attempts: 0, consumedAt: null, createdAt: this.db.clock.now() };
    rows.set(row.id, row);
    return copy(row);
  }

  async findByTokenHash(hash: string): Promise<MfaChallenge | null> {
    for (const c of this.rows.values()) if (c.tokenHash === hash) return copy(c);
    return null;
  }

  async consume(id: string, now: Date): Promise<boolean> {
    const row = this.rows.get(id);
    if (!row || row.consumedAt !== null) return false;
    row.consumedAt = new Date(now);
    return true;
  }

  async recordAttempt(id: string): Promise<number> {
    const row = this.rows.get(id);
    if (!row) throw notFoundRow('MfaChallenge', id);
    row.attempts += 1;
    return row.attempts;
  }

  async deleteForUser(userId: string): Promise<void> {
    deleteRows(this.rows, (row) => row.userId === userId);
  }
}

export class MemoryBackupCodeRepository implements BackupCodeRepository {
  constructor(private readonly db: MemoryDatabase, private readonly guard: Guard = () => {}) {}

  private get rows(): Map<string, StoredBackupCode> {
    this.guard();
    return this.db.tables.backupCodes;
  }

  /** Oldest first (creation order). */
  async listUnused(userId: string): Promise<BackupCode[]> {
    return [...this.rows.values()]
      .filter((c) => c.userId === userId && c.usedAt === null)
      .sort((a, b) => a.seq - b.seq)
      .map((c) => ({ id: c.id, userId: c.userId, codeHash: c.codeHash, usedAt: c.usedAt }));
  }

  async replaceAll(userId: string, codes: { id: string; codeHash: string }[]): Promise<void> {
    const rows = this.rows;
    this.db.assertUserExists(userId, 'BackupCode');
    const ids = new Set<string>();
    for (const c of codes) {
      if (!isUuid(c.id)) throw constraint(`BackupCode.id ${c.id} is not a uuid`);
      if (ids.has(c.id)) throw constraint(`BackupCode.id ${c.id} repeated`);
      ids.add(c.id);
    }
    // Validate before touching anything: replaceAll is atomic on its own, as in the Prisma adapter.
    for (const [id, row] of rows) if (row.userId !== userId && ids.has(id)) throw constraint(`BackupCode.id ${id} already exists`);
    deleteRows(rows, (row) => row.userId === userId);
    const now = this.db.clock.now();
    for (const c of codes) rows.set(c.id, { id: c.id, userId, codeHash: c.codeHash, usedAt: null, createdAt: now, seq: this.db.nextSeq() });
  }

  async markUsed(id: string, now: Date): Promise<boolean> {
    const row = this.rows.get(id);
    if (!row || row.usedAt !== null) return false;
    row.usedAt = new Date(now);
    return true;
  }

  async deleteAll(userId: string): Promise<void> {
    deleteRows(this.rows, (row) => row.userId === userId);
  }
}

export class MemoryTrustedDeviceRepository implements TrustedDeviceRepository {
  constructor(private readonly db: MemoryDatabase, private readonly guard: Guard = () => {}) {}

  private get rows(): Map<string, TrustedDevice> {
    this.guard();
    return this.db.tables.trustedDevices;
  }

  async create(d: Omit<TrustedDevice, 'lastUsedAt' | 'createdAt'>): Promise<TrustedDevice> {
    const rows = this.rows;
    if (!isUuid(d.id) || rows.has(d.id)) throw constraint(`TrustedDevice.id ${d.id} is invalid or taken`);
    this.db.assertUserExists(d.userId, 'TrustedDevice');
    for (const r of rows.values()) if (r.tokenHash === d.tokenHash) throw constraint('TrustedDevice.tokenHash must be unique');
    const row: TrustedDevice = { ...structuredClone(d), lastUsedAt: null, createdAt: this.db.clock.now() };
    rows.set(row.id, row);
    return structuredClone(row);
  }

  async findLive(userId: string, tokenHash: string, now: Date): Promise<TrustedDevice | null> {
    for (const r of this.rows.values()) {
      if (r.userId === userId && r.tokenHash === tokenHash && r.expiresAt.getTime() > now.getTime()) return structuredClone(r);
    }
    return null;
  }

  async touch(id: string, sessionId: string, now: Date): Promise<void> {
    const row = this.rows.get(id);
    if (!row) return;
    row.lastSessionId = sessionId;
    row.lastUsedAt = new Date(now);
  }

  async listLive(userId: string, now: Date): Promise<TrustedDevice[]> {
    return [...this.rows.values()]
      .filter((r) => r.userId === userId && r.expiresAt.getTime() > now.getTime())
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || a.id.localeCompare(b.id))
      .map((r) => structuredClone(r));
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const row = this.rows.get(id);
    if (!row || row.userId !== userId) return false;
    return this.rows.delete(id);
  }

  async deleteAll(userId: string): Promise<number> {
    return deleteRows(this.rows, (row) => row.userId === userId);
  }
}

export class MemoryAuditRepository implements AuditRepository {
  constructor(private readonly db: MemoryDatabase, private readonly guard: Guard = () => {}) {}

  private get rows(): Map<string, AuditEvent> {
    this.guard();
    return this.db.tables.audit;
  }

  async record(event: NewAuditEvent): Promise<void> {
    const rows = this.rows;
    if (event.userId !== null) this.db.assertUserExists(event.userId, 'AuditEvent');
    const row: AuditEvent = {
      id: this.db.nextAuditId(),
      userId: event.userId,
      type: event.type,
      ipAddress: event.ipAddress,
      userAgent: event.userAgent,
      // A JSON column: what comes back is what JSON can carry (Dates become strings, undefined disappears).
      metadata: JSON.parse(JSON.stringify(event.metadata ?? {})) as Record<string, unknown>,
      createdAt: this.db.clock.now(),
    };
    rows.set(row.id, row);
  }

  /** Newest first by (createdAt, id); `before` is an exclusive keyset cursor. */
  async listForUser(userId: string, opts: { limit: number; before?: { createdAt: Date; id: string } }): Promise<AuditEvent[]> {
    const b = opts.before;
    return [...this.rows.values()]
      .filter((e) => e.userId === userId)
      .filter(
        (e) =>
          !b ||
          e.createdAt.getTime() < b.createdAt.getTime() ||
          (e.createdAt.getTime() === b.createdAt.getTime() && e.id < b.id),
      )
      .sort((x, y) => y.createdAt.getTime() - x.createdAt.getTime() || (x.id < y.id ? 1 : x.id > y.id ? -1 : 0))
      .slice(0, opts.limit)
      .map(copy);
  }

  async anonymiseForUser(userId: string): Promise<void> {
    for (const row of this.rows.values()) {
      if (row.userId !== userId) continue;
      row.ipAddress = null;
      row.userAgent = null;
    }
  }
}

export class MemoryMailOutbox implements MailOutbox {
  constructor(private readonly db: MemoryDatabase, private readonly guard: Guard = () => {}) {}

  async enqueue(message: QueuedMail): Promise<void> {
    this.guard();
    this.db.tables.mail.push(JSON.parse(JSON.stringify(message)) as QueuedMail);
  }

  async deleteForUser(userId: string): Promise<number> {
    this.guard();
    const before = this.db.tables.mail.length;
    this.db.tables.mail = this.db.tables.mail.filter((m) => m.userId !== userId);
    return before - this.db.tables.mail.length;
  }
}

export class MemoryAccountTokenRepository implements AccountTokenRepository {
  constructor(private readonly db: MemoryDatabase, private readonly guard: Guard = () => {}) {}

  private get rows(): Map<string, AccountToken> {
    this.guard();
    return this.db.tables.accountTokens;
  }

  async issue(token: NewAccountToken, replaces: AccountTokenReplacement): Promise<void> {
    const rows = this.rows;
    this.db.assertUserExists(token.userId, 'AccountToken');
    if (replaces !== 'none') {
      deleteRows(rows, (row) => row.userId === token.userId && row.purpose === token.purpose && !row.usedAt && (replaces === 'all' || row.subject === token.subject));
    }
    for (const row of rows.values()) if (row.tokenHash === token.tokenHash) throw constraint('AccountToken.tokenHash is unique');
    rows.set(token.id, { ...copy(token), usedAt: null });
  }

  async discardUnused(userId: string, purpose: AccountTokenPurpose, keepId: string): Promise<void> {
    deleteRows(this.rows, (row) => row.userId === userId && row.purpose === purpose && !row.usedAt && row.id !== keepId);
  }

  async listLive(userId: string, purpose: AccountTokenPurpose, now: Date): Promise<Pick<AccountToken, 'subject' | 'expiresAt'>[]> {
    return [...this.rows.values()]
      .filter((row) => row.userId === userId && row.purpose === purpose && !row.usedAt && row.expiresAt > now)
      .sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime())
      .map((row) => ({ subject: row.subject, expiresAt: row.expiresAt }));
  }

  async voidUnused(userId: string, purposes: readonly AccountTokenPurpose[]): Promise<Pick<AccountToken, 'purpose' | 'subject'>[]> {
    const gone: Pick<AccountToken, 'purpose' | 'subject'>[] = [];
    deleteRows(this.rows, (row) => {
      const hit = row.userId === userId && purposes.includes(row.purpose) && !row.usedAt;
      if (hit) gone.push({ purpose: row.purpose, subject: row.subject });
      return hit;
    });
    return gone;
  }

  async consume(tokenHash: string, purpose: AccountTokenPurpose, now: Date): Promise<AccountToken | null> {
    for (const row of this.rows.values()) {
      if (row.tokenHash !== tokenHash || row.purpose !== purpose || row.usedAt || row.expiresAt <= now) continue;
      row.usedAt = now;
      return copy(row);
    }
    return null;
  }

  async deleteForUser(userId: string): Promise<void> {
    deleteRows(this.rows, (row) => row.userId === userId);
  }
}

export class MemoryFederatedIdentityRepository implements FederatedIdentityRepository {
  constructor(private readonly db: MemoryDatabase, private readonly guard: Guard = () => {}) {}

  async create(identity: NewFederatedIdentity): Promise<boolean> {
    this.guard();
    this.db.assertUserExists(identity.userId, 'FederatedIdentity');
    const rows = [...this.db.tables.federatedIdentities.values()];
    if (rows.some((r) => (r.provider === identity.provider && r.subject === identity.subject) || (r.userId === identity.userId && r.provider === identity.provider))) return false;
    this.db.tables.federatedIdentities.set(identity.id, { ...identity, createdAt: identity.createdAt ?? this.db.clock.now() });
    return true;
  }

  async findBySubject(provider: string, subject: string): Promise<FederatedIdentity | null> {
    this.guard();
    const row = [...this.db.tables.federatedIdentities.values()].find((r) => r.provider === provider && r.subject === subject);
    return row ? structuredClone(row) : null;
  }

  async listForUser(userId: string): Promise<FederatedIdentity[]> {
    this.guard();
    return [...this.db.tables.federatedIdentities.values()].filter((r) => r.userId === userId).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()).map((r) => structuredClone(r));
  }

  async delete(userId: string, provider: string): Promise<boolean> {
    this.guard();
    const row = [...this.db.tables.federatedIdentities.values()].find((r) => r.userId === userId && r.provider === provider);
    return row ? this.db.tables.federatedIdentities.delete(row.id) : false;
  }

  async deleteAll(userId: string): Promise<number> {
    this.guard();
    const rows = [...this.db.tables.federatedIdentities.values()].filter((r) => r.userId === userId);
    for (const r of rows) this.db.tables.federatedIdentities.delete(r.id);
    return rows.length;
  }
}

export class MemoryKnownCountryRepository implements KnownCountryRepository {
  constructor(private readonly db: MemoryDatabase, private readonly guard: Guard = () => {}) {}

  async list(userId: string): Promise<{ countryCode: string; lastSeenAt: Date }[]> {
    return [...this.db.tables.knownCountries.entries()]
      .filter(([k]) => k.startsWith(`${userId} `))
      .map(([k, at]) => ({ countryCode: k.slice(userId.length + 1), lastSeenAt: new Date(at) }))
      .sort((a, b) => b.lastSeenAt.getTime() - a.lastSeenAt.getTime());
  }

  async remember(userId: string, countryCode: string, now: Date): Promise<'new' | 'first' | 'known'> {
    this.guard();
    this.db.assertUserExists(userId, 'KnownCountry');
    const rows = this.db.tables.knownCountries;
    const id = `${userId} ${countryCode}`;
    const known = rows.has(id);
    const any = [...rows.keys()].some((k) => k.startsWith(`${userId} `));
    rows.set(id, new Date(now));
    return known ? 'known' : any ? 'new' : 'first';
  }

  async deleteForUser(userId: string): Promise<void> {
    for (const k of [...this.db.tables.knownCountries.keys()]) if (k.startsWith(`${userId} `)) this.db.tables.knownCountries.delete(k);
  }
}

export class MemoryKnownDeviceRepository implements KnownDeviceRepository {
  constructor(private readonly db: MemoryDatabase, private readonly guard: Guard = () => {}) {}

  async remember(userId: string, key: string, now: Date): Promise<'new' | 'first' | 'known'> {
    this.guard();
    const rows = this.db.tables.knownDevices;
    this.db.assertUserExists(userId, 'KnownDevice');
    const id = `${userId} ${key}`;
    const known = rows.has(id);
    const any = [...rows.keys()].some((k) => k.startsWith(`${userId} `));
    rows.set(id, now);
    return known ? 'known' : any ? 'new' : 'first';
  }

  async deleteForUser(userId: string): Promise<void> {
    this.guard();
    const rows = this.db.tables.knownDevices;
    for (const id of [...rows.keys()]) if (id.startsWith(`${userId} `)) rows.delete(id);
  }
}

export function createMemoryRepositories(db: MemoryDatabase, guard: Guard): Repositories {
  return {
    users: new MemoryUserRepository(db, guard),
    sessions: new MemorySessionRepository(db, guard),
    mfaChallenges: new MemoryMfaChallengeRepository(db, guard),
    backupCodes: new MemoryBackupCodeRepository(db, guard),
    trustedDevices: new MemoryTrustedDeviceRepository(db, guard),
    audit: new MemoryAuditRepository(db, guard),
    mail: new MemoryMailOutbox(db, guard),
    accountTokens: new MemoryAccountTokenRepository(db, guard),
    knownDevices: new MemoryKnownDeviceRepository(db, guard),
    passkeys: new MemoryPasskeyRepository(db, guard),
    webauthnChallenges: new MemoryWebAuthnChallengeRepository(db, guard),
    knownCountries: new MemoryKnownCountryRepository(db, guard),
    federatedIdentities: new MemoryFederatedIdentityRepository(db, guard),
    roles: new MemoryRoleRepository(db, guard),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Unit of work

interface Transaction {
  open: boolean;
}

export class MemoryUnitOfWork implements UnitOfWork {
  /**
   * Auto-commit repositories: each call is its own one-statement transaction (serialized with run(), and
   * rolled back if it throws). Calling them inside run() throws: in production that would be a second
   * connection outside the transaction (a deadlock on PGlite's single connection).
   */
  readonly direct: Repositories;
  /** How many transactions committed / rolled back (handy to assert that a failure left nothing behind). */
  readonly stats = { committed: 0, rolledBack: 0 };
  private queue: Promise<void> = Promise.resolve();
  private readonly current = new AsyncLocalStorage<Transaction>();

  constructor(readonly db: MemoryDatabase = new MemoryDatabase()) {
    const repos = createMemoryRepositories(db, () => {});
    this.direct = {
      users: this.autoCommit(repos.users),
      sessions: this.autoCommit(repos.sessions),
      mfaChallenges: this.autoCommit(repos.mfaChallenges),
      backupCodes: this.autoCommit(repos.backupCodes),
      trustedDevices: this.autoCommit(repos.trustedDevices),
      audit: this.autoCommit(repos.audit),
      mail: this.autoCommit(repos.mail),
      accountTokens: this.autoCommit(repos.accountTokens),
      knownDevices: this.autoCommit(repos.knownDevices),
      passkeys: this.autoCommit(repos.passkeys),
      webauthnChallenges: this.autoCommit(repos.webauthnChallenges),
      knownCountries: this.autoCommit(repos.knownCountries),
      federatedIdentities: this.autoCommit(repos.federatedIdentities),
      roles: this.autoCommit(repos.roles),
    };
  }

  run<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    this.refuseNesting('run()');
    return this.exclusive(async () => {
      const tx: Transaction = { open: true };
      const repos = createMemoryRepositories(this.db, () => {
        if (!tx.open) throw new Error('MemoryUnitOfWork: repository used after its transaction ended');
      });
      try {
        return await this.current.run(tx, () => work(repos));
      } finally {
        tx.open = false;
      }
    });
  }

  private autoCommit<R extends object>(repo: R): R {
    return new Proxy(repo, {
      get: (target, prop, receiver) => {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          this.refuseNesting(`direct.${String(prop)}()`);
          return this.exclusive(() => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
        };
      },
    });
  }

  private refuseNesting(what: string): void {
    if (this.current.getStore()?.open) {
      throw new Error(`MemoryUnitOfWork: ${what} called inside run(); production would use a second connection outside the transaction`);
    }
  }

  /** One transaction at a time: a snapshot restore can then never undo another transaction's writes. */
  private async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.queue;
    let release!: () => void;
    this.queue = new Promise<void>((resolve) => (release = resolve));
    await previous;
    const snapshot = this.db.snapshot();
    try {
      const result = await fn();
      this.stats.committed += 1;
      return result;
    } catch (err) {
      this.db.restore(snapshot);
      this.stats.rolledBack += 1;
      throw err;
    } finally {
      release();
    }
  }
}
