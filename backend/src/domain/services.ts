// Wires the domain services to the ports they need. The composition root and the unit-test fakes both call
// this, so tests exercise the same collaboration as production, only with other adapters.
import { AuthService } from './auth.service';
import { LockoutPolicy } from './lockout';
import { PasswordPolicy } from './password-policy';
import type { AccessTokenSigner, Clock, PasswordHasher, RevocationStore, TokenGenerator, UnitOfWork, UserAgentParser } from './ports';
import { SessionService } from './session.service';
import { UserService } from './user.service';

export interface DomainPorts {
  uow: UnitOfWork;
  revocations: RevocationStore;
  tokens: TokenGenerator;
  userAgents: UserAgentParser;
  clock: Clock;
  hasher: PasswordHasher;
  policy: PasswordPolicy;
  signer: AccessTokenSigner;
}

export interface DomainSettings {
  registrationMode: 'open' | 'approval';
  accessTokenTtl: number;
  refreshTokenTtl: number;
  sessionIdleTtl: number;
  maxSessionsPerUser: number;
  loginMaxFailures: number;
  loginLockSeconds: number;
  mfaChallengeTtl: number;
  mfaChallengeMaxAttempts: number;
  /** See AuthSettings.refreshReuseGraceSeconds; default DEFAULT_REFRESH_REUSE_GRACE_SECONDS. */
  refreshReuseGraceSeconds?: number;
}

/** Default refresh grace window (seconds); why this value: docs/security.md, "Refresh grace window". */
export const DEFAULT_REFRESH_REUSE_GRACE_SECONDS = 10;

export function createDomainServices(p: DomainPorts, s: DomainSettings) {
  const sessions = new SessionService(p.uow, p.revocations, p.tokens, p.userAgents, p.clock, {
    refreshTokenTtl: s.refreshTokenTtl,
    sessionIdleTtl: s.sessionIdleTtl,
    maxSessionsPerUser: s.maxSessionsPerUser,
  });
  const lockout = new LockoutPolicy(p.uow, p.clock, { maxFailures: s.loginMaxFailures, lockSeconds: s.loginLockSeconds });
  const auth = new AuthService(p.uow, sessions, lockout, p.hasher, p.policy, p.signer, p.revocations, p.tokens, p.clock, {
    registrationMode: s.registrationMode,
    accessTokenTtl: s.accessTokenTtl,
    mfaChallengeTtl: s.mfaChallengeTtl,
    mfaChallengeMaxAttempts: s.mfaChallengeMaxAttempts,
    refreshReuseGraceSeconds: s.refreshReuseGraceSeconds ?? DEFAULT_REFRESH_REUSE_GRACE_SECONDS,
  });
  const users = new UserService(p.uow, sessions, p.hasher, p.tokens, p.policy);
  return { sessions, lockout, auth, users };
}
