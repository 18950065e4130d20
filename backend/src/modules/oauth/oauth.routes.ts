// POST /oauth/token (RFC 6749 §4.3 password grant, §6 refresh) over the same AuthService as /api/auth.
// Errors use the OAuth shape {error, error_description}, not the API's.
import express, { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { AuthService } from '../../domain/auth.service';
import { DomainError } from '../../domain/errors';
import type { TokenPair } from '../../domain/types';
import { noStore, requestContext } from '../http/context';

export interface OAuthDeps {
  auth: AuthService;
  /** Allowed client_ids (OAUTH_CLIENTS); null accepts any public client id. */
  clients: string[] | null;
  /** Allowed scopes (OAUTH_SCOPES); null accepts any well-formed scope. */
  scopes: string[] | null;
  /** Per-account limit (keys password grants by username), as on /api/auth/login. */
  perAccount: RequestHandler;
}

class OAuthError extends Error {
  constructor(readonly error: string, readonly description: string, readonly status = 400) {
    super(description);
  }
}

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

function field(req: Request, name: string): string | undefined {
  const v = (req.body ?? {})[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new OAuthError('invalid_request', `${name} must be given once`);
  // PostgreSQL text cannot hold NUL: refuse it here rather than fail in the database.
  if (v.includes('\u0000')) throw new OAuthError('invalid_request', `${name} must not contain NUL characters`);
  return v;
}

function required(req: Request, name: string): string {
  const v = field(req, name);
  if (!v) throw new OAuthError('invalid_request', `${name} is required`);
  return v;
}

function tokenBody(pair: TokenPair, scope: string) {
  return { access_token: pair.accessToken, token_type: 'Bearer', expires_in: pair.expiresIn, refresh_token: pair.refreshToken, scope };
}

export function oauthRoutes({ auth, clients, scopes, perAccount }: OAuthDeps): Router {
  const router = Router();
  router.post('/token', express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 20 }), perAccount, async (req: Request, res: Response) => {
    noStore(res);
    if (!req.is('application/x-www-form-urlencoded')) {
      throw new OAuthError('invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
    }
    const grantType = required(req, 'grant_type');
    const clientId = field(req, 'client_id');
    if (!clientId || (clients && !clients.includes(clientId))) throw new OAuthError('invalid_client', 'Unknown client', 401);
    const scope = checkScope(field(req, 'scope') ?? '', scopes);
    const ctx = requestContext(req);
    if (grantType === 'password') {
      const result = await auth.login({ email: required(req, 'username'), password: required(req, 'password'), deviceName: `oauth:${clientId}`.slice(0, 100) }, ctx);
      if ('mfaRequired' in result) {
        throw new OAuthError('invalid_grant', 'This account uses two-factor authentication; sign in through /api/auth/login');
      }
      res.json(tokenBody(result, scope));
      return;
    }
    if (grantType === 'refresh_token') {
      res.json(tokenBody(await auth.refresh(required(req, 'refresh_token'), ctx), scope));
      return;
    }
    throw new OAuthError('unsupported_grant_type', `grant_type ${grantType} is not supported`);
  });
  router.use(oauthErrors);
  return router;
}

function checkScope(scope: string, allowed: string[] | null): string {
  const parts = scope.split(' ').filter(Boolean);
  for (const p of parts) {
    if (!SCOPE_TOKEN.test(p) || (allowed && !allowed.includes(p))) throw new OAuthError('invalid_scope', `Scope ${p} is not allowed`);
  }
  return parts.join(' ');
}

function oauthErrors(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  noStore(res);
  if (err instanceof OAuthError) {
    if (err.status === 401) res.setHeader('WWW-Authenticate', 'Basic realm="oauth"');
    res.status(err.status).json({ error: err.error, error_description: err.description });
    return;
  }
  if (err instanceof DomainError) {
    if (err.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(Math.max(1, err.retryAfterSeconds)));
    if (err.code === 'RATE_LIMITED') {
      res.status(429).json({ error: 'rate_limited', error_description: err.message });
      return;
    }
    if (err.code === 'VALIDATION_ERROR') {
      res.status(400).json({ error: 'invalid_request', error_description: err.message });
      return;
    }
    // Bad credentials, locked/pending/disabled accounts, bad or reused refresh tokens.
    res.status(400).json({ error: 'invalid_grant', error_description: err.message });
    return;
  }
  const e = err as { type?: string };
  if (e?.type === 'entity.parse.failed' || e?.type === 'entity.too.large' || e?.type === 'parameters.too.many') {
    res.status(400).json({ error: 'invalid_request', error_description: 'Request body could not be read' });
    return;
  }
  next(err);
}
