// createVerifier: checks Sessionary access tokens inside another service. jose does the JOSE work
// (RS256 signature, iss/aud/exp/nbf, remote key set with caching and a cooldown on unknown kids); this
// file pins the policy and turns jose's errors into the server's error codes.
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { VerifierError } from './errors.js';
import type { RevocationView } from './revocations.js';

export interface VerifierOptions {
  /** Expected `iss` (the server's JWT_ISSUER). */
  issuer: string;
  /** Expected `aud` (the server's JWT_AUDIENCE); a list accepts any of them. */
  audience: string | string[];
  /** The server's key set, e.g. `https://auth.example.com/.well-known/jwks.json`. */
  jwksUri: string | URL;
  /** Seconds of clock skew tolerated on exp/nbf/iat. Default 5. */
  clockTolerance?: number;
  /** Keys are refetched at most this often when a token names an unknown kid (ms). Default 30 000. */
  jwksCooldownMs?: number;
  /** Cached keys are refetched after this long even without an unknown kid (ms). Default 600 000. */
  jwksMaxAgeMs?: number;
  /** Timeout of one key-set request (ms). Default 5 000. */
  jwksTimeoutMs?: number;
  /**
   * Revoked sessions pushed by the server (see createRevocationFeed). Without it a revoked session's
   * token keeps working here until its exp (at most ACCESS_TOKEN_TTL).
   */
  revocations?: RevocationView;
  /** Current time; tests inject one. Default `() => new Date()`. */
  now?: () => Date;
}

/** The verified claims of a Sessionary access token (user tokens carry sid/role/email; client tokens scope). */
export interface VerifiedClaims extends JWTPayload {
  sub: string;
  exp: number;
  iss: string;
  /** Session id: user tokens only. A revoked session's tokens are refused. */
  sid?: string;
  role?: string;
  /** Authentication assurance level: 1 password, 2 with a second factor. */
  aal?: number;
  email?: string;
  username?: string | null;
  /** Every role the user holds, through included roles too (first-party user tokens). */
  roles?: string[];
  /** The user's effective permissions; absent when the set is larger than the server puts in tokens. */
  permissions?: string[];
  /** OAuth scopes, space-separated (RFC 8693 / RFC 9068 `scope`). */
  scope?: string;
  /** RFC 9068: the client a token issued at /oauth/token was issued to. */
  client_id?: string;
}

export interface Verifier {
  /** Verifies a compact JWS; resolves to its claims or rejects with a VerifierError. */
  verify(token: string): Promise<VerifiedClaims>;
  readonly options: Readonly<VerifierOptions>;
}

export function createTokenVerifier(options: VerifierOptions): Verifier {
  const { issuer, audience } = options;
  if (!issuer || !audience || (Array.isArray(audience) && audience.length === 0)) {
    throw new TypeError('createVerifier needs an issuer and an audience');
  }
  const remote = createRemoteJWKSet(new URL(options.jwksUri), {
    cooldownDuration: options.jwksCooldownMs ?? 30_000,
    cacheMaxAge: options.jwksMaxAgeMs ?? 600_000,
    timeoutDuration: options.jwksTimeoutMs ?? 5_000,
  });
  // An unknown kid is the token's fault; any other failure to get keys (network, timeout, non-200,
  // malformed set) is ours, and must not be reported to the client as a bad token.
  const getKey: JWTVerifyGetKey = async (header, token) => {
    try {
      return await remote(header, token);
    } catch (err) {
      if (err instanceof joseErrors.JWKSNoMatchingKey || err instanceof joseErrors.JWKSMultipleMatchingKeys) throw err;
      throw new VerifierError('AUTH_UNAVAILABLE', 'Signing keys could not be loaded');
    }
  };
  const clockTolerance = options.clockTolerance ?? 5;
  const now = options.now ?? (() => new Date());

  return {
    options: Object.freeze({ ...options }),
    async verify(token) {
      if (typeof token !== 'string' || token.length === 0) throw new VerifierError('UNAUTHENTICATED', 'Authentication required');
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, getKey, {
          algorithms: ['RS256'],
          issuer,
          audience,
          clockTolerance,
          currentDate: now(),
          requiredClaims: ['sub', 'exp'],
        }));
      } catch (err) {
        throw toVerifierError(err);
      }
      const claims = payload as VerifiedClaims;
      if (claims.sid !== undefined && typeof claims.sid !== 'string') throw new VerifierError('INVALID_TOKEN', 'Token is invalid');
      const view = options.revocations;
      if (view && claims.sid) {
        if (view.isRevoked(claims.sid)) throw new VerifierError('SESSION_TERMINATED', 'Session has been terminated');
        if (!view.acceptsTokens()) throw new VerifierError('AUTH_UNAVAILABLE', 'Revocation feed is unavailable');
      }
      return claims;
    },
  };
}

function toVerifierError(err: unknown): VerifierError {
  if (err instanceof VerifierError) return err;
  if (err instanceof joseErrors.JWTExpired) return new VerifierError('TOKEN_EXPIRED', 'Access token has expired');
  return new VerifierError('INVALID_TOKEN', 'Token is invalid');
}

/** The scopes of a token as a set (`scope` string, or an `scp` array some issuers use). */
export function scopesOf(claims: VerifiedClaims): Set<string> {
  const scp = (claims as { scp?: unknown }).scp;
  if (Array.isArray(scp)) return new Set(scp.filter((s): s is string => typeof s === 'string'));
  return new Set(typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : []);
}
