// RS256 access tokens with jsonwebtoken. Verification pins the algorithm (no `none`, no HS256 with the
// public key), picks the key by `kid` (unknown kid = invalid) and checks issuer, audience and expiry.
import jwt from 'jsonwebtoken';
import { randomUUID, type KeyObject } from 'node:crypto';
import { Errors } from '../../domain/errors';
import type { AccessTokenOptions, AccessTokenSigner } from '../../domain/ports';
import type { AccessClaims, ClientAccessClaims } from '../../domain/types';
import type { SigningKeys } from './signing-keys';
import type { SigningThreadPool } from './signing-thread-pool';

/** Distinct token headers remembered; all our tokens share one header per key, so this never fills up in practice. */
const HEADER_CACHE_MAX = 64;
/** Tokens whose signature was already verified, kept until their exp (bounded; cleared when full). */
const VERIFIED_CACHE_MAX = 20_000;

export class JwtAccessTokenSigner implements AccessTokenSigner {
  /** Encoded header segment → verification key: skips decoding the header of every request twice. */
  private readonly keyByHeader = new Map<string, KeyObject>();
  /**
   * Exact token string → its verified claims. An RSA verification is the largest cost of authenticating a
   * request, and a client presents the same access token on every request for up to 15 minutes; the same
   * bytes verify the same way, so only expiry needs checking again. Revocation is checked by the caller on
   * every request, cached or not.
   */
  private readonly verified = new Map<string, Readonly<AccessClaims>>();

  constructor(
    private readonly keys: SigningKeys,
    private issuer: string,
    private audience: string,
    /** Signs on worker threads when given (see signing-thread-pool.ts); on the event loop otherwise. */
    private readonly pool: SigningThreadPool | null = null,
    /** OAUTH_RESOURCES: further audiences a token may carry (RFC 8707), accepted only by verify(token, {anyResource}). */
    private readonly resources: readonly string[] = [],
  ) {}

  /**
   * The `iss`/`aud` from now on. Only for the development default (no PUBLIC_URL/JWT_ISSUER), which is the
   * URL of the port the server actually listens on, known once it listens (container.ts start); forgets the
   * verified tokens, which were checked against the old values.
   */
  useIssuer(issuer: string, audience: string): void {
    this.issuer = issuer;
    this.audience = audience;
    this.verified.clear();
  }

  async sign(claims: Omit<AccessClaims, 'iat' | 'exp' | 'iss' | 'aud' | 'jti'> | ClientAccessClaims, ttlSeconds: number, extra: AccessTokenOptions = {}): Promise<string> {
    const options: jwt.SignOptions = {
      algorithm: 'RS256',
      keyid: this.keys.kid,
      expiresIn: ttlSeconds,
      issuer: this.issuer,
      audience: extra.audience ?? this.audience,
      jwtid: randomUUID(),
      // jsonwebtoken merges this over its own {alg, typ: 'JWT', kid}.
      ...(extra.typ ? { header: { alg: 'RS256', kid: this.keys.kid, typ: extra.typ } } : {}),
    };
    if (this.pool) return this.pool.sign({ ...claims }, options);
    return jwt.sign({ ...claims }, this.keys.privateKey, options);
  }

  verify(token: string, options?: { anyResource?: boolean }): AccessClaims {
    const claims = this.verifyAnyAudience(token);
    // A token for a registered resource (RFC 8707) is for that service, never for this server's own APIs.
    if (claims.aud !== this.audience && !options?.anyResource) throw Errors.invalidToken();
    return claims;
  }

  private verifyAnyAudience(token: string): Readonly<AccessClaims> {
    const cached = this.verified.get(token);
    if (cached) {
      // Same rule as jsonwebtoken: expired once now >= exp (seconds).
      if (Math.floor(Date.now() / 1000) >= cached.exp) {
        this.verified.delete(token);
        throw Errors.tokenExpired();
      }
      return cached;
    }
    const claims = this.verifySignature(token);
    if (this.verified.size >= VERIFIED_CACHE_MAX) this.verified.clear();
    this.verified.set(token, claims);
    return claims;
  }

  private verifySignature(token: string): Readonly<AccessClaims> {
    const key = this.keyFor(token);
    let payload: jwt.JwtPayload;
    try {
      const audience: string | [string, ...string[]] = this.resources.length ? [this.audience, ...this.resources] : this.audience;
      payload = jwt.verify(token, key, { algorithms: ['RS256'], issuer: this.issuer, audience }) as jwt.JwtPayload;
    } catch (err) {
      if (err instanceof jwt.TokenExpiredError) throw Errors.tokenExpired();
      throw Errors.invalidToken();
    }
    if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string' || typeof payload.exp !== 'number') {
      throw Errors.invalidToken('Token lacks required claims');
    }
    return Object.freeze(payload as unknown as AccessClaims);
  }

  /**
   * Picks the public key named by the header's `kid`. The algorithm is pinned in verify(), so the header
   * only selects a key; an unknown kid or an unreadable header is INVALID_TOKEN.
   */
  private keyFor(token: string): KeyObject {
    const dot = token.indexOf('.');
    if (dot <= 0) throw Errors.invalidToken('Token is malformed');
    const segment = token.slice(0, dot);
    const cached = this.keyByHeader.get(segment);
    if (cached) return cached;
    let header: { kid?: unknown } | null = null;
    try {
      header = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as { kid?: unknown } | null;
    } catch {
      throw Errors.invalidToken('Token is malformed');
    }
    const key = typeof header?.kid === 'string' ? this.keys.publicKeys.get(header.kid) : undefined;
    if (!key) throw Errors.invalidToken('Token signing key is unknown');
    if (this.keyByHeader.size < HEADER_CACHE_MAX) this.keyByHeader.set(segment, key);
    return key;
  }
}
