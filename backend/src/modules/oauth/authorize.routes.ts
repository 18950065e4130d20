// GET/POST /oauth/authorize (RFC 6749 §4.1.1, OIDC Core §3.1.2.1) and /oauth/userinfo (OIDC Core §5.3).
// An authorization request whose client or redirect URI is not trusted is answered with a page here (never a
// redirect: no open redirector); any other refusal goes back to the redirect URI with `error`, `state` and
// `iss`; a valid request continues in the account web app (/authorize?request=<handle>), which signs the
// user in and shows the consent screen (consent.endpoints.ts).
import { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import type { AuthService } from '../../domain/auth.service';
import { DomainError } from '../../domain/errors';
import type { AuthorizationService } from '../../domain/oauth/authorization.service';
import type { CodeGrantService } from '../../domain/oauth/code-grant.service';
import type { LogoutService } from '../../domain/oauth/logout.service';
import { AuthorizePageError } from '../../domain/oauth/errors';
import type { AuthorizeParams } from '../../domain/oauth/authorize-request';
import type { Logger } from '../../infrastructure/logger';
import { bearerToken } from '../../http/authenticate';
import { noStore, requestContext } from '../../http/context';
import { safeDescription } from '../../http/errors';
import { formBody } from '../../http/form-body';
import { textProblem } from '../../http/storable-text';

export interface AuthorizeDeps {
  authorizations: AuthorizationService;
  codeGrant: CodeGrantService;
  logout: LogoutService;
  auth: AuthService;
  logger: Logger;
}

/** The error page: no script, no style, nothing framed, nothing cached. */
const PAGE_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function errorPage(res: Response, err: AuthorizePageError): void {
  noStore(res).status(400).setHeader('Content-Security-Policy', PAGE_CSP).type('html').send(
    `<!doctype html><html lang="en"><meta charset="utf-8"><title>Sign-in request refused</title>` +
      `<h1>This sign-in request cannot be used</h1><p>${escapeHtml(err.message)}</p>` +
      `<p>Error: <code>${escapeHtml(err.code)}</code>. Go back to the application and try again, or tell its developers.</p></html>`,
  );
}

/** Each parameter at most once, as text (RFC 6749 §3.1); GET reads the query, POST the form body. */
function paramsOf(req: Request): AuthorizeParams {
  if (req.method === 'POST' && req.headers['content-type'] !== undefined && !req.is('application/x-www-form-urlencoded')) {
    throw new AuthorizePageError('invalid_request', 'The body must be application/x-www-form-urlencoded');
  }
  const source = (req.method === 'POST' ? req.body : req.query) as Record<string, unknown> | undefined;
  const out: AuthorizeParams = {};
  for (const [k, raw] of Object.entries(source ?? {})) {
    // RFC 8707 §2: `resource` may repeat; the domain refuses several with invalid_target at the redirect URI.
    const v = k === 'resource' && Array.isArray(raw) && raw.every((x) => typeof x === 'string') ? raw.join(' ') : raw;
    if (typeof v !== 'string') throw new AuthorizePageError('invalid_request', `The parameter ${k.slice(0, 40)} is repeated or malformed`);
    if (textProblem(v)) throw new AuthorizePageError('invalid_request', `The parameter ${k.slice(0, 40)} holds characters that are not allowed`);
    if (v !== '') out[k] = v;
  }
  return out;
}

function signedOutPage(res: Response, signedOut: boolean): void {
  noStore(res).status(200).setHeader('Content-Security-Policy', PAGE_CSP).type('html').send(
    `<!doctype html><html lang="en"><meta charset="utf-8"><title>Signed out</title>` +
      (signedOut ? `<h1>You are signed out</h1><p>You can close this window.</p>` : `<h1>Nothing to sign out</h1><p>To sign out, use your account page.</p>`) +
      `</html>`,
  );
}

export function authorizeRoutes({ authorizations, codeGrant, logout, auth, logger }: AuthorizeDeps): Router {
  const router = Router();
  const authorize = async (req: Request, res: Response) => {
    noStore(res);
    const outcome = await authorizations.begin(paramsOf(req), requestContext(req));
    // 303: a POSTed request continues as a GET; the handle, never a token, is in the web app's URL.
    // No body: the Location is all a browser needs (and a body would only repeat the URL with its code).
    res.status(303).location('redirectTo' in outcome ? outcome.redirectTo : `/authorize?request=${encodeURIComponent(outcome.handle)}`).end();
  };
  router.get('/authorize', authorize);
  router.post('/authorize', formBody(), authorize);

  // OpenID Connect RP-Initiated Logout 1.0 (end_session_endpoint).
  const endSession = async (req: Request, res: Response) => {
    noStore(res);
    const p = paramsOf(req);
    const outcome = await logout.endSession(
      { idTokenHint: p.id_token_hint ?? null, clientId: p.client_id ?? null, postLogoutRedirectUri: p.post_logout_redirect_uri ?? null, state: p.state ?? null },
      requestContext(req),
    );
    if ('redirectTo' in outcome) res.status(303).location(outcome.redirectTo).end();
    else signedOutPage(res, outcome.signedOut);
  };
  router.get('/end-session', endSession);
  router.post('/end-session', formBody(), endSession);

  // RFC 6750 bearer token in the Authorization header (never in the query: no tokens in URLs).
  const userinfo = async (req: Request, res: Response) => {
    noStore(res);
    const token = bearerToken(req);
    if (!token) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="sessionary"').status(401).json({ error: 'invalid_token', error_description: 'A bearer access token is required' });
      return;
    }
    res.json(await codeGrant.userinfo(token, (t) => auth.authenticate(t)));
  };
  router.get('/userinfo', userinfo);
  router.post('/userinfo', formBody(), userinfo);
  router.use(authorizeErrors(logger));
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
