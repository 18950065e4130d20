// GET/POST /oauth/authorize (RFC 6749 §4.1.1, OIDC Core §3.1.2.1), /oauth/end-session (OIDC RP-Initiated
// Logout 1.0) and /oauth/userinfo (OIDC Core §5.3), each declared once (http/endpoint.ts). They declare no
// field rules: an authorization request's parameters are open-ended (any extension parameter passes through to
// the domain) and a refusal is a page or a redirect, not the contract's VALIDATION_ERROR, so paramsOf reads
// them here and the router around them (authorize.routes.ts) answers their errors.
// An authorization request whose client or redirect URI is not trusted is answered with a page (never a
// redirect: no open redirector); any other refusal goes back to the redirect URI with `error`, `state` and
// `iss`; a valid request continues in the account web app (/authorize?request=<handle>), which signs the
// user in and shows the consent screen (consent.endpoints.ts).
import type { Request, RequestHandler, Response } from 'express';
import type { AuthService } from '../../domain/auth.service';
import type { AuthorizationService } from '../../domain/oauth/authorization.service';
import type { CodeGrantService } from '../../domain/oauth/code-grant.service';
import type { LogoutService } from '../../domain/oauth/logout.service';
import { AuthorizePageError } from '../../domain/oauth/errors';
import type { AuthorizeParams } from '../../domain/oauth/authorize-request';
import { bearerToken } from '../../http/authenticate';
import { noStore, requestContext } from '../../http/context';
import { endpoint, type Endpoint } from '../../http/endpoint';
import { formBody } from '../../http/form-body';
import { textProblem } from '../../http/storable-text';

export interface AuthorizeEndpointDeps {
  authorizations: AuthorizationService;
  /** Per-IP limit of authorization requests (RATE_LIMIT_AUTHORIZE_PER_MIN); its 429 is a page, as every refusal before the redirect URI is trusted. */
  perAuthorizeRequest: RequestHandler;
  codeGrant: CodeGrantService;
  logout: LogoutService;
  auth: AuthService;
}

/** The error page: no script, no style, nothing framed, nothing cached. */
const PAGE_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function errorPage(res: Response, err: AuthorizePageError, status = 400): void {
  noStore(res).status(status).setHeader('Content-Security-Policy', PAGE_CSP).type('html').send(
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

const form = formBody();

export function authorizeEndpoints({ authorizations, codeGrant, logout, auth, perAuthorizeRequest }: AuthorizeEndpointDeps): Endpoint[] {
  const authorize = async (req: Request, res: Response) => {
    noStore(res);
    const outcome = await authorizations.begin(paramsOf(req), requestContext(req));
    // 303: a POSTed request continues as a GET; the handle, never a token, is in the web app's URL.
    // No body: the Location is all a browser needs (and a body would only repeat the URL with its code).
    res.status(303).location('redirectTo' in outcome ? outcome.redirectTo : `/authorize?request=${encodeURIComponent(outcome.handle)}`).end();
  };

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

  return [
    // Both GETs change state (a stored authorization request, a sign-out): not retried as safe reads are.
    endpoint({ method: 'GET', path: '/oauth/authorize', operationId: 'oauthAuthorize', access: 'public', retryRead: false, pre: [perAuthorizeRequest], handler: authorize }),
    endpoint({ method: 'POST', path: '/oauth/authorize', operationId: 'oauthAuthorizePost', access: 'public', pre: [perAuthorizeRequest, form], handler: authorize }),
    endpoint({ method: 'GET', path: '/oauth/end-session', operationId: 'oauthEndSession', access: 'public', retryRead: false, handler: endSession }),
    endpoint({ method: 'POST', path: '/oauth/end-session', operationId: 'oauthEndSessionPost', access: 'public', pre: [form], handler: endSession }),
    // The bearer token is read by the handler, not the `user` guard: its refusals are RFC 6750's, not the API's.
    endpoint({ method: 'GET', path: '/oauth/userinfo', operationId: 'oauthUserinfo', access: 'public', handler: userinfo }),
    endpoint({ method: 'POST', path: '/oauth/userinfo', operationId: 'oauthUserinfoPost', access: 'public', pre: [form], handler: userinfo }),
  ];
}
