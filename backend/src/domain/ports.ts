// Ports: the capabilities the domain needs, named for what they do. Adapters in infrastructure/ implement
// them for a technology (Prisma, bcrypt, jsonwebtoken, Redis...). `findX` returns null when absent.

import type {
  AccessClaims,
  ActiveSession,
  AuditEvent,
  BackupCode,
  ClientAccessClaims,
  DeviceInfo,
  IpLocation,
  MfaChallenge,
  NewAuditEvent,
  NewSession,
  NewUser,
  RevokeReason,
  RotatedSession,
  Role,
  Session,
  TrustedDevice,
  User,
  UserProfile,
  UserStatus,
} from './types';
import type { MailOutbox } from './mail';
import type { PasskeyRepository, WebAuthnChallengeRepository } from './passkeys/ports';
import type { FederatedIdentityRepository } from './federation/ports';
import type { RoleRepository } from './roles/ports';
import type { AccountToken, AccountTokenPurpose, AccountTokenReplacement, DeviceIdentity, NewAccountToken, RequestContext } from './types';

export interface UserRepository {
  findById(id: string): Promise<User | null>;
  /** Only the profile columns: the hot path of GET /me never loads a hash or secret. */
  findProfile(id: string): Promise<UserProfile | null>;
  findByEmail(email: string): Promise<User | null>;
  /** Throws EMAIL_TAKEN when the (lower-cased) email exists. */
  create(user: NewUser): Promise<User>;
  updatePassword(id: string, passwordHash: string, changedAt: Date): Promise<void>;
  setStatus(id: string, status: UserStatus): Promise<User | null>;
  setRole(id: string, role: Role): Promise<void>;
  /** The display name given at sign-up, changed or (null) removed by its owner. */
  setUsername(id: string, username: string | null): Promise<void>;
  /** A sign-in opened a session: lastLoginAt = `at`. */
  recordLogin(id: string, at: Date): Promise<void>;
  listByStatus(status: UserStatus, limit: number): Promise<User[]>;
  /** Users whose email or username contains `text` (case-insensitive), or whose id is `text`; by email. */
  search(text: string, limit: number): Promise<User[]>;
  /**
   * The admin console's find (issue 28): every filter given must hold — `text` as in search, `status`, and
   * `role` held as User.role or a granted role. Not deleted; by email, then id; `offset` rows skipped.
   */
  find(criteria: { text?: string; status?: UserStatus; role?: string }, limit: number, offset: number): Promise<User[]>;
  /** Atomically counts one failed attempt and returns the new state (lockout policy decides what follows). */
  recordLoginFailure(id: string): Promise<{ failedLoginCount: number; lockCount: number }>;
  lock(id: string, until: Date): Promise<void>;
  resetLoginFailures(id: string): Promise<void>;
  setTotpSecret(id: string, encryptedSecret: string | null, enabled: boolean): Promise<void>;
  /** Compare-and-set: stores `step` only when it is greater than the stored one. False = replay. */
  advanceTotpStep(id: string, step: number): Promise<boolean>;
  /**
   * Account deletion: the row becomes a tombstone — email replaced by one that cannot receive mail (so the
   * address can register again), no name, no usable password, 2FA off, status disabled, deletedAt set.
   * False when there was no live account to delete.
   */
  anonymise(id: string, now: Date): Promise<boolean>;
  setEmailVerified(id: string): Promise<void>;
  /** The new (canonical) address, verified. Throws EMAIL_TAKEN when another account has it. */
  changeEmail(id: string, email: string): Promise<void>;
}

