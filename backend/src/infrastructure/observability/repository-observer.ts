// What the persistence adapters tell the metrics about (issue 30): each audit event once it is committed, and
// each refresh-token rotation. Counting at the adapters keeps the domain free of metrics code and counts the
// same thing whatever entry point (HTTP, NATS, CLI) caused it.
import type { NewAuditEvent } from '../../domain/types';

export interface RepositoryObserver {
  /** An audit event that is committed (inside a unit of work: called after the commit, never on rollback). */
  audited(event: NewAuditEvent): void;
  /** A refresh token was rotated (the compare-and-set update matched). */
  rotated(): void;
}
