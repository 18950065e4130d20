// Key rotation through JWT_PUBLIC_KEYS_FILE and the refusal of weak keys (loadSigningKeys, as the
// container calls it from JWT_PRIVATE_KEY(_FILE) and JWT_PUBLIC_KEYS_FILE).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSigningKeys } from '../../backend/src/infrastructure/crypto/signing-keys';
import { JwtAccessTokenSigner } from '../../backend/src/infrastructure/crypto/jwt-signer';

const dir = mkdtempSync(join(tmpdir(), 'signing-keys-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const rsa = (bits: number) => generateKeyPairSync('rsa', { modulusLength: bits });
const privatePem = (k: KeyObject) => k.export({ type: 'pkcs8', format: 'pem' }) as string;
const publicPem = (k: KeyObject) => k.export({ type: 'spki', format: 'pem' }) as string;
let files = 0;
function file(text: string): string {
  const path = join(dir, `f${++files}.pem`);
  writeFileSync(path, text);
  return path;
}
const load = (o: { privateKeyPem?: string; publicKeysFile?: string }) =>
  loadSigningKeys({ dataDir: dir, privateKeyPem: o.privateKeyPem ?? null, privateKeyFile: null, publicKeysFile: o.publicKeysFile ?? null });
const CLAIMS = { sub: 'u1', sid: 's1', role: 'user' as const, aal: 1 as const, email: 'a@example.test', username: null };

describe('JWT_PUBLIC_KEYS_FILE key rotation', () => {
  const oldKey = rsa(2048);
  const newKey = rsa(2048);

  test('when the signing key is replaced and the old public key is listed, then old tokens still verify, new tokens use the new kid, and the JWKS publishes both', async () => {
    const before = load({ privateKeyPem: privatePem(oldKey.privateKey) });
    const oldToken = await new JwtAccessTokenSigner(before, 'iss', 'aud').sign(CLAIMS, 900);

    // The old key twice and the new one once: duplicates (and the signing key itself) appear once.
    const rotated = load({
      privateKeyPem: privatePem(newKey.privateKey),
      publicKeysFile: file(publicPem(oldKey.publicKey) + publicPem(oldKey.publicKey) + publicPem(newKey.publicKey)),
    });
    const signer = new JwtAccessTokenSigner(rotated, 'iss', 'aud');
    assert.equal(signer.verify(oldToken).sid, 's1');
    const newToken = await signer.sign(CLAIMS, 900);
    const kidOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).kid;
    assert.equal(kidOf(newToken), rotated.kid);
    assert.notEqual(rotated.kid, before.kid);
    assert.deepEqual(rotated.jwks.keys.map((k) => k.kid), [rotated.kid, before.kid]);
    assert.equal(rotated.publicKeys.size, 2);
  });

  test('when the old public key is dropped from the file, then tokens signed with it are refused', async () => {
    const oldToken = await new JwtAccessTokenSigner(load({ privateKeyPem: privatePem(oldKey.privateKey) }), 'iss', 'aud').sign(CLAIMS, 900);
    const retired = load({ privateKeyPem: privatePem(newKey.privateKey), publicKeysFile: file('') });
    assert.throws(() => new JwtAccessTokenSigner(retired, 'iss', 'aud').verify(oldToken), (e: { code?: string }) => e.code === 'INVALID_TOKEN');
    assert.equal(retired.jwks.keys.length, 1);
  });
});

describe('weak keys are refused at start', () => {
  test('when the signing key is RSA-1024, then loading fails naming the signing key and the 2048-bit minimum', () => {
    assert.throws(() => load({ privateKeyPem: privatePem(rsa(1024).privateKey) }), /JWT signing key: an RSA key of at least 2048 bits/);
  });

  test('when the signing key is not RSA (EC P-256), then loading fails', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    assert.throws(() => load({ privateKeyPem: privatePem(ec.privateKey) }), /JWT signing key: an RSA key of at least 2048 bits/);
  });

  test('when JWT_PUBLIC_KEYS_FILE holds an RSA-1024 key, then loading fails naming that file', () => {
    const strong = rsa(2048);
    const weakFile = file(publicPem(rsa(1024).publicKey));
    assert.throws(() => load({ privateKeyPem: privatePem(strong.privateKey), publicKeysFile: weakFile }), /JWT_PUBLIC_KEYS_FILE: an RSA key of at least 2048 bits/);
  });
});
