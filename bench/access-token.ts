// Access tokens for the servers that stand beside the app (baseline, floor): RS256 with the app's claim set
// and size, so verifying them costs what verifying the app's own tokens does.
import { randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { ISSUER } from './settings';

export function signAccessToken(privateKey: KeyObject, keyid: string, claims: { sub: string; sid: string; email: string }): string {
  return jwt.sign({ sub: claims.sub, sid: claims.sid, role: 'user', aal: 1, email: claims.email, username: 'someone' }, privateKey, {
    algorithm: 'RS256',
    keyid,
    expiresIn: 900,
    issuer: ISSUER,
    audience: ISSUER,
    jwtid: randomUUID(),
  });
}
