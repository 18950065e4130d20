// OpenID Connect ID tokens with jose: RS256 with the access tokens' signing key and kid, so the published
// JWKS (/.well-known/jwks.json) verifies them. Signed on the event loop: one per code exchange, not per request.
import { SignJWT } from 'jose';
import type { IdTokenSigner } from '../../domain/oauth/ports';
import type { SigningKeys } from './signing-keys';

export class JoseIdTokenSigner implements IdTokenSigner {
  constructor(private readonly keys: SigningKeys) {}

  sign(claims: Record<string, unknown>): Promise<string> {
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: this.keys.kid, typ: 'JWT' }).sign(this.keys.privateKey);
  }
}
