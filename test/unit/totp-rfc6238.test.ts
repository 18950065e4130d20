// RFC 6238 Appendix B test vectors (SHA1 mode, 8 digits) through the same otplib configuration the
// service uses (generateTotpCode: SHA1, 30 s steps, T0 = 0), plus the provider's ±1-step window.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { stringToBytes } from 'otplib';
import { generateTotpCode, OtplibTotpProvider, totpStepAt } from '../../backend/src/infrastructure/two-factor/totp';

// The RFC's SHA1 seed is the 20 ASCII bytes "12345678901234567890".
const SEED = stringToBytes('12345678901234567890');
const SEED_BASE32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

const VECTORS: [seconds: number, code: string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP (RFC 6238 Appendix B, SHA1)', () => {
  for (const [seconds, expected] of VECTORS) {
    test(`when T = ${seconds}, then the 8-digit code is ${expected}`, () => {
      assert.equal(generateTotpCode(SEED, new Date(seconds * 1000), 8), expected);
    });
  }

  test('when the seed is given as base32 (as stored), then the codes are the same', () => {
    for (const [seconds, expected] of VECTORS) assert.equal(generateTotpCode(SEED_BASE32, new Date(seconds * 1000), 8), expected);
  });

  test('when 6 digits are used (the service default), then the code is the last 6 digits of the 8-digit one', () => {
    for (const [seconds, expected] of VECTORS) assert.equal(generateTotpCode(SEED, new Date(seconds * 1000)), expected.slice(2));
  });
});

describe('OtplibTotpProvider', () => {
  const provider = new OtplibTotpProvider();
  const now = new Date(1111111111 * 1000);
  const step = totpStepAt(now);
  const at = (steps: number) => new Date(now.getTime() + steps * 30_000);

  test('when a secret is generated, then it is base32 of at least 160 bits', () => {
    const secret = provider.generateSecret();
    assert.match(secret, /^[A-Z2-7]+=*$/);
    assert.ok(secret.replace(/=+$/, '').length * 5 >= 160);
    assert.notEqual(provider.generateSecret(), secret);
  });

  test('when a code of the current, previous or next step is verified, then that step is returned', () => {
    for (const offset of [-1, 0, 1]) {
      assert.equal(provider.verify(SEED_BASE32, generateTotpCode(SEED_BASE32, at(offset)), now), step + offset);
    }
  });

  test('when a code is two steps away, then it does not verify', () => {
    assert.equal(provider.verify(SEED_BASE32, generateTotpCode(SEED_BASE32, at(-2)), now), null);
    assert.equal(provider.verify(SEED_BASE32, generateTotpCode(SEED_BASE32, at(2)), now), null);
  });

  test('when the step is at or before afterStep, then it does not verify', () => {
    const code = generateTotpCode(SEED_BASE32, now);
    assert.equal(provider.verify(SEED_BASE32, code, now, step), null);
    assert.equal(provider.verify(SEED_BASE32, code, now, step - 1), step);
    // afterStep beyond the window (otplib would throw): simply no match.
    assert.equal(provider.verify(SEED_BASE32, code, now, step + 5), null);
  });

  test('when the code is malformed, then it does not verify (no throw)', () => {
    for (const bad of ['', '12345', '1234567', 'abcdef', '12 456']) assert.equal(provider.verify(SEED_BASE32, bad, now), null);
  });

  test('when a key URI is built, then it has the issuer label and parameter and spells out SHA1/6/30', () => {
    const uri = provider.keyUri('bob@example.com', 'Acme Corp', SEED_BASE32);
    assert.equal(uri, `otpauth://totp/Acme%20Corp:bob%40example.com?secret=${SEED_BASE32}&issuer=Acme%20Corp&algorithm=SHA1&digits=6&period=30`);
  });
});
