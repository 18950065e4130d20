// Wires the OAuth services to their ports (the composition root and tests call this).
import type { AuthService } from '../auth.service';
import type { AccessTokenSigner, Clock, RevocationStore, TokenGenerator, UnitOfWork } from '../ports';
import type { SessionService } from '../session.service';
import { AuthorizationService } from './authorization.service';
import { OAuthClientService } from './client.service';
import { CodeGrantService } from './code-grant.service';
import { DeviceGrantService } from './device-grant.service';
import { LogoutService } from './logout.service';
import { ConnectedAppsService } from './connected-apps.service';
import { ClientMetadataDocuments } from './client-metadata';
import type { AuthorizationStore, ClientMetadataFetcher, ClientSecrets, ClientTokenRevocations, ConsentStore, DeviceAuthorizationStore, IdTokenSigner, OAuthClientLookup, OAuthClientStore } from './ports';
import { ClientRegistrationService, type RegistrationMode } from './registration.service';
import { OAuthTokenService } from './token.service';

export interface OAuthPorts {
  store: OAuthClientStore;
  lookup: OAuthClientLookup;
  secrets: ClientSecrets;
  clientTokenRevocations: ClientTokenRevocations;
  uow: UnitOfWork;
  revocations: RevocationStore;
  tokens: TokenGenerator;
  signer: AccessTokenSigner;
  clock: Clock;
  /** The authorization code flow and OpenID Connect. */
  authorizations: AuthorizationStore;
  consents: ConsentStore;
  idTokens: IdTokenSigner;
  /** The Device Authorization Grant (RFC 8628). */
  devices: DeviceAuthorizationStore;
  /** Client ID Metadata Documents (absent: not accepted, whatever the settings say). */
  metadataFetcher?: ClientMetadataFetcher;
}

/** oidc-provider's defaults: a code lives 60 s; the sign-in and consent in between get 10 minutes. */
const CODE_TTL_SECONDS = 60;
const REQUEST_TTL_SECONDS = 600;
/** RFC 8628 §3.2: a device code lives 10 minutes (as a pending authorization request); polls every 5 s at first (the RFC's default). */
const DEVICE_CODE_TTL_SECONDS = 600;
const DEVICE_POLL_INTERVAL_SECONDS = 5;

export interface OAuthSettings {
  accessTokenTtl: number;
  issuer: string;
  secretRotationOverlap: number;
  /** OAUTH_RESOURCES (RFC 8707). */
  resources: readonly string[];
  /** Client registration (issue 25): RFC 7591 and Client ID Metadata Documents; absent = both off. */
  registration?: {
    mode: RegistrationMode;
    initialAccessToken: string | null;
    scopes: readonly string[];
    metadataDocuments: boolean;
    metadataAllowPrivate: boolean;
  };
}

export function createOAuthServices(p: OAuthPorts, s: OAuthSettings, core: { auth: AuthService; sessions: SessionService }) {
  const r = s.registration ?? { mode: 'off', initialAccessToken: null, scopes: [], metadataDocuments: false, metadataAllowPrivate: false };
  const documents = p.metadataFetcher
    ? new ClientMetadataDocuments(p.metadataFetcher, { enabled: r.metadataDocuments, allowPrivate: r.metadataAllowPrivate, scopes: r.scopes })
    : null;
  const oauthClients = new OAuthClientService(p.store, p.lookup, p.secrets, p.tokens, p.clock, {
    secretRotationOverlap: s.secretRotationOverlap,
    maxAccessTokenTtl: s.accessTokenTtl,
  }, p.uow, p.revocations, documents);
  const oauthTokens = new OAuthTokenService(oauthClients, core.auth, core.sessions, p.uow, p.signer, p.revocations, p.tokens, p.clock, {
    accessTokenTtl: s.accessTokenTtl,
    resources: s.resources,
    // Read when used: the development issuer is only known once the server listens (container.ts).
    get issuer() {
      return s.issuer;
    },
  }, p.clientTokenRevocations);
  const oidcSettings = {
    accessTokenTtl: s.accessTokenTtl,
    codeTtl: CODE_TTL_SECONDS,
    requestTtl: REQUEST_TTL_SECONDS,
    resources: s.resources,
    get issuer() {
      return s.issuer;
    },
  };
  const authorizations = new AuthorizationService(p.authorizations, p.consents, oauthClients, core.sessions, p.uow, p.tokens, p.clock, oidcSettings);
  const codeGrant = new CodeGrantService(p.authorizations, oauthClients, core.sessions, p.uow, p.signer, p.idTokens, p.revocations, p.tokens, p.clock, oidcSettings);
  const deviceGrant = new DeviceGrantService(p.devices, p.consents, oauthClients, codeGrant, core.sessions, p.uow, p.tokens, p.clock, {
    resources: s.resources,
    codeTtl: DEVICE_CODE_TTL_SECONDS,
    interval: DEVICE_POLL_INTERVAL_SECONDS,
    get issuer() {
      return s.issuer;
    },
  });
  const logout = new LogoutService(oauthClients, core.sessions, p.idTokens, p.clock);
  const connectedApps = new ConnectedAppsService(p.consents, core.sessions, p.uow, p.clock);
  const registration = new ClientRegistrationService(oauthClients, p.secrets, p.uow, { mode: r.mode, initialAccessToken: r.initialAccessToken, scopes: r.scopes });
  return { oauthClients, oauthTokens, authorizations, codeGrant, deviceGrant, logout, connectedApps, registration, metadataDocuments: documents?.enabled ?? false };
}
