// Bearer authentication: signature, iss, aud, exp and revocation, all in process (no database call).
import type { IncomingHttpHeaders } from 'node:http';
import type { Request, RequestHandler } from 'express';
import { DomainError, Errors } from '../domain/errors';
import type { AuthService } from '../domain/auth.service';
import type { AccessClaims, Role } from '../domain/types';
import { bearerRefusal } from './errors';

export function bearerToken(req: { headers: IncomingHttpHeaders }): string | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (match) return match[1];
  // Another scheme (Basic, ...) carries no bearer token: UNAUTHENTICATED. A broken Bearer header is INVALID_TOKEN.
  return /^\s*Bearer(\s|$)/i.test(header) ? '' : null;
}

/** The caller's verified claims (also stored on req.auth); throws the contract's 401s. */
export function authenticateRequest(auth: AuthService, req: { headers: IncomingHttpHeaders; auth?: AccessClaims }): AccessClaims {
  const token = bearerToken(req);
  if (token === null) throw bearerRefusal(Errors.unauthenticated());
  if (token === '') throw bearerRefusal(Errors.invalidToken('Authorization header must be "Bearer <token>"'));
  try {
    req.auth = auth.authenticate(token);
  } catch (err) {
    // Expired, forged, revoked...: the answer carries the RFC 6750 challenge (http/errors.ts).
    throw bearerRefusal(err);
  }
  return req.auth;
}

export function authenticate(auth: AuthService): RequestHandler {
  return (req, _res, next) => {
    authenticateRequest(auth, req);
    next();
  };
}

/** Verifies client_credentials tokens (OAuthTokenService): signature, revocation, client still active. */
export interface ClientTokenAuthenticator {
  authenticateClientToken(token: string): Promise<AccessClaims>;
}

/**
 * For resources that services read as well as people (the revocation feed): a user's token, or an OAuth
 * client_credentials token (whose client must still be active). Scope checks are the route's.
 */
export function authenticateUserOrClient(auth: AuthService, clients: ClientTokenAuthenticator | undefined): RequestHandler {
  return async (req, _res, next) => {
    const token = bearerToken(req);
    if (token === null) return next(bearerRefusal(Errors.unauthenticated()));
    if (token === '') return next(bearerRefusal(Errors.invalidToken('Authorization header must be "Bearer <token>"')));
    try {
      req.auth = auth.authenticate(token);
    } catch (err) {
      // AuthService refuses client tokens as INVALID_TOKEN; the OAuth service decides on those.
      if (!clients || !(err instanceof DomainError) || err.code !== 'INVALID_TOKEN') throw bearerRefusal(err);
      req.auth = await clients.authenticateClientToken(token).catch((e: unknown) => {
        throw bearerRefusal(e);
      });
    }
    next();
  };
}

/** Role check in one place: admin routes mount this after authenticate. */
export function requireRole(role: Role): RequestHandler {
  return (req, _res, next) => {
    if (req.auth?.role !== role) return next(bearerRefusal(Errors.forbidden('Administrator role required')));
    next();
  };
}

/**
 * An administrator's change needs a recent sign-in (RecentAdminSignIn): mounted after requireRole('admin') on
 * every `admin-action` endpoint.
 */
export function requireRecentSignIn(recent: { assert(adminId: string, sessionId: string): Promise<void> }): RequestHandler {
  return async (req, _res, next) => {
    const claims = claimsOf(req);
    await recent.assert(claims.sub, claims.sid);
    next();
  };
}

/** The authenticated claims; only call behind authenticate(). */
export function claimsOf(req: Request) {
  if (!req.auth) throw bearerRefusal(Errors.unauthenticated());
  return req.auth;
}
