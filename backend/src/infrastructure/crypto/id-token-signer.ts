// OpenID Connect ID tokens (and logout tokens) with jose: RS256 with the access tokens' signing key and kid,
// so the published JWKS (/.well-known/jwks.json) verifies them. Signed on the event loop: one per code
// exchange or logout, not per request.
import { compactVerify, decodeProtectedHeader, SignJWT } from 'jose';
import type { IdTokenSigner } from '../../domain/oauth/ports';
import type { SigningKeys } from './signing-keys';

export class JoseIdTokenSigner implements IdTokenSigner {
  constructor(
    private readonly keys: SigningKeys,
    /** Read when used: the development issuer is known once the server listens. */
    private readonly issuer: () => string,
  ) {}

  sign(claims: Record<string, unknown>, typ = 'JWT'): Promise<string> {
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: this.keys.kid, typ }).sign(this.keys.privateKey);
  }

  async verifyHint(token: string): Promise<Record<string, unknown> | null> {
    try {
      const header = decodeProtectedHeader(token);
      const key = typeof header.kid === 'string' ? this.keys.publicKeys.get(header.kid) : undefined;
      if (!key || header.alg !== 'RS256') return null;
      // RFC 9068 §4: an access token of /oauth/token (same key, same issuer) is typed so it is never taken for an ID token.
      if (header.typ === 'at+jwt') return null;
      // The signature only (jwtVerify would refuse an expired token, which a logout hint may be).
      const { payload } = await compactVerify(token, key, { algorithms: ['RS256'] });
      const claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
      return claims.iss === this.issuer() && typeof claims.aud === 'string' && typeof claims.sub === 'string' ? claims : null;
    } catch {
      return null;
    }
  }
}
