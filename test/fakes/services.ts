// Domain services wired like backend/src/container.ts (createDomainServices), but on the memory repositories
// and a FakeClock. Real adapters otherwise: bcrypt (cost 4), random tokens, RS256 with a freshly generated key
// in a temp DATA_DIR, ua-parser-js, otplib, AES-GCM with a key generated in that DATA_DIR, qrcode, the
// in-process revocation store and the common-passwords list. Any port can be replaced per build.
import { SimpleWebAuthnRelyingParty } from '../../backend/src/infrastructure/webauthn/simplewebauthn-relying-party';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dictionary } from '@zxcvbn-ts/language-common';
import { loadConfig, type Config } from '../../backend/src/config';
import { createDomainServices, type DomainPorts } from '../../backend/src/domain/services';
import { PasswordPolicy } from '../../backend/src/domain/password-policy';
import { DomainError, type DomainErrorCode } from '../../backend/src/domain/errors';
import type { RequestContext, TokenPair, User } from '../../backend/src/domain/types';
import { BcryptPasswordHasher } from '../../backend/src/infrastructure/crypto/bcrypt-hasher';
import { JwtAccessTokenSigner } from '../../backend/src/infrastructure/crypto/jwt-signer';
import { loadSigningKeys, type SigningKeys } from '../../backend/src/infrastructure/crypto/signing-keys';
import { CryptoTokenGenerator } from '../../backend/src/infrastructure/crypto/token-generator';
import { UaParserUserAgentParser } from '../../backend/src/infrastructure/user-agent/user-agent-parser';
import { UaDeviceIdentifier } from '../../backend/src/infrastructure/user-agent/device-identifier';
import { PngQrCodeRenderer } from '../../backend/src/infrastructure/two-factor/qr';
import { AesGcmSecretCipher, cryptoRandomSource, loadOrCreateKey } from '../../backend/src/infrastructure/crypto/secret-box';
import { OtplibTotpProvider } from '../../backend/src/infrastructure/two-factor/totp';
import { MemoryRevocationStore } from '../../backend/src/infrastructure/revocation/memory-revocation-store';
import { FakeClock } from './clock';
import { TEST_PASSWORD } from './passwords';
import { MemoryDatabase, MemoryUnitOfWork } from './memory-repositories';

/** The production defaults (loadConfig with no variables set), except bcrypt cost 4. */
export type TestSettings = Config;

const defaults = loadConfig({ BCRYPT_COST: '4' });

/** Config keys to change, by group: `{ sessions: { maxPerUser: 3 } }`. */
export type SettingOverrides = { [G in keyof Config]?: Partial<Config[G]> };

export type ServiceOverrides = SettingOverrides & {
  clock?: FakeClock;
  /** Replace ports (given the defaults, e.g. to wrap the unit of work). */
  ports?: (defaults: DomainPorts) => Partial<DomainPorts>;
  /** Use this DATA_DIR for the signing key (generated there on first use). */
  dataDir?: string;
  /**
   * Generate a new RSA key in a new temp dir for this build. Default: one key generated per test process
   * (in its own temp dir) and shared by every build, since 2048-bit generation takes ~0.5 s.
   */
  freshKey?: boolean;
};

export const TEST_CTX: RequestContext = {
  ipAddress: '203.0.113.7',
  userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
};

export { TEST_PASSWORD } from './passwords';

const tempDirs = new Set<string>();
process.once('exit', () => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});
let sharedKeyDir: string | undefined;

function newTempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'auth-test-'));
  tempDirs.add(dir);
  return dir;
}

function withOverrides(overrides: SettingOverrides): TestSettings {
  const settings = structuredClone(defaults) as Record<string, Record<string, unknown>>;
  for (const [group, values] of Object.entries(overrides)) Object.assign(settings[group], values);
  return settings as TestSettings;
}

