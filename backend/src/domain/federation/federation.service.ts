// Sign-in with an upstream OpenID Connect provider, and linking one to an account, without account takeover
// (issue 27, docs/federation.md). An upstream identity is matched only by (provider, sub) of a link. Without a
// link, a verified upstream email may create a new account, but never attaches to an existing one: the owner
// proves the account first (sign-in with its own methods, 2FA included) and links from a signed-in session.
// The sign-in itself goes through AuthService, on the path every other sign-in takes (2FA, new-device alert).
import { auditEntry } from '../audit';
import type { AuthService, LoginResult } from '../auth.service';
import { canonicalEmail } from '../email';
import { hasUsablePassword } from '../password-policy';
import { DomainError, Errors } from '../errors';
import type { LockoutPolicy } from '../lockout';
import type { Clock, TokenGenerator, UnitOfWork } from '../ports';
import type { SessionService } from '../session.service';
import type { SecretCipher } from '../two-factor.ports';
import type { RequestContext, User } from '../types';
import type { UpstreamIdentityProviders } from './ports';
import { FederationRefused, type FederatedIdentity, type UpstreamIdentity, type UpstreamProviderInfo } from './types';

/** passwordHash of an account made by a federated sign-in: not a bcrypt hash, so no password matches it. */
export const NO_PASSWORD = '!federated';


export interface FederationSettings {
  registrationMode: 'open' | 'approval';
  /** Seconds the browser has between leaving for the upstream and coming back (FEDERATION_STATE_TTL). */
  stateTtl: number;
  /** REAUTH_WINDOW_SECONDS: linking without the password only this soon after the session signed in. */
  reauthWindow: number;
}

/** Who started the flow: anyone signing in, or a signed-in session linking a provider to its account. */
export type FederationIntent = { kind: 'sign_in' } | { kind: 'link'; userId: string; sessionId: string };

