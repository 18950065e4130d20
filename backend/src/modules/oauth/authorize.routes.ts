// The router around the authorization code flow's browser endpoints and userinfo (authorize.endpoints.ts):
// their errors are pages (authorize, end-session) and RFC 6750 challenges (userinfo), neither the contract's
// shape nor the token endpoints' JSON errors (oauth.routes.ts), so they are answered here.
import { Router, type ErrorRequestHandler } from 'express';
import { DomainError } from '../../domain/errors';
import { AuthorizePageError } from '../../domain/oauth/errors';
import type { Logger } from '../../infrastructure/logger';
import { mountEndpoints, type Guards } from '../../http/endpoint';
import { safeDescription, setRetryAfter } from '../../http/errors';
import { authorizeEndpoints, errorPage, type AuthorizeEndpointDeps } from './authorize.endpoints';

export interface AuthorizeDeps extends AuthorizeEndpointDeps {
  logger: Logger;
  guards: Guards;
}

/** Mounted at the app's root: the endpoints carry their full paths, the error handler applies under /oauth. */
export function authorizeRoutes({ logger, guards, ...deps }: AuthorizeDeps): Router {
  const router = Router();
  mountEndpoints(router, authorizeEndpoints(deps), guards);
  router.use('/oauth', authorizeErrors(logger));
  return router;
}

function authorizeErrors(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (err instanceof AuthorizePageError) return errorPage(res, err);
    if (req.path === '/userinfo' && err instanceof DomainError) {
      // RFC 6750 §3.1: invalid_token (401) or insufficient_scope (403), in the challenge and the body.
      const scope = err.code === 'FORBIDDEN';
      const error = scope ? 'insufficient_scope' : 'invalid_token';
      const description = safeDescription(err.message);
      res.setHeader('WWW-Authenticate', `Bearer realm="sessionary", error="${error}", error_description="${description}"`);
      res.status(scope ? 403 : 401).json({ error, error_description: description });
      return;
    }
    if (req.path === '/authorize' && err instanceof DomainError && err.code === 'RATE_LIMITED') {
      // Answered as every refusal before the redirect URI is trusted: a page, never a redirect.
      setRetryAfter(res, err.retryAfterSeconds);
      return errorPage(res, new AuthorizePageError('temporarily_unavailable', 'Too many sign-in requests from this network; wait a minute and try again'), 429);
    }
    if (req.path === '/authorize' || req.path === '/end-session') {
      // body-parser's errors carry `type` and a 4xx `status`.
      const e = err as { type?: string; status?: number; message?: string } | null;
      const status = e?.type === 'entity.too.large' ? 413 : 400;
      if (err instanceof DomainError || (e?.status && e.status < 500)) {
        return errorPage(res.status(status), new AuthorizePageError('invalid_request', 'The request could not be read'));
      }
      logger.error('authorization request failed', { requestId: req.id, error: String(e?.message ?? err) });
    }
    next(err);
  };
}
