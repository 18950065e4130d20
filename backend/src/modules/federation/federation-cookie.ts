// The sealed federation state (state, nonce, PKCE verifier, intent; encrypted and authenticated by the domain)
// travels in this cookie from the start to the callback. HttpOnly, only on /api/auth/federation, as long as
// FEDERATION_STATE_TTL. SameSite=Lax, not Strict: the callback is a top-level navigation coming from the
// upstream's site, on which a Strict cookie would not be sent. Lax still keeps it off cross-site subrequests
// and POSTs, and the cookie grants nothing by itself: it only completes a flow this browser started.
import type { Request, Response } from 'express';
import { readCookie } from '../browser/refresh-cookie';

export const FEDERATION_COOKIE = 'sessionary_federation';
export const FEDERATION_PATH = '/api/auth/federation';

export interface FederationCookieSettings {
  maxAgeSeconds: number;
  /** TRUST_PROXY set or PUBLIC_URL https: mark Secure. */
  overTls: boolean;
}

const options = (req: Request, s: FederationCookieSettings) => ({ httpOnly: true, sameSite: 'lax' as const, secure: req.secure || s.overTls, path: FEDERATION_PATH });

export function setFederationCookie(req: Request, res: Response, sealed: string, s: FederationCookieSettings): void {
  res.cookie(FEDERATION_COOKIE, sealed, { ...options(req, s), maxAge: s.maxAgeSeconds * 1000 });
}

export function clearFederationCookie(req: Request, res: Response, s: FederationCookieSettings): void {
  res.clearCookie(FEDERATION_COOKIE, options(req, s));
}

export function readFederationCookie(req: Request): string | null {
  return readCookie(req, FEDERATION_COOKIE, 4096);
}
