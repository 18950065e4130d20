// The whole domain wiring in one place: which service gets which ports and which slice of the settings.
// The composition root (container.ts), the unit-test fakes and the integration tests all call this, so tests
// exercise the same collaboration as production, only with other adapters.
import { AccountDeletion } from './account-deletion';
import { AuthService, type AuthSettings } from './auth.service';
import { LockoutPolicy, type LockoutSettings } from './lockout';
import { PasswordPolicy } from './password-policy';
import type { AccessTokenSigner, Clock, DeviceIdentifier, IpLocator, PasswordHasher, RevocationStore, TokenGenerator, UnitOfWork, UserAgentParser } from './ports';
import { AccountRecoveryService, type RecoverySettings } from './account-recovery.service';
import { EmailVerification, type EmailVerificationSettings } from './email-verification';
import { NewDeviceAlerts, type NewDeviceSettings } from './new-device-alerts';
import { SessionActivity } from './session-activity';
import { SignInLocations, type GeoSettings } from './sign-in-locations';
import { SessionService, type SessionSettings } from './session.service';
import { TwoFactorService, type TwoFactorSettings } from './two-factor.service';
import type { BackupCodeHasher, QrCodeRenderer, RandomSource, SecretCipher, TotpProvider } from './two-factor.ports';
import { TrustedDeviceService } from './trusted-devices';
import { UserService } from './user.service';
import { RoleService } from './roles/role.service';
import { PasskeyService } from './passkeys/passkey.service';
import type { WebAuthnRelyingParty } from './passkeys/ports';
import { FederationService } from './federation/federation.service';
import type { UpstreamIdentityProviders } from './federation/ports';
import { FederationRefused } from './federation/types';
import { withSecurityNotices } from './security-notices';
import { AdminConsole } from './admin-console';
import { RecentAdminSignIn } from './admin-reauth';

/** No upstream providers configured: nothing to list, nothing to start. */
const NO_UPSTREAMS: UpstreamIdentityProviders = {
  list: () => [],
  has: () => false,
  begin: () => Promise.reject(new FederationRefused('invalid_state', 'Unknown provider')),
  finish: () => Promise.reject(new FederationRefused('invalid_state', 'Unknown provider')),
};

export interface DomainPorts {
  uow: UnitOfWork;
  revocations: RevocationStore;
  tokens: TokenGenerator;
  userAgents: UserAgentParser;
  clock: Clock;
  hasher: PasswordHasher;
  policy: PasswordPolicy;
  signer: AccessTokenSigner;
  totp: TotpProvider;
  cipher: SecretCipher;
  qr: QrCodeRenderer;
  /** A cheaper slow hash than `hasher`: a login with a backup code compares against up to ten hashes. */
  backupCodeHasher: BackupCodeHasher;
  random: RandomSource;
  /** Tells devices apart for new-device alerts. */
  devices: DeviceIdentifier;
  /** The WebAuthn relying party (passkeys). */
  webauthn: WebAuthnRelyingParty;
  /** Where sign-ins come from (issue 33); absent = no locations (some unit tests). */
  locator?: IpLocator;
  /** Upstream OpenID Connect providers (FEDERATION_PROVIDERS); absent = none. */
  upstreams?: UpstreamIdentityProviders;
}

/** The slices of Config the domain reads; Config satisfies it as it is (same group and key names). */
export interface DomainSettings {
  accounts: AuthSettings['accounts'];
  tokens: AuthSettings['tokens'];
  sessions: SessionSettings;
  lockout: LockoutSettings;
  twoFactor: TwoFactorSettings;
  /** securityNotices: SECURITY_NOTICES (absent = on). */
  recovery: RecoverySettings & EmailVerificationSettings & NewDeviceSettings & { securityNotices?: boolean };
  passkeys: { challengeTtl: number };
  /** Absent = the defaults (no 2FA for new countries, impossible travel over an hour). */
  geo?: GeoSettings;
  /** Absent = the default (10 minutes at the upstream). */
  federation?: { stateTtl: number };
}

