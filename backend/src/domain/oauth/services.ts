// Wires the OAuth services to their ports (the composition root and tests call this).
import type { AuthService } from '../auth.service';
import type { AccessTokenSigner, Clock, RevocationStore, TokenGenerator, UnitOfWork } from '../ports';
import type { SessionService } from '../session.service';
import { OAuthClientService } from './client.service';
import type { ClientSecrets, ClientTokenRevocations, OAuthClientLookup, OAuthClientStore } from './ports';
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
}

export interface OAuthSettings {
  accessTokenTtl: number;
  issuer: string;
  secretRotationOverlap: number;
}

export function createOAuthServices(p: OAuthPorts, s: OAuthSettings, core: { auth: AuthService; sessions: SessionService }) {
  const oauthClients = new OAuthClientService(p.store, p.lookup, p.secrets, p.tokens, p.clock, {
    secretRotationOverlap: s.secretRotationOverlap,
    maxAccessTokenTtl: s.accessTokenTtl,
  }, p.uow, p.revocations);
  const oauthTokens = new OAuthTokenService(oauthClients, core.auth, core.sessions, p.uow, p.signer, p.revocations, p.tokens, p.clock, {
    accessTokenTtl: s.accessTokenTtl,
    // Read when used: the development issuer is only known once the server listens (container.ts).
    get issuer() {
      return s.issuer;
    },
  }, p.clientTokenRevocations);
  return { oauthClients, oauthTokens };
}
