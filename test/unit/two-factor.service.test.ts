import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { DomainError } from '../../backend/src/domain/errors';
import type { TwoFactorService } from '../../backend/src/domain/two-factor.service';
import type { RequestContext, User } from '../../backend/src/domain/types';
import { BcryptPasswordHasher } from '../../backend/src/infrastructure/crypto/bcrypt-hasher';
import { generateTotpCode, totpStepAt } from '../../backend/src/infrastructure/two-factor/totp';
import { FakeClock } from '../fakes/clock';
import { TEST_PASSWORD } from '../fakes/passwords';
import type { MemoryDatabase } from '../fakes/memory-repositories';
import { buildServices } from '../fakes/services';
import { AuditFailureSwitch, FakeQrCodeRenderer, FakeSecretCipher } from '../fakes/two-factor-fakes';

const USER_ID = '11111111-1111-4111-8111-111111111111';
const ctx: RequestContext = { ipAddress: '203.0.113.7', userAgent: 'node-test' };
// 10 s into a time step, so "now" is unambiguous.
const START = new Date(Date.UTC(2024, 0, 1, 0, 0, 10));
const BACKUP_CODE = /^[23456789abcdefghjkmnpqrstuvwxyz]{5}-[23456789abcdefghjkmnpqrstuvwxyz]{5}$/;

