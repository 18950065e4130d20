import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CryptoTokenGenerator } from '../../backend/src/infrastructure/crypto/token-generator';

test('when opaque tokens are generated, then each carries 256 random bits and only a SHA-256 of it is stored', () => {
  const g = new CryptoTokenGenerator();
  const tokens = Array.from({ length: 1000 }, () => g.opaqueToken());
  for (const t of tokens) {
    assert.match(t, /^[A-Za-z0-9_-]{43}$/, '32 bytes, base64url');
    assert.equal(Buffer.from(t, 'base64url').length, 32);
  }
  assert.equal(new Set(tokens).size, tokens.length);
  const hash = g.hashToken(tokens[0]);
  assert.match(hash, /^[0-9a-f]{64}$/);
  assert.equal(g.hashToken(tokens[0]), hash, 'deterministic, so it can be looked up');
  assert.ok(!hash.includes(tokens[0]));
});

test('when a successor is derived twice from one token with one key, then it is the same; another key gives another', () => {
  const key = Buffer.alloc(32, 7);
  const a = new CryptoTokenGenerator(key);
  const b = new CryptoTokenGenerator(Buffer.from(key));
  const token = a.opaqueToken();
  const successor = a.successorToken(token);
  assert.match(successor, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(b.successorToken(token), successor, 'every instance with the key derives the same successor');
  assert.notEqual(successor, token);
  assert.notEqual(a.successorToken(a.opaqueToken()), successor);
  assert.notEqual(new CryptoTokenGenerator(Buffer.alloc(32, 8)).successorToken(token), successor);
});
