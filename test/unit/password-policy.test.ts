import test from 'node:test';
import assert from 'node:assert/strict';
import { dictionary } from '@zxcvbn-ts/language-common';
import { normalizePassword, PASSWORD_MAX, PASSWORD_MIN, PasswordPolicy } from '../../backend/src/domain/password-policy';

const policy = new PasswordPolicy(new Set(dictionary['passwords-common'].map((p) => p.toLowerCase())));

test('when the password is acceptable (8+ code points, not common), then check returns no problems', () => {
  assert.deepEqual(policy.check('correct horse battery staple'), []);
  assert.deepEqual(policy.check('tZ8#qv!m'), []); // exactly PASSWORD_MIN
  assert.equal(PASSWORD_MIN, 8);
  assert.equal(PASSWORD_MAX, 128);
});

test('when the password is shorter than 8 code points, then a length problem is reported on the field', () => {
  const problems = policy.check('tZ8#qv!');
  assert.equal(problems.length, 1);
  assert.equal(problems[0].field, 'password');
  assert.match(problems[0].message, /at least 8/);
});

test('when the length is counted, then code points count, not UTF-16 units', () => {
  // 7 emoji = 14 UTF-16 units but only 7 characters: too short.
  assert.equal('😀'.repeat(7).length, 14);
  assert.match(policy.check('😀'.repeat(7))[0]?.message ?? '', /at least 8/);
  // 128 emoji = 256 UTF-16 units, still within the 128-character limit.
  assert.deepEqual(policy.check('😀'.repeat(128)), []);
  assert.match(policy.check('😀'.repeat(129))[0]?.message ?? '', /at most 128/);
});

test('when the password has 128 code points, then it is accepted, and 129 are refused', () => {
  const base = 'Kq3!vz8#Lm'.repeat(13); // 130 chars, not in any list
  assert.deepEqual(policy.check(base.slice(0, 128)), []);
  const problems = policy.check(base.slice(0, 129));
  assert.equal(problems.length, 1);
  assert.match(problems[0].message, /at most 128/);
});

test('when the password is in the common-passwords list, then it is refused whatever its case', () => {
  for (const p of ['password', 'password1', 'iloveyou', 'PassWord1', 'SUNSHINE', 'qwertyuiop']) {
    const problems = policy.check(p);
    assert.equal(problems.length, 1, p);
    assert.match(problems[0].message, /too common/, p);
  }
});

test('when a common password is typed in full-width characters, then NFKC normalisation still finds it', () => {
  const fullWidth = 'ｐａｓｓｗｏｒｄ１'; // U+FF50... normalises to "password1"
  assert.equal(normalizePassword(fullWidth), 'password1');
  assert.match(policy.check(fullWidth)[0]?.message ?? '', /too common/);
});

test('when a field name is given, then problems are reported on that field', () => {
  assert.equal(policy.check('short', 'newPassword')[0].field, 'newPassword');
});

test('when passwords differ only in Unicode composition, then they normalise to the same string', () => {
  const composed = 'caf\u00e9 au lait!';
  const decomposed = 'cafe\u0301 au lait!';
  assert.notEqual(composed, decomposed);
  assert.equal(normalizePassword(composed), normalizePassword(decomposed));
});
