// bcrypt password hashing. bcrypt ignores input past 72 bytes, so the password is first NFKC-normalised,
// then SHA-256 pre-hashed and base64-encoded (44 ASCII bytes, no NUL): long passwords are never truncated.
import bcrypt from 'bcrypt';
import { createHash } from 'node:crypto';
import type { PasswordHasher } from '../../domain/ports';
import type { BcryptProcessPool } from './bcrypt-process-pool';
import { abortReason } from './bcrypt-process-pool';
import { normalizePassword } from '../../domain/password-policy';

function prehash(password: string): string {
  return createHash('sha256').update(normalizePassword(password), 'utf8').digest('base64');
}

const BCRYPT_HASH = /^\$2[aby]\$/;

export class BcryptPasswordHasher implements PasswordHasher {
  private readonly dummyHash: string;

  /** With a pool, hashing runs in niced child processes (see bcrypt-process-pool.ts); else on libuv threads. */
  constructor(private readonly cost: number, private readonly pool: BcryptProcessPool | null = null) {
    // Hash of a random value at the configured cost: comparing against it takes as long as a real check.
    this.dummyHash = bcrypt.hashSync(prehash(String(Math.random())), cost);
  }

  hash(password: string): Promise<string> {
    const data = prehash(password);
    if (this.pool) return this.pool.run({ op: 'hash', data, cost: this.cost }) as Promise<string>;
    return bcrypt.hash(data, this.cost);
  }

  async verify(password: string, hash: string, signal?: AbortSignal): Promise<boolean> {
    // No bcrypt hash (an account made by a federated sign-in): nothing matches, after as long as a real check.
    if (!BCRYPT_HASH.test(hash)) return this.verifyDummy(password, signal);
    return this.compare(prehash(password), hash, signal);
  }

  async verifyDummy(password: string, signal?: AbortSignal): Promise<false> {
    await this.compare(prehash(password), this.dummyHash, signal);
    return false;
  }

  /** `signal`: the pool drops the compare if it fires while the job still waits for a child. */
  private compare(data: string, hash: string, signal?: AbortSignal): Promise<boolean> {
    if (this.pool) return this.pool.run({ op: 'compare', data, hash }, signal) as Promise<boolean>;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return bcrypt.compare(data, hash);
  }
}