/** What the browser keeps sealed (encrypted and authenticated) between start and callback. */
interface PendingFederation {
  v: 1;
  provider: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  intent: FederationIntent;
  /** Where the web app continues after a sign-in (an app's authorization request), else the sign-in page. */
  returnTo?: string | null;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export type FederationOutcome =
  | { kind: 'signed_in'; provider: string; result: LoginResult; returnTo: string | null }
  | { kind: 'linked'; provider: string };

/** A linked provider as the account page lists it. */
export interface LinkedProvider {
  provider: string;
  name: string;
  email: string | null;
  createdAt: Date;
}

// Associated data of the sealed state: a TOTP secret sealed with the same key can never pass as one.
const SEAL_PURPOSE = 'federation-state/v1';

export class FederationService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly upstreams: UpstreamIdentityProviders,
    private readonly auth: AuthService,
    private readonly sessions: SessionService,
    private readonly lockout: LockoutPolicy,
    private readonly cipher: SecretCipher,
    private readonly tokens: TokenGenerator,
    private readonly clock: Clock,
    private readonly settings: FederationSettings,
  ) {}

  providers(): UpstreamProviderInfo[] {
    return this.upstreams.list();
  }

  hasProvider(providerId: string): boolean {
    return this.upstreams.has(providerId);
  }

  /**
   * Sign-in: the upstream's authorization URL, and the sealed state the browser keeps until it comes back.
   * `returnTo`: a web-app path (checked by the caller) the browser continues at afterwards.
   */
  startSignIn(providerId: string, redirectUri: string, returnTo: string | null = null): Promise<{ url: string; sealed: string }> {
    return this.start(providerId, redirectUri, { kind: 'sign_in' }, returnTo);
  }

  /**
   * Linking from a signed-in session. A new way into the account, so it asks what adding a passkey asks: the
   * password, or a session that signed in within REAUTH_WINDOW_SECONDS (a stolen access token alone must not
   * let someone attach their own upstream account). Wrong passwords count toward the lockout.
   */
  async startLink(userId: string, sessionId: string, providerId: string, redirectUri: string, password: string | null, ctx: RequestContext): Promise<{ url: string; sealed: string }> {
    if (!this.upstreams.has(providerId)) throw Errors.notFound('Provider');
    const user = await this.uow.direct.users.findById(userId);
    if (!user || user.deletedAt) throw Errors.sessionTerminated();
    if (password !== null) {
      await this.lockout.checkPassword(user, password, ctx, 'federation_link');
      await this.lockout.recordSuccess(user);
    } else {
      const windowMs = this.settings.reauthWindow * 1000;
      const session = windowMs > 0 ? await this.uow.direct.sessions.findById(sessionId) : null;
      // createdAt is when this session's sign-in happened; refresh rotations never make it recent again.
      if (!session || session.userId !== userId || this.clock.now().getTime() - session.createdAt.getTime() > windowMs) throw Errors.reauthRequired();
    }
    return this.start(providerId, redirectUri, { kind: 'link', userId, sessionId });
  }

  private async start(providerId: string, redirectUri: string, intent: FederationIntent, returnTo: string | null = null): Promise<{ url: string; sealed: string }> {
    if (!this.upstreams.has(providerId)) throw Errors.notFound('Provider');
    const request = await this.upstreams.begin(providerId, redirectUri);
    const pending: PendingFederation = {
      v: 1,
      provider: providerId,
      state: request.state,
      nonce: request.nonce,
      codeVerifier: request.codeVerifier,
      intent,
      returnTo,
      expiresAt: this.clock.now().getTime() + this.settings.stateTtl * 1000,
    };
    return { url: request.url, sealed: this.cipher.encrypt(JSON.stringify(pending), SEAL_PURPOSE) };
  }

  /**
   * The upstream sent the browser back: checks the sealed state against the response, has the adapter redeem
   * the code and validate the id_token, then signs in (or creates the account) or links. Throws
   * FederationRefused for every refusal the person should be told about.
   */
  async finish(sealed: string | null, providerId: string, callbackUrl: URL, redirectUri: string, ctx: RequestContext, deviceName: string | null): Promise<FederationOutcome> {
    const pending = this.open(sealed);
    if (!pending || pending.provider !== providerId) throw new FederationRefused('invalid_state', 'The sign-in state is missing, expired or not this provider\'s');
    if (pending.intent.kind === 'link') {
      const intent = pending.intent;
      try {
        await this.link(intent, providerId, await this.upstreams.finish(providerId, callbackUrl, redirectUri, pending), ctx);
      } catch (err) {
        if (err instanceof FederationRefused) err.duringLink = true;
        throw err;
      }
      return { kind: 'linked', provider: providerId };
    }
    const returnTo = pending.returnTo ?? null;
    try {
      const identity = await this.upstreams.finish(providerId, callbackUrl, redirectUri, pending);
      return { kind: 'signed_in', provider: providerId, result: await this.signIn(providerId, identity, ctx, deviceName), returnTo };
    } catch (err) {
      if (err instanceof FederationRefused) err.returnTo = returnTo;
      throw err;
    }
  }

  private open(sealed: string | null): PendingFederation | null {
    if (!sealed) return null;
    try {
      const p = JSON.parse(this.cipher.decrypt(sealed, SEAL_PURPOSE)) as PendingFederation;
      if (p.v !== 1 || typeof p.expiresAt !== 'number' || p.expiresAt <= this.clock.now().getTime()) return null;
      return p;
    } catch {
      return null;
    }
  }

  private async signIn(provider: string, identity: UpstreamIdentity, ctx: RequestContext, deviceName: string | null): Promise<LoginResult> {
    const link = await this.uow.direct.federatedIdentities.findBySubject(provider, identity.subject);
    if (link) {
      const user = await this.uow.direct.users.findById(link.userId);
      if (!user || user.deletedAt) throw new FederationRefused('invalid_state', 'The linked account no longer exists');
      return this.signInAs(user, provider, identity, ctx, deviceName);
    }
    const email = identity.email ? canonicalEmail(identity.email) : null;
    if (!email || !identity.emailVerified) {
      await this.uow.direct.audit.record(auditEntry(null, 'federation.refused', ctx, { provider, reason: 'email_unverified' }));
      throw new FederationRefused('email_unverified');
    }
    // An account with this address: never linked by email alone (whoever controls an upstream account with
    // the victim's address would otherwise walk in). The owner proves the account and links it themselves.
    const existing = await this.uow.direct.users.findByEmail(email);
    if (existing) {
      await this.uow.direct.audit.record(auditEntry(existing.deletedAt ? null : existing.id, 'federation.refused', ctx, { provider, reason: 'link_requires_sign_in' }));
      throw new FederationRefused('link_requires_sign_in');
    }
    const user = await this.createAccount(provider, identity, email, ctx);
    if (user.status === 'pending') throw new FederationRefused('account_pending');
    return this.signInAs(user, provider, identity, ctx, deviceName);
  }

  private async signInAs(user: User, provider: string, identity: UpstreamIdentity, ctx: RequestContext, deviceName: string | null): Promise<LoginResult> {
    try {
      return await this.auth.loginFederated(user, { provider, amr: identity.amr, deviceName }, ctx);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'ACCOUNT_PENDING') throw new FederationRefused('account_pending');
      if (err instanceof DomainError && (err.code === 'ACCOUNT_DISABLED' || err.code === 'EMAIL_NOT_VERIFIED')) throw new FederationRefused('account_disabled');
      throw err;
    }
  }

  /** A new account from a verified upstream email, linked in the same transaction (held for approval in approval mode). */
  private async createAccount(provider: string, identity: UpstreamIdentity, email: string, ctx: RequestContext): Promise<User> {
    const status = this.settings.registrationMode === 'approval' ? 'pending' : 'active';
    try {
      return await this.uow.run(async (r) => {
        const user = await r.users.create({ id: this.tokens.uuid(), email, username: null, passwordHash: NO_PASSWORD, role: 'user', status, emailVerified: true });
        if (!(await r.federatedIdentities.create({ id: this.tokens.uuid(), userId: user.id, provider, subject: identity.subject, email }))) {
          throw new FederationRefused('linked_elsewhere');
        }
        await r.audit.record(auditEntry(user.id, 'user.registered', ctx, { status, via: 'federation', provider }));
        await r.audit.record(auditEntry(user.id, 'federation.linked', ctx, { provider, via: 'sign_up' }));
        return user;
      });
    } catch (err) {
      // Someone registered the address meanwhile: the same answer as when it existed before.
      if (err instanceof DomainError && err.code === 'EMAIL_TAKEN') throw new FederationRefused('link_requires_sign_in');
      throw err;
    }
  }

  /** Links the upstream identity to the account of the session that started the flow (which must still be live). */
  private async link(intent: { userId: string; sessionId: string }, provider: string, identity: UpstreamIdentity, ctx: RequestContext): Promise<void> {
    const session = await this.uow.direct.sessions.findById(intent.sessionId);
    if (!session || session.userId !== intent.userId || !this.sessions.isLive(session)) throw new FederationRefused('session_ended');
    await this.uow.run(async (r) => {
      const owner = await r.federatedIdentities.findBySubject(provider, identity.subject);
      if (owner) {
        if (owner.userId === intent.userId) return;
        await r.audit.record(auditEntry(intent.userId, 'federation.refused', ctx, { provider, reason: 'linked_elsewhere' }));
        throw new FederationRefused('linked_elsewhere');
      }
      const email = identity.email ? canonicalEmail(identity.email) : null;
      if (!(await r.federatedIdentities.create({ id: this.tokens.uuid(), userId: intent.userId, provider, subject: identity.subject, email }))) {
        throw new FederationRefused('already_linked');
      }
      await r.audit.record(auditEntry(intent.userId, 'federation.linked', ctx, { provider, via: 'session', sessionId: intent.sessionId }));
    });
  }

  async linked(userId: string): Promise<LinkedProvider[]> {
    const names = new Map(this.upstreams.list().map((p) => [p.id, p.name]));
    return (await this.uow.direct.federatedIdentities.listForUser(userId)).map((l: FederatedIdentity) => ({
      provider: l.provider,
      name: names.get(l.provider) ?? l.provider,
      email: l.email,
      createdAt: l.createdAt,
    }));
  }

  /** Removes a link; refused when it is the account's last way to sign in (no password, passkey or other link). */
  async unlink(userId: string, provider: string, ctx: RequestContext): Promise<void> {
    await this.uow.run(async (r) => {
      const user = await r.users.findById(userId);
      if (!user || user.deletedAt) throw Errors.sessionTerminated();
      const links = await r.federatedIdentities.listForUser(userId);
      if (!links.some((l) => l.provider === provider)) throw Errors.notFound('Linked provider');
      const others = links.length - 1 + (await r.passkeys.countForUser(userId));
      if (others === 0 && !hasUsablePassword(user)) throw Errors.lastSignInMethod();
      await r.federatedIdentities.delete(userId, provider);
      await r.audit.record(auditEntry(userId, 'federation.unlinked', ctx, { provider }));
    });
  }
}