const hasher = new BcryptPasswordHasher(4);

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof DomainError, `expected DomainError ${code}, got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  });
}

describe('TwoFactorService', () => {
  let clock: FakeClock;
  let db: MemoryDatabase;
  let uow: AuditFailureSwitch;
  let qr: FakeQrCodeRenderer;
  let service: TwoFactorService;

  beforeEach(async () => {
    clock = new FakeClock(START);
    qr = new FakeQrCodeRenderer();
    // The same factory as production (createDomainServices), over memory repositories and two fakes.
    const s = buildServices({
      clock,
      ports: (defaults) => ({ uow: (uow = new AuditFailureSwitch(defaults.uow)), cipher: new FakeSecretCipher(), qr }),
    });
    db = s.db;
    service = s.twoFactor;
    await uow.direct.users.create({
      id: USER_ID,
      email: 'alice@example.com',
      username: null,
      passwordHash: await hasher.hash(TEST_PASSWORD),
      role: 'user',
      status: 'active',
    });
  });

  const codeAt = (secret: string, offsetSteps = 0) => generateTotpCode(secret, new Date(clock.now().getTime() + offsetSteps * 30_000));
  const user = (): User => structuredClone(db.tables.users.get(USER_ID)!);
  const storedCodes = () => [...db.tables.backupCodes.values()].filter((c) => c.userId === USER_ID);
  const auditEvents = () => [...db.tables.audit.values()].filter((e) => e.userId === USER_ID);
  const auditTypes = () => auditEvents().map((e) => e.type);

  /** Enrols and verifies; leaves the clock one step later so the next code is fresh. */
  async function enrolled(): Promise<{ secret: string; backupCodes: string[] }> {
    const { secret } = await service.enable(USER_ID, { password: TEST_PASSWORD, sessionId: null }, ctx);
    const { backupCodes } = await service.verify(USER_ID, codeAt(secret), ctx);
    clock.advance(30);
    return { secret, backupCodes };
  }

  describe('enable', () => {
    test('when a user starts enrolment, then a 160-bit base32 secret, its otpauth URI and a PNG QR code of it are returned', async () => {
      const result = await service.enable(USER_ID, { password: TEST_PASSWORD, sessionId: null }, ctx);
      assert.match(result.secret, /^[A-Z2-7]{32,}$/, '20 bytes or more of base32');
      const url = new URL(result.otpauthUrl);
      assert.equal(url.protocol, 'otpauth:');
      assert.equal(url.host, 'totp');
      assert.equal(decodeURIComponent(url.pathname), '/Sessionary:alice@example.com');
      assert.equal(url.searchParams.get('secret'), result.secret);
      assert.equal(url.searchParams.get('issuer'), 'Sessionary');
      assert.equal(url.searchParams.get('algorithm'), 'SHA1');
      assert.equal(url.searchParams.get('digits'), '6');
      assert.equal(url.searchParams.get('period'), '30');
      assert.match(result.qrCodeDataUrl, /^data:image\/png;base64,/);
      assert.deepEqual(qr.rendered, [result.otpauthUrl]);
    });

    test('when enrolment has started, then 2FA is still off and the secret is stored encrypted only', async () => {
      const { secret } = await service.enable(USER_ID, { password: TEST_PASSWORD, sessionId: null }, ctx);
      const u = user();
      assert.equal(u.twoFactorEnabled, false);
      assert.ok(u.totpSecretEncrypted);
      assert.ok(!u.totpSecretEncrypted.includes(secret));
      assert.deepEqual(auditTypes(), []);
    });

    test('when 2FA is already enabled, then enabling again is MFA_ALREADY_ENABLED', async () => {
      await enrolled();
      await rejectsWith(service.enable(USER_ID, { password: TEST_PASSWORD, sessionId: null }, ctx), 'MFA_ALREADY_ENABLED');
    });

    test('when enable is called twice before verifying, then only the second secret is pending', async () => {
      const first = await service.enable(USER_ID, { password: TEST_PASSWORD, sessionId: null }, ctx);
      const second = await service.enable(USER_ID, { password: TEST_PASSWORD, sessionId: null }, ctx);
      assert.notEqual(first.secret, second.secret);
      await rejectsWith(service.verify(USER_ID, codeAt(first.secret), ctx), 'MFA_INVALID_CODE');
      const { backupCodes } = await service.verify(USER_ID, codeAt(second.secret), ctx);
      assert.equal(backupCodes.length, 10);
    });
  });

  describe('verify', () => {
    test('when the first code is correct, then 2FA is on and 10 distinct backup codes are returned once, stored only as hashes', async () => {
      const { secret } = await service.enable(USER_ID, { password: TEST_PASSWORD, sessionId: null }, ctx);
      const { backupCodes } = await service.verify(USER_ID, codeAt(secret), ctx);
      assert.equal(backupCodes.length, 10);
      assert.equal(new Set(backupCodes).size, 10);
      for (const c of backupCodes) assert.match(c, BACKUP_CODE);
      assert.equal(user().twoFactorEnabled, true);
      assert.equal(user().totpLastUsedStep, totpStepAt(START));
      const stored = storedCodes();
      assert.equal(stored.length, 10);
      for (const row of stored) {
        assert.match(row.codeHash, /^\$2[aby]\$/, 'bcrypt hash');
        for (const c of backupCodes) assert.ok(!row.codeHash.includes(c) && !row.codeHash.includes(c.replace('-', '')));
      }
      assert.deepEqual(auditTypes(), ['2fa.enabled']);
    });

    test('when the code is wrong, then MFA_INVALID_CODE and 2FA stays off', async () => {
      const { secret } = await service.enable(USER_ID, { password: TEST_PASSWORD, sessionId: null }, ctx);
      const wrong = codeAt(secret) === '000000' ? '111111' : '000000';
      await rejectsWith(service.verify(USER_ID, wrong, ctx), 'MFA_INVALID_CODE');
      await rejectsWith(service.verify(USER_ID, 'not-a-code', ctx), 'MFA_INVALID_CODE');
      assert.equal(user().twoFactorEnabled, false);
      assert.deepEqual(auditTypes(), []);
    });

    test('when no enrolment was started, then verify is MFA_NOT_ENABLED', async () => {
      await rejectsWith(service.verify(USER_ID, '123456', ctx), 'MFA_NOT_ENABLED');
    });

    test('when 2FA is already on, then verify is MFA_ALREADY_ENABLED and issues no new backup codes', async () => {
      const { secret } = await enrolled();
      const before = storedCodes().map((c) => c.id);
      await rejectsWith(service.verify(USER_ID, codeAt(secret), ctx), 'MFA_ALREADY_ENABLED');
      assert.deepEqual(storedCodes().map((c) => c.id), before);
    });

    test('when the audit write fails, then enabling is rolled back with it', async () => {
      const { secret } = await service.enable(USER_ID, { password: TEST_PASSWORD, sessionId: null }, ctx);
      uow.failAuditWith = new Error('audit down');
      await assert.rejects(service.verify(USER_ID, codeAt(secret), ctx), /audit down/);
      assert.equal(user().twoFactorEnabled, false);
      assert.equal(user().totpLastUsedStep, null);
      assert.equal(storedCodes().length, 0);
    });
  });

  describe('TOTP at login (verifySecondFactor)', () => {
    test('when a current code is sent, then it is accepted as totp', async () => {
      const { secret } = await enrolled();
      assert.equal(await service.verifySecondFactor(user(), { code: codeAt(secret) }, ctx), 'totp');
      assert.equal(user().totpLastUsedStep, totpStepAt(clock.now()));
    });

    test('when the code that completed enrolment is replayed at login in the same step, then it is refused', async () => {
      const { secret } = await service.enable(USER_ID, { password: TEST_PASSWORD, sessionId: null }, ctx);
      const code = codeAt(secret);
      await service.verify(USER_ID, code, ctx);
      clock.advance(5);
      await rejectsWith(service.verifySecondFactor(user(), { code }, ctx), 'MFA_INVALID_CODE');
    });

    test('when an accepted code is replayed, then it is refused, and the next step code still works', async () => {
      const { secret } = await enrolled();
      const code = codeAt(secret);
      await service.verifySecondFactor(user(), { code }, ctx);
      await rejectsWith(service.verifySecondFactor(user(), { code }, ctx), 'MFA_INVALID_CODE');
      clock.advance(30);
      assert.equal(await service.verifySecondFactor(user(), { code: codeAt(secret) }, ctx), 'totp');
    });

    test('when the same code is sent twice concurrently, then exactly one succeeds', async () => {
      const { secret } = await enrolled();
      const code = codeAt(secret);
      const results = await Promise.allSettled([
        service.verifySecondFactor(user(), { code }, ctx),
        service.verifySecondFactor(user(), { code }, ctx),
      ]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    });

    test('when a code from the step before the last accepted one is sent, then it is refused', async () => {
      const { secret } = await enrolled();
      // The client clock runs ahead: the next step's code is accepted first...
      await service.verifySecondFactor(user(), { code: codeAt(secret, +1) }, ctx);
      // ...after which the (older) current and previous steps are spent too.
      await rejectsWith(service.verifySecondFactor(user(), { code: codeAt(secret) }, ctx), 'MFA_INVALID_CODE');
      await rejectsWith(service.verifySecondFactor(user(), { code: codeAt(secret, -1) }, ctx), 'MFA_INVALID_CODE');
    });

    test('when the code is from the previous step (clock drift −1), then it is accepted', async () => {
      const { secret } = await enrolled();
      clock.advance(60);
      assert.equal(await service.verifySecondFactor(user(), { code: codeAt(secret, -1) }, ctx), 'totp');
    });

    test('when the code is from the next step (clock drift +1), then it is accepted', async () => {
      const { secret } = await enrolled();
      assert.equal(await service.verifySecondFactor(user(), { code: codeAt(secret, +1) }, ctx), 'totp');
    });

    test('when the code is two steps away (drift ±2), then it is refused', async () => {
      const { secret } = await enrolled();
      clock.advance(120);
      await rejectsWith(service.verifySecondFactor(user(), { code: codeAt(secret, -2) }, ctx), 'MFA_INVALID_CODE');
      await rejectsWith(service.verifySecondFactor(user(), { code: codeAt(secret, +2) }, ctx), 'MFA_INVALID_CODE');
    });

    test('when the code is typed with a space ("123 456"), then it is accepted', async () => {
      const { secret } = await enrolled();
      const code = codeAt(secret);
      assert.equal(await service.verifySecondFactor(user(), { code: `${code.slice(0, 3)} ${code.slice(3)}` }, ctx), 'totp');
    });

    test('when 2FA is not enabled, then any code is MFA_INVALID_CODE', async () => {
      await rejectsWith(service.verifySecondFactor(user(), { code: '123456' }, ctx), 'MFA_INVALID_CODE');
    });
  });

  describe('backup codes at login', () => {
    test('when a backup code is used, then it works exactly once and the use is audited', async () => {
      const { backupCodes } = await enrolled();
      const code = backupCodes[3];
      assert.equal(await service.verifySecondFactor(user(), { backupCode: code }, ctx), 'backup_code');
      await rejectsWith(service.verifySecondFactor(user(), { backupCode: code }, ctx), 'MFA_INVALID_CODE');
      assert.equal(storedCodes().filter((c) => c.usedAt).length, 1);
      const used = auditEvents().filter((e) => e.type === '2fa.backup_code_used');
      assert.equal(used.length, 1);
      assert.deepEqual(used[0].metadata, { context: 'login', remaining: 9 });
      assert.ok(!JSON.stringify(auditEvents()).includes(code));
    });

    test('when a backup code is typed in upper case, without the hyphen or with spaces, then it is accepted', async () => {
      const { backupCodes } = await enrolled();
      assert.equal(await service.verifySecondFactor(user(), { backupCode: backupCodes[0].toUpperCase() }, ctx), 'backup_code');
      assert.equal(await service.verifySecondFactor(user(), { backupCode: backupCodes[1].replace('-', '') }, ctx), 'backup_code');
      assert.equal(await service.verifySecondFactor(user(), { backupCode: ` ${backupCodes[2].replace('-', ' ')} ` }, ctx), 'backup_code');
    });

    test('when an unknown or malformed backup code is sent, then MFA_INVALID_CODE', async () => {
      await enrolled();
      await rejectsWith(service.verifySecondFactor(user(), { backupCode: '22222-22222' }, ctx), 'MFA_INVALID_CODE');
      await rejectsWith(service.verifySecondFactor(user(), { backupCode: 'x' }, ctx), 'MFA_INVALID_CODE');
    });

    test('when one backup code is used twice concurrently, then exactly one use succeeds', async () => {
      const { backupCodes } = await enrolled();
      const results = await Promise.allSettled([
        service.verifySecondFactor(user(), { backupCode: backupCodes[0] }, ctx),
        service.verifySecondFactor(user(), { backupCode: backupCodes[0] }, ctx),
      ]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    });
  });

  describe('regenerateBackupCodes', () => {
    test('when regenerated with the password, then the new set works, the old set stops working, and it is audited', async () => {
      const { backupCodes: old } = await enrolled();
      const { backupCodes: fresh } = await service.regenerateBackupCodes(USER_ID, TEST_PASSWORD, ctx);
      assert.equal(fresh.length, 10);
      for (const c of fresh) assert.match(c, BACKUP_CODE);
      assert.equal(storedCodes().length, 10);
      await rejectsWith(service.verifySecondFactor(user(), { backupCode: old[0] }, ctx), 'MFA_INVALID_CODE');
      assert.equal(await service.verifySecondFactor(user(), { backupCode: fresh[0] }, ctx), 'backup_code');
      assert.ok(auditTypes().includes('2fa.backup_codes_regenerated'));
    });

    test('when the password is wrong, then INVALID_CREDENTIALS and the old codes still work', async () => {
      const { backupCodes } = await enrolled();
      await rejectsWith(service.regenerateBackupCodes(USER_ID, 'wrong password', ctx), 'INVALID_CREDENTIALS');
      assert.equal(await service.verifySecondFactor(user(), { backupCode: backupCodes[0] }, ctx), 'backup_code');
    });

    test('when 2FA is off, then regenerating is MFA_NOT_ENABLED', async () => {
      await rejectsWith(service.regenerateBackupCodes(USER_ID, TEST_PASSWORD, ctx), 'MFA_NOT_ENABLED');
    });
  });

  describe('disable', () => {
    test('when disabled with the password and a TOTP code, then the secret and backup codes are cleared and it is audited', async () => {
      const { secret } = await enrolled();
      await service.disable(USER_ID, { password: TEST_PASSWORD, code: codeAt(secret) }, ctx);
      const u = user();
      assert.equal(u.twoFactorEnabled, false);
      assert.equal(u.totpSecretEncrypted, null);
      assert.equal(storedCodes().length, 0);
      assert.equal(auditTypes().at(-1), '2fa.disabled');
      assert.deepEqual(auditEvents().at(-1)!.metadata, { method: 'totp' });
    });

    test('when disabled with a backup code, then 2FA is off', async () => {
      const { backupCodes } = await enrolled();
      await service.disable(USER_ID, { password: TEST_PASSWORD, code: backupCodes[5].toUpperCase() }, ctx);
      assert.equal(user().twoFactorEnabled, false);
      assert.equal(storedCodes().length, 0);
      assert.deepEqual(auditTypes().slice(-2), ['2fa.backup_code_used', '2fa.disabled']);
    });

    test('when the password is wrong, then INVALID_CREDENTIALS and 2FA stays on', async () => {
      const { secret } = await enrolled();
      await rejectsWith(service.disable(USER_ID, { password: 'nope', code: codeAt(secret) }, ctx), 'INVALID_CREDENTIALS');
      assert.equal(user().twoFactorEnabled, true);
    });

    test('when the code is wrong or replayed, then MFA_INVALID_CODE and 2FA stays on', async () => {
      const { secret } = await enrolled();
      const code = codeAt(secret);
      await service.verifySecondFactor(user(), { code }, ctx);
      await rejectsWith(service.disable(USER_ID, { password: TEST_PASSWORD, code }, ctx), 'MFA_INVALID_CODE');
      await rejectsWith(service.disable(USER_ID, { password: TEST_PASSWORD, code: 'abcde-fghij' }, ctx), 'MFA_INVALID_CODE');
      assert.equal(user().twoFactorEnabled, true);
      assert.equal(storedCodes().length, 10);
    });

    test('when 2FA is not enabled, then disabling is MFA_NOT_ENABLED', async () => {
      await rejectsWith(service.disable(USER_ID, { password: TEST_PASSWORD, code: '123456' }, ctx), 'MFA_NOT_ENABLED');
    });

    test('when 2FA is disabled and enabled again, then a new secret and new backup codes are issued', async () => {
      const first = await enrolled();
      await service.disable(USER_ID, { password: TEST_PASSWORD, code: codeAt(first.secret) }, ctx);
      // setTotpSecret keeps totpLastUsedStep (see the Prisma adapter), so the step used to disable stays spent.
      clock.advance(30);
      const second = await enrolled();
      assert.notEqual(second.secret, first.secret);
      await rejectsWith(service.verifySecondFactor(user(), { backupCode: first.backupCodes[0] }, ctx), 'MFA_INVALID_CODE');
      assert.equal(await service.verifySecondFactor(user(), { backupCode: second.backupCodes[0] }, ctx), 'backup_code');
    });
  });
});
