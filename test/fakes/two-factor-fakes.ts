// Test doubles for TwoFactorService's own ports (the repositories, unit of work and clock come from
// memory-repositories.ts): a reversible stand-in cipher, a recording QR renderer, sequential UUIDs, and a
// unit-of-work wrapper whose audit writes can be made to fail (to prove changes commit with their audit).
import type { Repositories, UnitOfWork } from '../../backend/src/domain/ports';
import type { QrCodeRenderer, SecretCipher } from '../../backend/src/domain/two-factor.ports';

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

/** Valid, predictable UUIDs (the memory repositories refuse non-UUID ids, as PostgreSQL would). */
export class SequentialIds {
  private n = 0;

  uuid(): string {
    return `00000000-0000-4000-8000-${(++this.n).toString(16).padStart(12, '0')}`;
  }
}

/** Wraps a unit of work; while `failAuditWith` is set, audit.record inside run() throws it. */
export class AuditFailureSwitch implements UnitOfWork {
  failAuditWith: Error | null = null;

  constructor(private readonly inner: UnitOfWork) {}

  get direct(): Repositories {
    return this.inner.direct;
  }

  run<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    return this.inner.run((r) => {
      const failure = this.failAuditWith;
      if (!failure) return work(r);
      return work({
        ...r,
        audit: {
          record: () => Promise.reject(failure),
          listForUser: (userId, opts) => r.audit.listForUser(userId, opts),
          anonymiseForUser: (userId) => r.audit.anonymiseForUser(userId),
        },
      });
    });
  }
}
