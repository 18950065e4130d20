// Federated sign-in (issue 27, docs/federation.md): plain data of linked upstream identities.

/** A user's identity at an upstream OpenID Connect provider: the provider's configured id and its `sub`. */
export interface FederatedIdentity {
  id: string;
  userId: string;
  /** The provider's id in FEDERATION_PROVIDERS (e.g. `google`). */
  provider: string;
  /** The upstream's `sub`: stable and unique per provider, the only thing a sign-in is matched on. */
  subject: string;
  /** The upstream's email when it was linked: shown to the user, never used to find an account. */
  email: string | null;
  createdAt: Date;
}

export type NewFederatedIdentity = Omit<FederatedIdentity, 'createdAt'> & { createdAt?: Date };

/** An enabled upstream provider as the sign-in page shows it. */
export interface UpstreamProviderInfo {
  id: string;
  name: string;
}

/** What the upstream's validated id_token says about the person (its tokens are not kept). */
export interface UpstreamIdentity {
  subject: string;
  email: string | null;
  /** Only a `true` email_verified claim counts: absent or false never creates an account nor matches one. */
  emailVerified: boolean;
  /** RFC 8176 methods the upstream reports (`amr`), recorded in the audit event; empty when none. */
  amr: string[];
}

/** The one-time values of an authorization request toward the upstream, kept by the browser sealed. */
export interface UpstreamRequest {
  url: string;
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** Why a federated sign-in or link did not happen; the web app shows a message per reason. */
export type FederationRefusal =
  /** The person said no at the upstream (`error=access_denied`), or the upstream answered with another error. */
  | 'access_denied'
  | 'upstream_error'
  /** The upstream could not be reached (discovery, token endpoint, JWKS). */
  | 'upstream_unavailable'
  /** No, an expired or a tampered sign-in state (state, nonce, PKCE, id_token checks). */
  | 'invalid_state'
  /** An account with this email exists: the owner signs in with it first and links from the account page. */
  | 'link_requires_sign_in'
  /** The upstream did not vouch for the email: no account is made from it and none is matched by it. */
  | 'email_unverified'
  /** This upstream identity is linked to another account already. */
  | 'linked_elsewhere'
  /** The account has another identity of this provider linked already (unlink it first). */
  | 'already_linked'
  /** The session that started a link has ended meanwhile. */
  | 'session_ended'
  | 'account_pending'
  | 'account_disabled';

export class FederationRefused extends Error {
  /** The flow was a link from the account page (the person is told there, not on the sign-in page). */
  duringLink = false;
  /** The web-app path the sign-in was started from (an app's authorization request), told there. */
  returnTo: string | null = null;

  constructor(readonly reason: FederationRefusal, message: string = reason) {
    super(message);
    this.name = 'FederationRefused';
  }
}
