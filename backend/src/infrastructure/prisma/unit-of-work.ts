// Unit of work on Prisma interactive transactions: every repository handed to `work` runs on the same
// transaction, so a change and the audit event that records it commit or roll back together.
import type { Repositories, UnitOfWork } from '../../domain/ports';
import type { Db, PrismaClient } from './client';
import { PrismaAuditRepository } from './audit.repository';
import { PrismaBackupCodeRepository } from './backup-code.repository';
import { PrismaMailOutbox } from './mail-outbox.repository';
import { PrismaAccountTokenRepository } from './account-token.repository';
import { PrismaKnownDeviceRepository } from './known-device.repository';
import { PrismaKnownCountryRepository } from './known-country.repository';
import type { SecretCipher } from '../../domain/two-factor.ports';
import { PrismaMfaChallengeRepository } from './mfa-challenge.repository';
import { PrismaFederatedIdentityRepository } from './federated-identity.repository';
import { PrismaPasskeyRepository, PrismaWebAuthnChallengeRepository } from './passkey.repository';
import { PrismaRoleRepository } from './role.repository';
import { PrismaSessionRepository } from './session.repository';
import { PrismaTrustedDeviceRepository } from './trusted-device.repository';
import type pg from 'pg';
import type { ProfileCache } from '../cache/profile-cache';
import { PrismaUserRepository } from './user.repository';
import type { NewAuditEvent } from '../../domain/types';
import type { RepositoryObserver } from '../observability/repository-observer';

/** Repositories bound to a client or to a transaction client. */
export function createRepositories(
  db: Db,
  cache: ProfileCache | null = null,
  touched: Set<string> | null = null,
  /** The pool under `db`, for statements that bypass Prisma on hot paths; only outside transactions. */
  pool: pg.Pool | null = null,
  /** Encrypts queued mail (its parameters may hold link tokens); without one, queuing mail throws. */
  mailCipher: SecretCipher | null = null,
  /** Metrics: audit events (`audited` may buffer them until a commit) and rotations. */
  observer: Pick<RepositoryObserver, 'rotated'> & { audited: (e: NewAuditEvent) => void } | null = null,
): Repositories {
  return {
    users: new PrismaUserRepository(db, cache, touched),
    sessions: new PrismaSessionRepository(db, pool, observer ? () => observer.rotated() : null),
    mfaChallenges: new PrismaMfaChallengeRepository(db),
    backupCodes: new PrismaBackupCodeRepository(db),
    trustedDevices: new PrismaTrustedDeviceRepository(db),
    audit: new PrismaAuditRepository(db, observer ? (e) => observer.audited(e) : null),
    mail: new PrismaMailOutbox(db, mailCipher),
    accountTokens: new PrismaAccountTokenRepository(db),
    knownDevices: new PrismaKnownDeviceRepository(db),
    passkeys: new PrismaPasskeyRepository(db),
    webauthnChallenges: new PrismaWebAuthnChallengeRepository(db),
    knownCountries: new PrismaKnownCountryRepository(db),
    federatedIdentities: new PrismaFederatedIdentityRepository(db),
    roles: new PrismaRoleRepository(db),
  };
}

export interface UnitOfWorkOptions {
  /** Max ms to wait for a pool connection to start the transaction (Prisma default 2000). */
  maxWait?: number;
  /** Max ms the transaction may run before Prisma rolls it back (Prisma default 5000). */
  timeout?: number;
}

export class PrismaUnitOfWork implements UnitOfWork {
  readonly direct: Repositories;

  constructor(
    private readonly client: PrismaClient,
    // Generous maxWait: with a small pool (PGlite runs with one connection) transactions queue for it.
    private readonly options: UnitOfWorkOptions = { maxWait: 10_000, timeout: 10_000 },
    private readonly cache: ProfileCache | null = null,
    pool: pg.Pool | null = null,
    private readonly mailCipher: SecretCipher | null = null,
    private readonly observer: RepositoryObserver | null = null,
  ) {
    this.direct = createRepositories(client, cache, null, pool, mailCipher, observer);
  }

  async run<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    const touched = new Set<string>();
    const observer = this.observer;
    // Audit events written in the transaction are told only once it has committed (a rollback drops them).
    const audited: NewAuditEvent[] = [];
    const buffered = observer ? { rotated: () => observer.rotated(), audited: (e: NewAuditEvent) => void audited.push(e) } : null;
    try {
      const result = await this.client.$transaction((tx) => work(createRepositories(tx, this.cache, touched, null, this.mailCipher, buffered)), this.options);
      for (const e of audited) observer?.audited(e);
      return result;
    } finally {
      // After commit (or rollback): drop anything a concurrent read re-cached while the transaction ran.
      this.cache?.invalidate(touched);
    }
  }
}