export interface AccountTokenRepository {
  /** Stores a token after deleting the user's unused tokens of that purpose that it replaces (see AccountTokenReplacement). */
  issue(token: NewAccountToken, replaces: AccountTokenReplacement): Promise<void>;
  /** The user's unused, unexpired tokens of `purpose`, newest expiry last (the account page shows a pending change). */
  listLive(userId: string, purpose: AccountTokenPurpose, now: Date): Promise<Pick<AccountToken, 'subject' | 'expiresAt'>[]>;
  /** Deletes the user's unused tokens of `purpose` except `keepId` (a confirmed address change voids the other links). */
  discardUnused(userId: string, purpose: AccountTokenPurpose, keepId: string): Promise<void>;
  /**
   * Deletes the user's unused tokens of these purposes (a credential change or a sign-out everywhere voids
   * the links already mailed) and returns what they were, so the caller can tell a pending change of address.
   */
  voidUnused(userId: string, purposes: readonly AccountTokenPurpose[]): Promise<Pick<AccountToken, 'purpose' | 'subject'>[]>;
  /** Atomically marks a live token of `purpose` used and returns it; null when unknown, used or expired. */
  consume(tokenHash: string, purpose: AccountTokenPurpose, now: Date): Promise<AccountToken | null>;
  /** Account deletion: the user's mailed tokens go (a verification token's subject is an address). */
  deleteForUser(userId: string): Promise<void>;
}

export interface KnownDeviceRepository {
  /**
   * Records a sign-in from a device. 'new': the account had devices, not this one; 'first': the account had
   * none (its first sign-in, nothing to warn about); 'known': seen before.
   */
  remember(userId: string, key: string, now: Date): Promise<'new' | 'first' | 'known'>;
  /** Account deletion: the device fingerprints go too. */
  deleteForUser(userId: string): Promise<void>;
}

/** Countries an account has signed in from (issue 33). */
export interface KnownCountryRepository {
  /** Every country of the account with when it was last used, most recent first. */
  list(userId: string): Promise<{ countryCode: string; lastSeenAt: Date }[]>;
  /**
   * Records a sign-in from the country in one atomic step: 'first' = the account's first country, 'new' = a
   * country it never used while it had others, 'known' = used before (lastSeenAt moves on). Of two concurrent
   * calls for one new country exactly one gets 'new' (or 'first'), the other 'known'.
   */
  remember(userId: string, countryCode: string, now: Date): Promise<'new' | 'first' | 'known'>;
  /** Account deletion: where the account signed in from goes too. */
  deleteForUser(userId: string): Promise<void>;
}

/** Tells devices apart for new-device alerts (browser and OS families, coarse network). */
export interface DeviceIdentifier {
  identify(ctx: RequestContext): DeviceIdentity;
}

export interface SessionRepository {
  create(session: NewSession): Promise<Session>;
  findById(id: string): Promise<Session | null>;
  /** Finds a session by current or previous refresh-token hash (reuse detection needs both). */
  findByRefreshTokenHash(hash: string): Promise<{ session: Session; matched: 'current' | 'previous' } | null>;
  /**
   * Atomic rotation: only succeeds while `oldHash` is still current and the session live at `now`.
   * Two concurrent calls with the same token: exactly one gets the session, the other null.
   * The old hash is kept as rotated (reuse detection); the new idle expiry is capped at the absolute one.
   * Only a session of `clientId` (null = no OAuth client) rotates: a token bound to another client does not.
   */
  rotate(oldHash: string, newHash: string, now: Date, idleExpiresAt: Date, clientId?: string | null): Promise<RotatedSession | null>;
  /** Live sessions of the user, most recently active first (id breaks ties). */
  /**
   * The user's live device sessions, newest first. Sessions issued from one (parentSessionId: an app's code-flow
   * session) are not listed: they are the apps' ("Connected apps"), end with their parent, and neither count
   * towards MAX_SESSIONS_PER_USER nor are evicted by it.
   */
  listActive(userId: string, now: Date): Promise<ActiveSession[]>;
  /** Sets the assurance level of a live session (a second factor was proved in it); false when not live. */
  setAal(sessionId: string, aal: number, now: Date): Promise<boolean>;
  /**
   * Revokes live sessions matching the filter, and in the same statement the live sessions whose
   * parentSessionId is one of them (authorization-code sessions end with the sign-in that granted them);
   * returns every id revoked by this call. The Prisma statement also queues the OIDC back-channel logout of
   * every ended session whose client has a backchannel_logout_uri (infrastructure/events/backchannel-logout-relay.ts).
   */
  revoke(filter: { sessionId?: string; userId?: string; exceptSessionId?: string; clientId?: string }, reason: RevokeReason, now: Date): Promise<string[]>;
  /** Ids of sessions revoked after `since` (warms the revocation cache on start). */
  listRevokedSince(since: Date): Promise<{ id: string; revokedAt: Date }[]>;
  /** Sets the user's label of one of their live sessions and returns it; null when there is no such live session. */
  rename(userId: string, sessionId: string, name: string | null, now: Date): Promise<Session | null>;
  /**
   * Stamps lastSeenAt/lastSeenIp, only when the stored lastSeenAt is null or at or before `staleBefore`:
   * one cheap conditional UPDATE, so several instances together still write at most once per interval.
   * `location`: that IP's location (all null when it has none); absent = leave the stored one.
   */
  touch(sessionId: string, ipAddress: string | null, now: Date, staleBefore: Date, location?: SessionLocation): Promise<boolean>;
  /** Account deletion: wipes device data (user agent, IPs, names, browser, OS) from every session of the user. */
  anonymiseForUser(userId: string): Promise<void>;
}

