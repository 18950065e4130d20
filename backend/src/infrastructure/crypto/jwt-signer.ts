// RS256 access tokens with jsonwebtoken. Verification pins the algorithm (no `none`, no HS256 with the
// public key), picks the key by `kid` (unknown kid = invalid) and checks issuer, audience and expiry.
import jwt from 'jsonwebtoken';
import { randomUUID } from 'node:crypto';
import { Errors } from '../../domain/errors';
import type { AccessTokenSigner } from '../../domain/ports';
import type { AccessClaims } from '../../domain/types';
import type { SigningKeys } from './signing-keys';

export class JwtAccessTokenSigner implements AccessTokenSigner {
  constructor(
    private readonly keys: SigningKeys,
    private readonly issuer: string,
    private readonly audience: string,
  ) {}

  sign(claims: Omit<AccessClaims, 'iat' | 'exp' | 'iss' | 'aud' | 'jti'>, ttlSeconds: number): string {
    return jwt.sign({ ...claims }, this.keys.privateKey, {
      algorithm: 'RS256',
      keyid: this.keys.kid,
      expiresIn: ttlSeconds,
      issuer: this.issuer,
      audience: this.audience,
      jwtid: randomUUID(),
    });
  }

  verify(token: string): AccessClaims {
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || typeof decoded.payload === 'string') throw Errors.invalidToken('Token is malformed');
    const key = decoded.header.kid ? this.keys.publicKeys.get(decoded.header.kid) : undefined;
    if (!key) throw Errors.invalidToken('Token signing key is unknown');
    let payload: jwt.JwtPayload;
    try {
      payload = jwt.verify(token, key, { algorithms: ['RS256'], issuer: this.issuer, audience: this.audience }) as jwt.JwtPayload;
    } catch (err) {
      if (err instanceof jwt.TokenExpiredError) throw Errors.tokenExpired();
      throw Errors.invalidToken();
    }
    if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string' || typeof payload.exp !== 'number') {
      throw Errors.invalidToken('Token lacks required claims');
    }
    return payload as unknown as AccessClaims;
  }
}
