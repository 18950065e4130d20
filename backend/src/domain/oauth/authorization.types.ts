// The authorization code flow's records (RFC 6749 §4.1, RFC 7636, OIDC Core §3.1): plain data.

/** OIDC Core §3.1.2.1 prompt values we implement (select_account has no meaning with one account per browser). */
export type Prompt = 'none' | 'login' | 'consent';

/** One /oauth/authorize request from validation to its code's exchange (table oauth_authorizations). */
export interface Authorization {
  id: string;
  clientId: string;
  redirectUri: string;
  scope: string[];
  state: string | null;
  nonce: string | null;
  /** RFC 7636 S256 challenge (the only method accepted). */
  codeChallenge: string;
  prompt: Prompt[];
  maxAge: number | null;
  loginHint: string | null;
  uiLocales: string | null;
  /** RFC 8707: the registered resource the request named (the tokens' `aud`); null = none. */
  resource: string | null;
  createdAt: Date;
  /** The pending request (the web app's handle) is usable until then. */
  expiresAt: Date;
  // Set when the user approves and the code is issued:
  userId: string | null;
  /** The signed-in browser session that approved; the client's session is issued from it (Session.parentSessionId). */
  browserSessionId: string | null;
  authTime: Date | null;
  amr: string[];
  acr: string | null;
  codeExpiresAt: Date | null;
  // Set by the exchange:
  consumedAt: Date | null;
  /** The session the code's tokens live in (revoked when the code is replayed). */
  issuedSessionId: string | null;
}

export type NewAuthorization = Pick<
  Authorization,
  'id' | 'clientId' | 'redirectUri' | 'scope' | 'state' | 'nonce' | 'codeChallenge' | 'prompt' | 'maxAge' | 'loginHint' | 'uiLocales' | 'resource' | 'createdAt' | 'expiresAt'
> & { handleHash: string };

/** What an approval writes onto the pending request, together with the code's hash. */
export interface CodeIssue {
  codeHash: string;
  /** null when the request is closed with an error (no usable code exists). */
  userId: string | null;
  browserSessionId: string | null;
  scope: string[];
  authTime: Date;
  amr: string[];
  acr: string;
  codeExpiresAt: Date;
}

/** An application the user granted access (the account web app's "Connected apps"). */
export interface ConnectedApp {
  clientId: string;
  name: string;
  clientUri: string | null;
  logoUri: string | null;
  scopes: string[];
  grantedAt: Date;
  /** The last refresh or sign-in of any of its sessions for this user; null when it holds none. */
  lastUsedAt: Date | null;
  /** Live sessions the app holds for this user. */
  activeSessions: number;
}

/** A remembered consent: the scopes a user granted a client. */
export interface Consent {
  userId: string;
  clientId: string;
  scopes: string[];
  createdAt: Date;
  updatedAt: Date;
}
