// PasskeyRepository and WebAuthnChallengeRepository on Prisma (tables Passkey and WebAuthnChallenge).
import type { PasskeyRepository, WebAuthnChallengeRepository } from '../../domain/passkeys/ports';
import type { NewPasskey, NewWebAuthnChallenge, Passkey, PasskeyDeviceType, WebAuthnChallenge, WebAuthnPurpose } from '../../domain/passkeys/types';
import type { Passkey as PasskeyRow, WebAuthnChallenge as ChallengeRow } from '../../generated/prisma/client';
import type { Db } from './client';
import { isUuid } from './mappers';

function toPasskey(r: PasskeyRow): Passkey {
  return {
    id: r.id,
    userId: r.userId,
    credentialId: r.credentialId,
    publicKey: new Uint8Array(r.publicKey),
    // An unsigned 32-bit counter: exact as a number.
    counter: Number(r.counter),
    transports: r.transports,
    deviceType: r.deviceType as PasskeyDeviceType,
    backedUp: r.backedUp,
    aaguid: r.aaguid,
    name: r.name,
    lastUsedAt: r.lastUsedAt,
    createdAt: r.createdAt,
  };
}

function toChallenge(r: ChallengeRow): WebAuthnChallenge {
  return {
    id: r.id,
    challengeHash: r.challengeHash,
    purpose: r.purpose as WebAuthnPurpose,
    userId: r.userId,
    sessionId: r.sessionId,
    mfaChallengeId: r.mfaChallengeId,
    expiresAt: r.expiresAt,
    consumedAt: r.consumedAt,
  };
}

export class PrismaPasskeyRepository implements PasskeyRepository {
  constructor(private readonly db: Db) {}

  async create(p: NewPasskey): Promise<boolean> {
    // ON CONFLICT DO NOTHING: a duplicate credential id must not abort the caller's transaction.
    const { count } = await this.db.passkey.createMany({
      data: [{ ...p, publicKey: Buffer.from(p.publicKey), counter: BigInt(p.counter) }],
      skipDuplicates: true,
    });
    return count === 1;
  }

  async findByCredentialId(credentialId: string): Promise<Passkey | null> {
    const row = await this.db.passkey.findUnique({ where: { credentialId } });
    return row ? toPasskey(row) : null;
  }

  async listForUser(userId: string): Promise<Passkey[]> {
    const rows = await this.db.passkey.findMany({ where: { userId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    return rows.map(toPasskey);
  }

  countForUser(userId: string): Promise<number> {
    return this.db.passkey.count({ where: { userId } });
  }

  async rename(userId: string, id: string, name: string): Promise<Passkey | null> {
    if (!isUuid(id)) return null;
    const { count } = await this.db.passkey.updateMany({ where: { id, userId }, data: { name } });
    if (count !== 1) return null;
    const row = await this.db.passkey.findUnique({ where: { id } });
    return row ? toPasskey(row) : null;
  }

  async delete(userId: string, id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const { count } = await this.db.passkey.deleteMany({ where: { id, userId } });
    return count === 1;
  }

  async deleteAll(userId: string): Promise<number> {
    const { count } = await this.db.passkey.deleteMany({ where: { userId } });
    return count;
  }

  async recordUse(id: string, counter: number, backedUp: boolean, now: Date): Promise<void> {
    await this.db.passkey.updateMany({ where: { id }, data: { counter: BigInt(counter), backedUp, lastUsedAt: now } });
  }
}

export class PrismaWebAuthnChallengeRepository implements WebAuthnChallengeRepository {
  constructor(private readonly db: Db) {}

  async create(c: NewWebAuthnChallenge): Promise<void> {
    await this.db.webAuthnChallenge.create({ data: c });
  }

  async consume(challengeHash: string, purpose: WebAuthnPurpose, now: Date): Promise<WebAuthnChallenge | null> {
    // The conditional UPDATE is the compare-and-set: of two concurrent uses exactly one gets the row.
    const { count } = await this.db.webAuthnChallenge.updateMany({
      where: { challengeHash, purpose, consumedAt: null, expiresAt: { gt: now } },
      data: { consumedAt: now },
    });
    if (count !== 1) return null;
    const row = await this.db.webAuthnChallenge.findUnique({ where: { challengeHash } });
    return row ? toChallenge(row) : null;
  }
}
