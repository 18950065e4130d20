// Ports of the OAuth client registry. Adapters: infrastructure/prisma (store), infrastructure/crypto
// (secrets), infrastructure/cache (the 5-minute client cache with cross-instance invalidation).
import type { NewAuditEvent } from '../types';
import type { NewOAuthClient, OAuthClient, OAuthClientPatch } from './types';

export interface OAuthClientStore {
  findByClientId(clientId: string): Promise<OAuthClient | null>;
  list(): Promise<OAuthClient[]>;
  /**
   * Each change is written together with the audit event that records it (one transaction).
   * create throws CLIENT_ID_TAKEN when the id exists; createIfMissing returns false instead.
   */
  create(client: NewOAuthClient, audit: NewAuditEvent): Promise<OAuthClient>;
  createIfMissing(client: NewOAuthClient): Promise<boolean>;
  update(clientId: string, patch: OAuthClientPatch, audit: NewAuditEvent): Promise<OAuthClient | null>;
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
