// Domain services wired like backend/src/container.ts, but on the memory repositories and a FakeClock.
// Real crypto adapters: bcrypt (cost 4), random tokens, RS256 with a freshly generated key in a temp
// DATA_DIR, ua-parser-js, the in-process revocation store and the common-passwords list.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dictionary } from '@zxcvbn-ts/language-common';
import type { AuthSettings } from '../../backend/src/domain/auth.service';
import type { LockoutSettings } from '../../backend/src/domain/lockout';
import { createDomainServices } from '../../backend/src/domain/services';
import { PasswordPolicy } from '../../backend/src/domain/password-policy';
import type { SessionSettings } from '../../backend/src/domain/session.service';
import { DomainError, type DomainErrorCode } from '../../backend/src/domain/errors';
import type { RequestContext, TokenPair, User } from '../../backend/src/domain/types';
import { BcryptPasswordHasher } from '../../backend/src/infrastructure/crypto/bcrypt-hasher';
import { JwtAccessTokenSigner } from '../../backend/src/infrastructure/crypto/jwt-signer';
import { loadSigningKeys, type SigningKeys } from '../../backend/src/infrastructure/crypto/signing-keys';
import { CryptoTokenGenerator } from '../../backend/src/infrastructure/crypto/token-generator';
import { UaParserUserAgentParser } from '../../backend/src/infrastructure/crypto/user-agent-parser';
import { MemoryRevocationStore } from '../../backend/src/infrastructure/revocation/memory-revocation-store';
import { FakeClock } from './clock';
import { TEST_PASSWORD } from './passwords';
import { MemoryDatabase, MemoryUnitOfWork } from './memory-repositories';

/** Same defaults as the contract's configuration table (config.ts), except bcrypt cost 4. */
export interface TestSettings extends SessionSettings, LockoutSettings, AuthSettings {
  bcryptCost: number;
  jwtIssuer: string;
  jwtAudience: string;
}

export const DEFAULT_TEST_SETTINGS: TestSettings = {
  registrationMode: 'open',
  accessTokenTtl: 900,
  refreshTokenTtl: 2_592_000,
  sessionIdleTtl: 1_209_600,
  maxSessionsPerUser: 10,
  maxFailures: 5,
  lockSeconds: 900,
  mfaChallengeTtl: 300,
  mfaChallengeMaxAttempts: 5,
  refreshReuseGraceSeconds: 10,
  bcryptCost: 4,
  jwtIssuer: 'http://localhost:3000',
  jwtAudience: 'http://localhost:3000',
};

export type ServiceOverrides = Partial<TestSettings> & {
  clock?: FakeClock;
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

export function buildServices(overrides: ServiceOverrides = {}) {
  const { clock = new FakeClock(), dataDir: givenDir, freshKey = false, ...rest } = overrides;
  const settings: TestSettings = { ...DEFAULT_TEST_SETTINGS, ...rest };
  const ownDir = !givenDir && freshKey;
  const dataDir = givenDir ?? (freshKey ? newTempDir() : (sharedKeyDir ??= newTempDir()));

  const db = new MemoryDatabase(clock);
  const uow = new MemoryUnitOfWork(db);
  const keys: SigningKeys = loadSigningKeys({ dataDir, privateKeyPem: null, privateKeyFile: null, publicKeysFile: null });
  const signer = new JwtAccessTokenSigner(keys, settings.jwtIssuer, settings.jwtAudience);
  const hasher = new BcryptPasswordHasher(settings.bcryptCost);
  const tokens = new CryptoTokenGenerator();
  const policy = new PasswordPolicy(new Set(dictionary['passwords-common'].map((p) => p.toLowerCase())));
  const userAgents = new UaParserUserAgentParser();
  const revocations = new MemoryRevocationStore(settings.accessTokenTtl, clock);

  // The same wiring as the container (createDomainServices), over in-memory adapters.
  const { sessions, lockout, auth, users } = createDomainServices(
    { uow, revocations, tokens, userAgents, clock, hasher, policy, signer },
    { ...settings, loginMaxFailures: settings.maxFailures, loginLockSeconds: settings.lockSeconds },
  );

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
    auth,
    users,
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
