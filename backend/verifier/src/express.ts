// Express helpers. They answer errors themselves in the server's shape ({"error": {code, message}}),
// so a service needs no error middleware of its own for auth; pass `onError` to take over.
// Types only from express: the package works with any Express 4/5 app and does not bundle it.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { VerifierError } from './errors.js';
import { decidePermissions, denialLine, type PermissionLookup } from './permissions.js';
import type { Policy } from './policies.js';
import { scopesOf, type VerifiedClaims, type Verifier } from './verifier.js';

/** A request that passed requireAuth(): the claims are on `req.auth`. */
export type AuthenticatedRequest = Request & { auth: VerifiedClaims };

export interface ExpressOptions {
  /** Replaces the default error response (e.g. to call next(err) into your own error handler). */
  onError?: (err: VerifierError, req: Request, res: Response, next: NextFunction) => void;
  /**
   * RFC 9728 §5.1: the URL of this service's protected resource metadata (protectedResourceMetadata().url).
   * When set, every 401 and 403 carries `WWW-Authenticate: Bearer resource_metadata="<url>"`, so a client
   * that was refused learns where to get a token and for which `resource`.
   */
  resourceMetadataUrl?: string;
  /**
   * Permissions of a token that carries no `permissions` claim (the user's set is larger than the server's
   * TOKEN_PERMISSIONS_MAX). Cache what it finds: it runs on every such request. Without it those are denied.
   */
  permissionsOf?: PermissionLookup;
  /** Where the one-line decision log of each denial goes (requirePermission and friends). Default console.warn. */
  onDeny?: (line: string) => void;
}

export interface ExpressHelpers {
  /** Requires a valid bearer token; puts its claims on `req.auth`. */
  requireAuth(): RequestHandler;
  /** Requires every one of `scopes` in the token's `scope` (403 FORBIDDEN otherwise). */
  requireScope(...scopes: string[]): RequestHandler;
  /** Requires the token's `role` to be one of `roles` (403 FORBIDDEN otherwise). */
  requireRole(...roles: string[]): RequestHandler;
  /**
   * Attribute-based rule: `policy(claims, req)` must return (or resolve to) true. A named Policy (policies.ts:
   * ownerOf, aalAtLeast, fromNetworks, during, allOf, anyOf) also logs each denial through onDeny.
   */
  requirePolicy(policy: ((claims: VerifiedClaims, req: Request) => boolean | Promise<boolean>) | Policy): RequestHandler;
  /** Requires every one of `permissions` (`orders:read`; `orders:*` in the token covers any orders action). */
  requirePermission(...permissions: string[]): RequestHandler;
  /** Requires at least one of `permissions`. */
  requireAnyPermission(permissions: readonly string[]): RequestHandler;
}

/** The claims of a request behind requireAuth(), or null. */
export function authOf(req: Request): VerifiedClaims | null {
  return (req as unknown as { auth?: VerifiedClaims }).auth ?? null;
}

/**
 * Same parsing as the server: no Authorization header or another scheme → null (UNAUTHENTICATED);
 * a malformed Bearer header → '' (INVALID_TOKEN).
 */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (match) return match[1];
  return /^\s*Bearer(\s|$)/i.test(header) ? '' : null;
}

export function sendVerifierError(err: VerifierError, res: Response, resourceMetadataUrl?: string): void {
  // RFC 6750 §3: tell the client which scheme and why; RFC 9728 §5.1: and where this resource's metadata is.
  const params: string[] = [];
  if (resourceMetadataUrl) params.push(`resource_metadata="${quoted(resourceMetadataUrl)}"`);
  if (err.status === 401) {
    if (err.code !== 'UNAUTHENTICATED') params.push('error="invalid_token"');
    res.setHeader('WWW-Authenticate', params.length ? `Bearer ${params.join(', ')}` : 'Bearer');
  } else if (err.code === 'FORBIDDEN') {
    params.push('error="insufficient_scope"');
    res.setHeader('WWW-Authenticate', `Bearer ${params.join(', ')}`);
  } else if (err.status === 503) {
    // RFC 9110 §10.2.3: the outage is temporary (keys or revocation feed), so say when to try again, as the
    // server's own 503s do. 1 s: the feed reconnects within its reconnectDelayMs.
    res.setHeader('Retry-After', '1');
  }
  res.status(err.status).json(err.toJSON());
}