export interface MfaChallengeRepository {
  create(challenge: Omit<MfaChallenge, 'attempts' | 'consumedAt' | 'createdAt'>): Promise<MfaChallenge>;
  findByTokenHash(hash: string): Promise<MfaChallenge | null>;
  /** Atomically marks the challenge consumed; false when it was already consumed. */
  consume(id: string, now: Date): Promise<boolean>;
  recordAttempt(id: string): Promise<number>;
  /** Account deletion: drops the user's challenges (they hold IPs and user agents). */
  deleteForUser(userId: string): Promise<void>;
}

export interface BackupCodeRepository {
  listUnused(userId: string): Promise<BackupCode[]>;
  replaceAll(userId: string, codes: { id: string; codeHash: string }[]): Promise<void>;
  /** Marks one code used; false when it was used concurrently. */
  markUsed(id: string, now: Date): Promise<boolean>;
  deleteAll(userId: string): Promise<void>;
}

export interface TrustedDeviceRepository {
  create(device: Omit<TrustedDevice, 'lastUsedAt' | 'createdAt'>): Promise<TrustedDevice>;
  /** The unexpired device of this user with this token hash, or null. */
  findLive(userId: string, tokenHash: string, now: Date): Promise<TrustedDevice | null>;
  /** Records a sign-in through the device. */
  touch(id: string, sessionId: string, now: Date): Promise<void>;
  /** Unexpired devices of the user, most recently created first. */
  listLive(userId: string, now: Date): Promise<TrustedDevice[]>;
  /** Deletes one device of the user; false when there is none with that id. */
  delete(userId: string, id: string): Promise<boolean>;
  /** Deletes every device of the user; returns how many. */
  deleteAll(userId: string): Promise<number>;
}

export interface AuditRepository {
  record(event: NewAuditEvent): Promise<void>;
  listForUser(userId: string, opts: { limit: number; before?: { createdAt: Date; id: string } }): Promise<AuditEvent[]>;
  /** Account deletion: removes IP address and user agent from every audit row of the user (rows and ids stay). */
  anonymiseForUser(userId: string): Promise<void>;
}