export function buildServices(overrides: ServiceOverrides = {}) {
  const { clock = new FakeClock(), dataDir: givenDir, freshKey = false, ports: replacePorts, ...rest } = overrides;
  const settings = withOverrides(rest);
  const ownDir = !givenDir && freshKey;
  const dataDir = givenDir ?? (freshKey ? newTempDir() : (sharedKeyDir ??= newTempDir()));

  const db = new MemoryDatabase(clock);
  const keys: SigningKeys = loadSigningKeys({ dataDir, privateKeyPem: null, privateKeyFile: null, publicKeysFile: null });
  const hasher = new BcryptPasswordHasher(settings.passwords.bcryptCost);
  const defaultPorts: DomainPorts = {
    uow: new MemoryUnitOfWork(db),
    revocations: new MemoryRevocationStore(settings.tokens.accessTokenTtl, clock),
    tokens: new CryptoTokenGenerator(),
    userAgents: new UaParserUserAgentParser(),
    clock,
    hasher,
    policy: new PasswordPolicy(new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()))),
    signer: new JwtAccessTokenSigner(keys, settings.tokens.issuer, settings.tokens.audience),
    totp: new OtplibTotpProvider(),
    cipher: new AesGcmSecretCipher(loadOrCreateKey(dataDir, null)),
    qr: new PngQrCodeRenderer(),
    backupCodeHasher: hasher,
    random: cryptoRandomSource,
    devices: new UaDeviceIdentifier(),
    webauthn: new SimpleWebAuthnRelyingParty({ rpName: 'Test', rpId: 'auth.test', origins: () => ['https://auth.test'], timeoutMs: 60_000 }),
  };
  const ports: DomainPorts = { ...defaultPorts, ...replacePorts?.(defaultPorts) };
  const { uow, tokens, signer, policy, userAgents, revocations } = ports;

  // The same wiring as the container, over in-memory adapters.
  const { sessions, lockout, twoFactor, auth, users, passkeys, accountDeletion } = createDomainServices(ports, settings);

  /** Registers a user (active in open mode) and returns it with its password. */
  async function registerUser(email = `user-${tokens.uuid()}@example.test`, password = TEST_PASSWORD, ctx = TEST_CTX) {
    const user = await auth.register({ email, password, username: null }, ctx);
    return { user, email, password };
  }

  /** Logs in without 2FA and returns the token pair (fails the test if 2FA is on). */
  async function login(email: string, password = TEST_PASSWORD, ctx = TEST_CTX, deviceName: string | null = null): Promise<TokenPair> {
    const result = await auth.login({ email, password, deviceName }, ctx);
    if ('mfaRequired' in result) throw new Error('login: unexpected mfaRequired');
    return result;
  }

  /** Current stored state of a user (bypasses services). */
  async function userRow(id: string): Promise<User> {
    const user = await db.repositories().users.findById(id);
    if (!user) throw new Error(`no user ${id}`);
    return user;
  }

  return {
    settings,
    clock,
    db,
    uow,
    dataDir,
    keys,
    signer,
    hasher,
    tokens,
    policy,
    userAgents,
    revocations,
    sessions,
    lockout,
    twoFactor,
    auth,
    users,
    passkeys,
    accountDeletion,
    ctx: TEST_CTX,
    registerUser,
    login,
    userRow,
    /** Removes this build's own temp key directory now (temp dirs are otherwise removed at process exit). */
    cleanup(): void {
      if (ownDir) {
        rmSync(dataDir, { recursive: true, force: true });
        tempDirs.delete(dataDir);
      }
    },
  };
}

export type Services = ReturnType<typeof buildServices>;

/** Awaits a rejection with a DomainError of `code` and returns it (for further assertions). */
export async function rejectsWithCode(promise: Promise<unknown>, code: DomainErrorCode): Promise<DomainError> {
  try {
    await promise;
  } catch (err) {
    if (!(err instanceof DomainError)) throw new Error(`expected DomainError ${code}, got ${String(err)}`);
    if (err.code !== code) throw new Error(`expected ${code}, got ${err.code} (${err.message})`);
    return err;
  }
  throw new Error(`expected rejection with ${code}, but it resolved`);
}

/** Same as rejectsWithCode for synchronous calls. */
export function throwsWithCode(fn: () => unknown, code: DomainErrorCode): DomainError {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof DomainError)) throw new Error(`expected DomainError ${code}, got ${String(err)}`);
    if (err.code !== code) throw new Error(`expected ${code}, got ${err.code} (${err.message})`);
    return err;
  }
  throw new Error(`expected a throw with ${code}, but it returned`);
}