/** RFC 9110 §5.6.4 quoted-string: a URL holds no quote or backslash normally; escape them if it does. */
const quoted = (s: string) => s.replace(/[\\"]/g, (c) => `\\${c}`);

export function expressHelpers(verifier: Verifier, options: ExpressOptions = {}): ExpressHelpers {
  const fail = (err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!(err instanceof VerifierError)) return next(err);
    if (options.onError) return options.onError(err, req, res, next);
    sendVerifierError(err, res, options.resourceMetadataUrl);
  };
  // Every authorization helper needs the claims; behind requireAuth() they are already there.
  const guard =
    (check: (claims: VerifiedClaims, req: Request) => boolean | Promise<boolean>, message: string): RequestHandler =>
    async (req, res, next) => {
      try {
        const claims = authOf(req) ?? (await authenticate(req));
        if (!(await check(claims, req))) throw new VerifierError('FORBIDDEN', message);
        next();
      } catch (err) {
        fail(err, req, res, next);
      }
    };
  const authenticate = async (req: Request): Promise<VerifiedClaims> => {
    const token = bearerToken(req.get('authorization'));
    if (token === null) throw new VerifierError('UNAUTHENTICATED', 'Authentication required');
    if (token === '') throw new VerifierError('INVALID_TOKEN', 'Authorization header must be "Bearer <token>"');
    const claims = await verifier.verify(token);
    (req as unknown as { auth: VerifiedClaims }).auth = claims;
    return claims;
  };

  const logDenial = options.onDeny ?? ((line: string) => console.warn(line));
  const permissionGuard = (required: readonly string[], mode: 'all' | 'any'): RequestHandler => {
    const name = mode === 'all' ? 'requirePermission' : 'requireAnyPermission';
    if (required.length === 0) throw new TypeError(`${name} needs at least one permission`);
    return async (req, res, next) => {
      try {
        const claims = authOf(req) ?? (await authenticate(req));
        const decision = await decidePermissions(claims, required, mode, options.permissionsOf);
        if (decision.allowed) return next();
        logDenial(denialLine(decision, claims, { method: req.method, path: req.originalUrl.split('?')[0] }));
        throw new VerifierError('FORBIDDEN', `Requires permission ${required.join(mode === 'all' ? ' and ' : ' or ')}`);
      } catch (err) {
        fail(err, req, res, next);
      }
    };
  };

  return {
    requirePermission: (...permissions) => permissionGuard(permissions, 'all'),
    requireAnyPermission: (permissions) => permissionGuard(permissions, 'any'),
    requireAuth: () => guard(() => true, ''),
    requireScope: (...scopes) => {
      if (scopes.length === 0) throw new TypeError('requireScope needs at least one scope');
      return guard((claims) => {
        const granted = scopesOf(claims);
        return scopes.every((s) => granted.has(s));
      }, `Requires scope ${scopes.join(' ')}`);
    },
    requireRole: (...roles) => {
      if (roles.length === 0) throw new TypeError('requireRole needs at least one role');
      return guard((claims) => typeof claims.role === 'string' && roles.includes(claims.role), `Requires role ${roles.join(' or ')}`);
    },
    requirePolicy: (policy) => {
      if (typeof policy === 'function') return guard(policy, 'Not allowed');
      return guard(async (claims, req) => {
        if (await policy.check(claims, req)) return true;
        logDenial(denialLine({ rule: `policy(${policy.name})`, reason: 'the policy refused' }, claims, { method: req.method, path: req.originalUrl.split('?')[0] }));
        return false;
      }, `Not allowed: ${policy.name}`);
    },
  };
}