/** The repositories bound to one transaction. */
export interface Repositories {
  users: UserRepository;
  sessions: SessionRepository;
  mfaChallenges: MfaChallengeRepository;
  backupCodes: BackupCodeRepository;
  trustedDevices: TrustedDeviceRepository;
  audit: AuditRepository;
  /** Outgoing mail, queued with the change it tells about (sent later by the mail relay). */
  mail: MailOutbox;
  accountTokens: AccountTokenRepository;
  knownDevices: KnownDeviceRepository;
  passkeys: PasskeyRepository;
  webauthnChallenges: WebAuthnChallengeRepository;
  knownCountries: KnownCountryRepository;
  /** Upstream identities linked to accounts (federated sign-in, docs/federation.md). */
  federatedIdentities: FederatedIdentityRepository;
  roles: RoleRepository;
}

/** Where a session is, as stored on it; `touch` moves it with the last-seen IP when given. */
export type SessionLocation = Pick<Session, 'countryCode' | 'city' | 'region'>;

/** Runs work atomically: an audit event is written in the same transaction as the change it records. */
export interface UnitOfWork {
  run<T>(work: (repos: Repositories) => Promise<T>): Promise<T>;
  /**
   * Repositories outside any transaction, for single-statement reads and atomic single-row updates on hot
   * paths (/me, refresh rotation): a transaction there would add BEGIN/COMMIT round-trips for nothing.
   */
  readonly direct: Repositories;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /**
   * `signal`: the request was abandoned (its client hung up). A check still waiting for the CPU may then
   * be skipped, rejecting with `signal.reason` (an AbortError): nobody is left to tell, nothing was decided.
   */
  verify(password: string, hash: string, signal?: AbortSignal): Promise<boolean>;
  /** Same cost as verify against a real hash, for unknown users (no enumeration by timing). */
  verifyDummy(password: string, signal?: AbortSignal): Promise<false>;
}

/** How a token issued at /oauth/token differs from a first-party one. */
export interface AccessTokenOptions {
  /** RFC 8707: `aud` is this registered resource instead of our own audience. */
  audience?: string | null;
  /** RFC 9068 §2.1: the `typ` header of an OAuth access token. Absent: `JWT` (first-party tokens, unchanged). */
  typ?: 'at+jwt';
}

export interface AccessTokenSigner {
  sign(claims: Omit<AccessClaims, 'iat' | 'exp' | 'iss' | 'aud' | 'jti'> | ClientAccessClaims, ttlSeconds: number, options?: AccessTokenOptions): Promise<string>;
  /**
   * Verifies signature, algorithm, issuer, audience, expiry. Throws INVALID_TOKEN / TOKEN_EXPIRED. The audience
   * is this server's own unless `anyResource`: then a token for a registered resource (RFC 8707) passes too
   * (introspection and revocation answer for those; this server's own APIs never accept them).
   */
  verify(token: string, options?: { anyResource?: boolean }): AccessClaims;
}

/** Fast, in-process view of revoked sessions so authenticated requests need no database round-trip. */
export interface RevocationStore {
  /**
   * Whether the session was revoked. Throws SERVICE_UNAVAILABLE (fail closed) when this instance has lost
   * the revocation feed for longer than its bound and so cannot vouch for its view.
   */
  isRevoked(sessionId: string): boolean;
  /**
   * Marks sessions revoked here and tells other instances. Never fails once the revocation has committed:
   * a lost broadcast is made up by the other instances reading revocations back from the database.
   */
  revoke(sessionIds: string[]): Promise<void>;
}

/**
 * Locates an IP address offline (an MMDB file read in process). Null for private, loopback, reserved and
 * unknown addresses: no location is better than a wrong one.
 */
export interface IpLocator {
  locate(ipAddress: string | null): IpLocation | null;
}

export interface UserAgentParser {
  parse(userAgent: string | null): DeviceInfo;
}

export interface TokenGenerator {
  /** 256-bit random opaque token, URL-safe. */
  opaqueToken(): string;
  /**
   * The refresh token that replaces `token` on rotation: unguessable without the server key, and the same
   * every time for the same token (so replays inside the grace window get the same successor).
   */
  successorToken(token: string): string;
  /** SHA-256 hex of a token: what we store. */
  hashToken(token: string): string;
  uuid(): string;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
