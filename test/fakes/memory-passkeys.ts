// In-memory passkey and WebAuthn-challenge repositories, held to the Prisma adapters by
// test/contracts/repositories.contract.ts like every other fake (see memory-repositories.ts).
import type { PasskeyRepository, WebAuthnChallengeRepository } from '../../backend/src/domain/passkeys/ports';
import type { NewPasskey, NewWebAuthnChallenge, Passkey, WebAuthnChallenge, WebAuthnPurpose } from '../../backend/src/domain/passkeys/types';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What MemoryDatabase gives these repositories: its tables, clock and user foreign-key check. */
export interface PasskeyTablesHost {
  tables: { passkeys: Map<string, Passkey>; webauthnChallenges: Map<string, WebAuthnChallenge> };
  clock: { now(): Date };
  assertUserExists(userId: string, table: string): void;
}

type Guard = () => void;

const copy = <T>(v: T): T => structuredClone(v);

export class MemoryPasskeyRepository implements PasskeyRepository {
  constructor(private readonly db: PasskeyTablesHost, private readonly guard: Guard = () => {}) {}

  private get rows(): Map<string, Passkey> {
    this.guard();
    return this.db.tables.passkeys;
  }

  async create(p: NewPasskey): Promise<boolean> {
    const rows = this.rows;
    this.db.assertUserExists(p.userId, 'Passkey');
    for (const row of rows.values()) if (row.credentialId === p.credentialId) return false;
    rows.set(p.id, { ...copy(p), publicKey: new Uint8Array(p.publicKey), transports: [...p.transports], lastUsedAt: null, createdAt: this.db.clock.now() });
    return true;
  }

  async findByCredentialId(credentialId: string): Promise<Passkey | null> {
    for (const row of this.rows.values()) if (row.credentialId === credentialId) return copy(row);
    return null;
  }

  async listForUser(userId: string): Promise<Passkey[]> {
    return [...this.rows.values()]
      .filter((r) => r.userId === userId)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id))
      .map(copy);
  }

  async countForUser(userId: string): Promise<number> {
    return [...this.rows.values()].filter((r) => r.userId === userId).length;
  }

  async rename(userId: string, id: string, name: string): Promise<Passkey | null> {
    const row = UUID_RE.test(id) ? this.rows.get(id) : undefined;
    if (!row || row.userId !== userId) return null;
    row.name = name;
    return copy(row);
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const row = UUID_RE.test(id) ? this.rows.get(id) : undefined;
    if (!row || row.userId !== userId) return false;
    return this.rows.delete(id);
  }

  async deleteAll(userId: string): Promise<number> {
    let n = 0;
    for (const [id, row] of this.rows) if (row.userId === userId && this.rows.delete(id)) n++;
    return n;
  }

  async recordUse(id: string, counter: number, backedUp: boolean, now: Date): Promise<void> {
    const row = this.rows.get(id);
    if (!row) return;
    row.counter = counter;
    row.backedUp = backedUp;
    row.lastUsedAt = now;
  }
}

export class MemoryWebAuthnChallengeRepository implements WebAuthnChallengeRepository {
  constructor(private readonly db: PasskeyTablesHost, private readonly guard: Guard = () => {}) {}

  private get rows(): Map<string, WebAuthnChallenge> {
    this.guard();
    return this.db.tables.webauthnChallenges;
  }

  async create(c: NewWebAuthnChallenge): Promise<void> {
    const rows = this.rows;
    for (const row of rows.values()) if (row.challengeHash === c.challengeHash) throw new Error('memory db: WebAuthnChallenge.challengeHash is unique');
    rows.set(c.id, { ...copy(c), consumedAt: null });
  }

  async consume(challengeHash: string, purpose: WebAuthnPurpose, now: Date): Promise<WebAuthnChallenge | null> {
    for (const row of this.rows.values()) {
      if (row.challengeHash !== challengeHash || row.purpose !== purpose || row.consumedAt || row.expiresAt <= now) continue;
      row.consumedAt = now;
      return copy(row);
    }
    return null;
  }
}
