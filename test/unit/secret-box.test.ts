import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { AesGcmSecretCipher, loadOrCreateKey } from '../../backend/src/infrastructure/crypto/secret-box';

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'secret-box-'));
  dirs.push(d);
  return d;
};
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('AesGcmSecretCipher', () => {
  const cipher = new AesGcmSecretCipher(randomBytes(32));

  test('when a secret is encrypted and decrypted, then it round-trips and the stored form hides it', () => {
    const stored = cipher.encrypt(SECRET, 'user-1');
    assert.match(stored, /^v1\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/, 'version.iv(12 bytes).tag(16 bytes).ciphertext');
    assert.ok(!stored.includes(SECRET));
    assert.equal(cipher.decrypt(stored, 'user-1'), SECRET);
  });

  test('when the same secret is encrypted twice, then the IVs and ciphertexts differ', () => {
    const a = cipher.encrypt(SECRET).split('.');
    const b = cipher.encrypt(SECRET).split('.');
    assert.notEqual(a[1], b[1]);
    assert.notEqual(a[3], b[3]);
  });

  test('when the ciphertext, tag or IV is altered, then decryption fails', () => {
    const [v, iv, tag, ct] = cipher.encrypt(SECRET, 'user-1').split('.') as [string, string, string, string];
    const flip = (part: string) => {
      const bytes = Buffer.from(part, 'base64url');
      bytes[0] ^= 1;
      return bytes.toString('base64url');
    };
    for (const tampered of [[v, iv, tag, flip(ct)], [v, iv, flip(tag), ct], [v, flip(iv), tag, ct]]) {
      assert.throws(() => cipher.decrypt(tampered.join('.'), 'user-1'), /failed authentication/);
    }
    assert.throws(() => cipher.decrypt(['v2', iv, tag, ct].join('.'), 'user-1'), /unknown format/);
    assert.throws(() => cipher.decrypt('garbage', 'user-1'), /unknown format/);
  });

  test('when decrypted for another owner (associated data) or with another key, then it fails', () => {
    const stored = cipher.encrypt(SECRET, 'user-1');
    assert.throws(() => cipher.decrypt(stored, 'user-2'), /failed authentication/);
    assert.throws(() => new AesGcmSecretCipher(randomBytes(32)).decrypt(stored, 'user-1'), /failed authentication/);
  });

  test('when the key is not 32 bytes, then the cipher refuses it', () => {
    assert.throws(() => new AesGcmSecretCipher(randomBytes(16)), /32-byte key/);
  });
});

describe('loadOrCreateKey', () => {
  test('when no key is configured, then a 32-byte key file is created with mode 0600 and reused next time', () => {
    const dataDir = tempDir();
    const key = loadOrCreateKey(dataDir, null);
    assert.equal(key.length, 32);
    const file = join(dataDir, 'keys', 'totp-encryption.key');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(loadOrCreateKey(dataDir, undefined), key);
    assert.equal(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64').length, 32);
  });

  test('when the key file is readable by others, then it is tightened to 0600', () => {
    const dataDir = tempDir();
    const key = loadOrCreateKey(dataDir, null);
    const file = join(dataDir, 'keys', 'totp-encryption.key');
    chmodSync(file, 0o644);
    assert.deepEqual(loadOrCreateKey(dataDir, null), key);
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  test('when TOTP_ENCRYPTION_KEY is hex or base64 of 32 bytes, then it is used and no file is written', () => {
    const dataDir = tempDir();
    const raw = randomBytes(32);
    assert.deepEqual(loadOrCreateKey(dataDir, raw.toString('hex')), raw);
    assert.deepEqual(loadOrCreateKey(dataDir, raw.toString('base64')), raw);
    assert.deepEqual(loadOrCreateKey(dataDir, raw.toString('base64url')), raw);
    assert.throws(() => statSync(join(dataDir, 'keys', 'totp-encryption.key')));
  });

  test('when TOTP_ENCRYPTION_KEY has the wrong length or encoding, then startup fails clearly', () => {
    assert.throws(() => loadOrCreateKey(tempDir(), randomBytes(16).toString('hex')), /TOTP_ENCRYPTION_KEY must be 32 bytes/);
    assert.throws(() => loadOrCreateKey(tempDir(), 'not a key!'), /TOTP_ENCRYPTION_KEY must be 32 bytes/);
  });

  test('when the key file is corrupt, then loading fails instead of silently making a new key', () => {
    const dataDir = tempDir();
    loadOrCreateKey(dataDir, null);
    writeFileSync(join(dataDir, 'keys', 'totp-encryption.key'), 'short');
    assert.throws(() => loadOrCreateKey(dataDir, null), /must be 32 bytes/);
  });
});
