// Wires the OAuth services to their ports (the composition root and tests call this).
import type { AuthService } from '../auth.service';
import type { AccessTokenSigner, Clock, RevocationStore, TokenGenerator, UnitOfWork } from '../ports';
import type { SessionService } from '../session.service';
import { AuthorizationService } from './authorization.service';
import { OAuthClientService } from './client.service';
import { CodeGrantService } from './code-grant.service';
import { LogoutService } from './logout.service';
import { ConnectedAppsService } from './connected-apps.service';
import type { AuthorizationStore, ClientSecrets, ClientTokenRevocations, ConsentStore, IdTokenSigner, OAuthClientLookup, OAuthClientStore } from './ports';
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
}

/** oidc-provider's defaults: a code lives 60 s; the sign-in and consent in between get 10 minutes. */
const CODE_TTL_SECONDS = 60;
const REQUEST_TTL_SECONDS = 600;

export interface OAuthSettings {
  accessTokenTtl: number;
  issuer: string;
  secretRotationOverlap: number;
  /** OAUTH_RESOURCES (RFC 8707). */
  resources: readonly string[];
}

export function createOAuthServices(p: OAuthPorts, s: OAuthSettings, core: { auth: AuthService; sessions: SessionService }) {
  const oauthClients = new OAuthClientService(p.store, p.lookup, p.secrets, p.tokens, p.clock, {
    secretRotationOverlap: s.secretRotationOverlap,
    maxAccessTokenTtl: s.accessTokenTtl,
  }, p.uow, p.revocations);
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
  const logout = new LogoutService(oauthClients, core.sessions, p.idTokens, p.clock);
  const connectedApps = new ConnectedAppsService(p.consents, core.sessions, p.uow, p.clock);
  return { oauthClients, oauthTokens, authorizations, codeGrant, logout, connectedApps };
}
