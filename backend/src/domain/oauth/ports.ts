// Ports of the OAuth client registry. Adapters: infrastructure/prisma (store), infrastructure/crypto
// (secrets), infrastructure/cache (the 5-minute client cache with cross-instance invalidation).
import type { NewAuditEvent } from '../types';
import type { Authorization, CodeIssue, ConnectedApp, Consent, NewAuthorization } from './authorization.types';
import type { DeviceAuthorization, NewDeviceAuthorization } from './device.types';
import type { NewOAuthClient, OAuthClient, OAuthClientStorePatch } from './types';

export interface OAuthClientStore {
  findByClientId(clientId: string): Promise<OAuthClient | null>;
  list(): Promise<OAuthClient[]>;
  /**
   * Each change is written together with the audit event that records it (one transaction).
   * create throws CLIENT_ID_TAKEN when the id exists; createIfMissing returns false instead.
   */
  create(client: NewOAuthClient, audit: NewAuditEvent): Promise<OAuthClient>;
  createIfMissing(client: NewOAuthClient): Promise<boolean>;
  update(clientId: string, patch: OAuthClientStorePatch, audit: NewAuditEvent): Promise<OAuthClient | null>;
  replaceSecret(
    clientId: string,
    secret: { secretHash: string; previousSecretHash: string | null; previousSecretExpiresAt: Date | null },
    audit: NewAuditEvent,
  ): Promise<OAuthClient | null>;
  count(): Promise<number>;
}

/** Client lookups on the token path: answers from memory for a while, forgets a client when it changes. */
export interface OAuthClientLookup {
  find(clientId: string): Promise<OAuthClient | null>;
  /** Drops the client here and on every other instance. */
  changed(clientId: string): Promise<void>;
}

/** Client secrets: high-entropy, generated here, stored as SHA-256, compared in constant time. */
export interface ClientSecrets {
  generate(): string;
  hash(secret: string): string;
  matches(secret: string, hash: string): boolean;
}

/**
 * The durable record of revoked client_credentials tokens (RevocationStore only remembers them in memory
 * and tells other instances): read back on start and by the revocation catch-up, so a restart does not
 * make a revoked token valid again before it expires.
 */
export interface ClientTokenRevocations {
  record(revocation: { tokenId: string; clientId: string; revokedAt: Date; expiresAt: Date }): Promise<void>;
  /** Revocations at or after `since` (inclusive, like SessionRepository.listRevokedSince). */
  listSince(since: Date): Promise<{ id: string; revokedAt: Date }[]>;
}

/**
 * Authorization requests and their codes (RFC 6749 §4.1). Every state change is a compare-and-set, so a code
 * is issued once per request and exchanged once, whatever runs concurrently.
 */
export interface AuthorizationStore {
  create(a: NewAuthorization): Promise<void>;
  /** The pending request named by the web app's handle (its SHA-256); null when unknown. */
  findByHandle(handleHash: string): Promise<Authorization | null>;
  /** Writes the code onto a request that has none yet; false when one was issued already. */
  issueCode(id: string, issue: CodeIssue): Promise<boolean>;
  /** Marks the code consumed and returns its request; null when unknown or already consumed. */
  consumeCode(codeHash: string, now: Date): Promise<Authorization | null>;
  findByCode(codeHash: string): Promise<Authorization | null>;
  /**
   * Records the session the code's tokens were issued in; false when a replay got there first (then the
   * caller ends that session). markReplayed stamps a consumed code as replayed and returns its session, if any.
   */
  setIssuedSession(id: string, sessionId: string): Promise<boolean>;
  markReplayed(id: string): Promise<string | null>;
}

/** Remembered consents (per user and client). */
export interface ConsentStore {
  find(userId: string, clientId: string): Promise<Consent | null>;
  /** Adds the scopes to the user's consent for the client (creating it). */
  grant(userId: string, clientId: string, scopes: string[], now: Date): Promise<void>;
  /** The user's consents with their client and its sessions' use, newest grant first. */
  listForUser(userId: string, now: Date): Promise<ConnectedApp[]>;
  /** Forgets the consent; false when there was none. */
  remove(userId: string, clientId: string): Promise<boolean>;
}

/** Signs OpenID Connect ID tokens (RS256, the access tokens' key, so the published JWKS verifies them). */
export interface IdTokenSigner {
  /** `claims` must hold iss, sub, aud, exp, iat; the header carries the key's kid and `typ` (default JWT). */
  sign(claims: Record<string, unknown>, typ?: string): Promise<string>;
  /**
   * The claims of an ID token this server signed (signature by a published key, RS256, our issuer), expired or
   * not: RP-Initiated Logout accepts an expired id_token_hint. Null for anything else.
   */
  verifyHint(token: string): Promise<Record<string, unknown> | null>;
}

/**
 * Fetches an OAuth Client ID Metadata Document with the SSRF defence (infrastructure/http): https only (http
 * from loopback only when private addresses are allowed), every resolved address public unless allowed, no
 * redirects, a size and a time limit. Throws ClientMetadataError with the reason on any refusal or failure.
 */
export interface ClientMetadataFetcher {
  fetch(url: string): Promise<{ document: unknown; maxAgeSeconds: number | null }>;
}

/**
 * Device authorizations (RFC 8628), found by the hash of either code. Every state change is a compare-and-set
 * on the status, so one decision and one token issue win whatever runs concurrently.
 */
export interface DeviceAuthorizationStore {
  create(d: NewDeviceAuthorization): Promise<void>;
  findByUserCode(userCodeHash: string): Promise<DeviceAuthorization | null>;
  findByDeviceCode(deviceCodeHash: string): Promise<DeviceAuthorization | null>;
  /** pending → approved/denied; false when it was decided already. */
  decide(id: string, decision: { status: 'approved' | 'denied'; userId: string; browserSessionId: string; decidedAt: Date }): Promise<boolean>;
  /** Remembers a poll (and the interval a slow_down raised). */
  recordPoll(id: string, polledAt: Date, interval: number): Promise<void>;
  /** approved → consumed; false when another request consumed it first. */
  consume(id: string): Promise<boolean>;
  setIssuedSession(id: string, sessionId: string): Promise<void>;
}