export interface DomainServices {
  sessions: SessionService;
  lockout: LockoutPolicy;
  twoFactor: TwoFactorService;
  auth: AuthService;
  users: UserService;
  trustedDevices: TrustedDeviceService;
  /** lastSeenAt / last IP of sessions, written at most once a minute each. */
  activity: SessionActivity;
  accountDeletion: AccountDeletion;
  recovery: AccountRecoveryService;
  passkeys: PasskeyService;
  /** Sign-in with upstream OpenID Connect providers and linking them (docs/federation.md). */
  federation: FederationService;
  /** Roles and permissions (issue 28). */
  roles: RoleService;
  /** The administrator's console: find, a user's page, disable, enable, reject, reset mail, delete (issue 28). */
  adminConsole: AdminConsole;
  recentAdmin: RecentAdminSignIn;
}

export function createDomainServices(ports: DomainPorts, s: DomainSettings): DomainServices {
  // Every service's unit of work queues the owner's security notice with each change (security-notices.ts).
  const p = s.recovery.securityNotices === false ? ports : { ...ports, uow: withSecurityNotices(ports.uow, ports.clock) };
  const newDevices = new NewDeviceAlerts(p.devices, p.tokens, p.clock, s.recovery);
  const locations = p.locator ? new SignInLocations(p.locator, p.clock, s.geo ?? { requireSecondFactorNewCountry: false, impossibleTravelWindow: 3600 }) : null;
  const sessions = new SessionService(p.uow, p.revocations, p.tokens, p.userAgents, p.clock, s.sessions, newDevices, locations);
  const lockout = new LockoutPolicy(p.uow, p.clock, s.lockout, p.hasher);
  const verification = new EmailVerification(p.tokens, p.clock, s.recovery);
  const twoFactor = new TwoFactorService(p.uow, p.totp, p.cipher, p.qr, p.backupCodeHasher, p.tokens, p.random, p.clock, s.twoFactor, sessions, lockout);
  const trustedDevices = new TrustedDeviceService(p.uow, p.tokens, p.userAgents, p.clock, s.twoFactor);
  const passkeys = new PasskeyService(p.uow, p.webauthn, p.tokens, p.clock, { challengeTtl: s.passkeys.challengeTtl, reauthWindow: s.twoFactor.reauthWindow }, lockout);
  const roles = new RoleService(p.uow, p.revocations, p.clock);
  const auth = new AuthService(p.uow, sessions, lockout, p.hasher, p.policy, p.signer, p.revocations, p.tokens, twoFactor, p.clock, s, trustedDevices, verification, passkeys, roles);
  const users = new UserService(p.uow, sessions, p.hasher, p.tokens, p.policy, p.userAgents);
  const recovery = new AccountRecoveryService(p.uow, p.revocations, p.hasher, p.policy, p.tokens, verification, p.clock, s.recovery, twoFactor);
  const activity = new SessionActivity(p.uow, p.clock, undefined, undefined, p.locator ?? null);
  const accountDeletion = new AccountDeletion(p.uow, sessions, twoFactor, p.clock);
  const federation = new FederationService(p.uow, p.upstreams ?? NO_UPSTREAMS, auth, sessions, lockout, p.cipher, p.tokens, p.clock, {
    registrationMode: s.accounts.registrationMode,
    stateTtl: s.federation?.stateTtl ?? 600,
    reauthWindow: s.twoFactor.reauthWindow,
  });
  const adminConsole = new AdminConsole(p.uow, sessions, users, roles, recovery, accountDeletion, p.clock);
  const recentAdmin = new RecentAdminSignIn(p.uow, sessions, p.clock, { reauthWindow: s.twoFactor.reauthWindow });
  return { sessions, lockout, twoFactor, auth, users, recovery, activity, accountDeletion, trustedDevices, passkeys, federation, roles, adminConsole, recentAdmin };
}
