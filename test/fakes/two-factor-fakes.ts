// Minimal in-memory fakes for TwoFactorService tests: users, backup codes and audit events behind a
// UnitOfWork that rolls back on error (like a database transaction), plus a settable clock and trivial
// cipher / QR adapters. Session and MFA-challenge repositories are not needed here and throw when used.
import type { Clock, Repositories, UnitOfWork } from '../../backend/src/domain/ports';
import type { QrCodeRenderer, SecretCipher } from '../../backend/src/domain/two-factor.ports';
import type { AuditEvent, BackupCode, User } from '../../backend/src/domain/types';

interface State {
  users: Map<string, User>;
  backupCodes: Map<string, BackupCode>;
  audit: AuditEvent[];
}

const unused = (name: string) =>
  new Proxy({}, { get: (_t, prop) => () => Promise.reject(new Error(`${name}.${String(prop)} is not faked`)) });

export class MemoryTwoFactorStore implements UnitOfWork {
  state: State = { users: new Map(), backupCodes: new Map(), audit: [] };
  /** When set, audit.record throws this (to prove changes and their audit events commit together). */
  failAuditWith: Error | null = null;
  private seq = 0;

  constructor(private readonly clock: Clock) {}

  addUser(partial: Partial<User> & Pick<User, 'id' | 'email' | 'passwordHash'>): User {
    const now = this.clock.now();
    const user: User = {
      username: null,
      role: 'user',
      status: 'active',
      failedLoginCount: 0,
      lockCount: 0,
      lockedUntil: null,
      twoFactorEnabled: false,
      totpSecretEncrypted: null,
      totpLastUsedStep: null,
      passwordChangedAt: null,
      createdAt: now,
      updatedAt: now,
      ...partial,
    };
    this.state.users.set(user.id, user);
    return structuredClone(user);
  }

  user(id: string): User {
    const u = this.state.users.get(id);
    if (!u) throw new Error(`no user ${id}`);
    return structuredClone(u);
  }

  codesOf(userId: string): BackupCode[] {
    return [...this.state.backupCodes.values()].filter((c) => c.userId === userId);
  }

  auditTypes(userId: string): string[] {
    return this.state.audit.filter((e) => e.userId === userId).map((e) => e.type);
  }

  /** Serialised like row locks would make them; a failure restores the state from before the work. */
  private queue: Promise<unknown> = Promise.resolve();

  run<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    const result = this.queue.then(async () => {
      const snapshot = structuredClone(this.state);
      try {
        return await work(this.repositories());
      } catch (err) {
        this.state = snapshot;
        throw err;
      }
    });
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Outside any transaction (single reads / single-row updates), as UnitOfWork.direct. */
  get direct(): Repositories {
    return this.repositories();
  }

  private repositories(): Repositories {
    const s = () => this.state;
    const touch = (id: string, change: (u: User) => void) => {
      const u = s().users.get(id);
      if (!u) throw new Error(`no user ${id}`);
      change(u);
      u.updatedAt = this.clock.now();
    };
    return {
      users: {
        findById: async (id) => (s().users.has(id) ? structuredClone(s().users.get(id)!) : null),
        findByEmail: async (email) => structuredClone([...s().users.values()].find((u) => u.email === email) ?? null),
        create: () => Promise.reject(new Error('users.create is not faked')),
        updatePassword: async (id, hash, at) => touch(id, (u) => ((u.passwordHash = hash), (u.passwordChangedAt = at))),
        setStatus: async () => null,
        setRole: async () => undefined,
        listByStatus: async () => [],
        recordLoginFailure: async (id) => {
          touch(id, (u) => (u.failedLoginCount += 1));
          const u = s().users.get(id)!;
          return { failedLoginCount: u.failedLoginCount, lockCount: u.lockCount };
        },
        lock: async (id, until) => touch(id, (u) => ((u.lockedUntil = until), (u.lockCount += 1), (u.failedLoginCount = 0))),
        resetLoginFailures: async (id) => touch(id, (u) => ((u.failedLoginCount = 0), (u.lockCount = 0), (u.lockedUntil = null))),
        // Clearing the secret also forgets the last used step (the Prisma adapter must do the same).
        setTotpSecret: async (id, secret, enabled) =>
          touch(id, (u) => {
            u.totpSecretEncrypted = secret;
            u.twoFactorEnabled = enabled;
            if (secret === null) u.totpLastUsedStep = null;
          }),
        advanceTotpStep: async (id, step) => {
          const u = s().users.get(id);
          if (!u || (u.totpLastUsedStep !== null && u.totpLastUsedStep >= step)) return false;
          u.totpLastUsedStep = step;
          return true;
        },
      },
      backupCodes: {
        listUnused: async (userId) => structuredClone([...s().backupCodes.values()].filter((c) => c.userId === userId && !c.usedAt)),
        replaceAll: async (userId, codes) => {
          for (const [id, c] of s().backupCodes) if (c.userId === userId) s().backupCodes.delete(id);
          for (const c of codes) s().backupCodes.set(c.id, { id: c.id, userId, codeHash: c.codeHash, usedAt: null });
        },
        markUsed: async (id, now) => {
          const c = s().backupCodes.get(id);
          if (!c || c.usedAt) return false;
          c.usedAt = now;
          return true;
        },
        deleteAll: async (userId) => {
          for (const [id, c] of s().backupCodes) if (c.userId === userId) s().backupCodes.delete(id);
        },
      },
      audit: {
        record: async (event) => {
          if (this.failAuditWith) throw this.failAuditWith;
          s().audit.push({ ...structuredClone(event), id: `audit-${++this.seq}`, createdAt: this.clock.now() });
        },
        listForUser: async (userId) => s().audit.filter((e) => e.userId === userId).reverse(),
      },
      sessions: unused('sessions') as Repositories['sessions'],
      mfaChallenges: unused('mfaChallenges') as Repositories['mfaChallenges'],
    };
  }
}

export class FakeClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  set(at: Date): void {
    this.current = new Date(at);
  }
  advance(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}

/** Reversible, obviously-not-plaintext stand-in for AES-GCM; refuses the wrong associated data. */
export class FakeSecretCipher implements SecretCipher {
  encrypt(plaintext: string, associatedData = ''): string {
    return `fake1.${Buffer.from(associatedData).toString('base64url')}.${Buffer.from(plaintext).reverse().toString('base64url')}`;
  }
  decrypt(ciphertext: string, associatedData = ''): string {
    const [version, aad, body] = ciphertext.split('.');
    if (version !== 'fake1' || aad !== Buffer.from(associatedData).toString('base64url') || body === undefined) {
      throw new Error('fake cipher: authentication failed');
    }
    return Buffer.from(body, 'base64url').reverse().toString('utf8');
  }
}

export class FakeQrCodeRenderer implements QrCodeRenderer {
  readonly rendered: string[] = [];
  async toDataUrl(text: string): Promise<string> {
    this.rendered.push(text);
    return `data:image/png;base64,${Buffer.from(text).toString('base64')}`;
  }
}

export class SequentialIds {
  private n = 0;
  uuid(): string {
    return `00000000-0000-4000-8000-${String(++this.n).padStart(12, '0')}`;
  }
}
