// Canonical emails (NFC local part, IDNA domain) and the text check shared by HTTP bodies and NATS messages.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalEmail, normalizeEmail } from '../../backend/src/domain/email';
import { findUnreadableText } from '../../backend/src/http/storable-text';
import { decode } from '../../backend/src/nats/request-server';
import { DomainError } from '../../backend/src/domain/errors';

describe('canonicalEmail', () => {
  it('when NFC and NFD forms of one address are given, then both give the NFC form', () => {
    const nfc = 'Jos\u00e9@Example.COM';
    assert.equal(canonicalEmail(nfc), 'jos\u00e9@example.com');
    assert.equal(canonicalEmail(nfc.normalize('NFD')), 'jos\u00e9@example.com');
  });

  it('when the domain is internationalised, then it becomes the lower-case A-label whatever the input form', () => {
    for (const d of ['b\u00fccher.example', 'B\u00dcCHER.EXAMPLE', 'bu\u0308cher.example', 'xn--bcher-kva.example', 'XN--BCHER-KVA.example']) {
      assert.equal(canonicalEmail(` ada@${d} `), 'ada@xn--bcher-kva.example', d);
    }
  });

  it('when the domain is not valid IDNA or the @ is misplaced, then null; normalizeEmail still gives a look-up key', () => {
    for (const bad of ['ada@xn--a.example', 'ada@', '@example.com', 'no-at-sign']) assert.equal(canonicalEmail(bad), null, bad);
    assert.equal(normalizeEmail(' Ada@XN--A.example '), 'ada@xn--a.example');
  });
});

describe('findUnreadableText', () => {
  it('when a value or key anywhere holds a lone surrogate or NUL, then the first such field is named', () => {
    assert.deepEqual(findUnreadableText({ a: 'ok', b: { c: ['x', 'y\ud800'] } }), { field: 'b.c.1', message: 'must be valid Unicode text (no lone surrogates)' });
    assert.deepEqual(findUnreadableText({ 'k\udc00': 1 }), { field: 'k\ufffd', message: 'must be valid Unicode text (no lone surrogates)' });
    assert.deepEqual(findUnreadableText({ email: 'a\u0000b' }), { field: 'email', message: 'must not contain NUL characters' });
    assert.equal(findUnreadableText({ emoji: '\ud83d\ude00', text: 'caf\u00e9' }), null);
  });

  it('when the value nests deeper than the call stack would allow, then it is still checked without overflowing', () => {
    let deep: unknown = '\ud800';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    assert.equal(findUnreadableText(deep)?.message, 'must be valid Unicode text (no lone surrogates)');
  });

  it('when a NATS request carries a lone surrogate, then decode refuses it as VALIDATION_ERROR', () => {
    assert.throws(() => decode(Buffer.from('{"email":"a\\ud800b@example.com","password":"x"}')), (err: unknown) => err instanceof DomainError && err.code === 'VALIDATION_ERROR');
  });
});
