// /api/oauth/authorization/:handle — the account web app's side of /oauth/authorize: what to show for a
// pending request (sign in again, the consent screen, or straight back to the app), the user's decision, and
// prompt=none's login_required when nobody is signed in. Answers are JSON with the redirect the page follows,
// never stored by a cache. Each endpoint declared once (http/endpoint.ts).
//
// CSRF: the decision needs the web app's bearer access token (a cross-site form cannot send one) and is refused
// unless Origin / Sec-Fetch-Site say it comes from this origin (modules/browser/same-origin.ts) — checked before
// the token, so a forged post is a 403 whatever it carries; the page the screen lives on is served with
// frame-ancestors 'none' (http/security-headers.ts pageCsp).
import type { AuthorizationService } from '../../domain/oauth/authorization.service';
import { claimsOf } from '../../http/authenticate';
import { noStore, requestContext } from '../../http/context';
import { endpoint, type Endpoint } from '../../http/endpoint';
import { field, text } from '../../http/fields';
import { sameOriginOnly } from '../browser/same-origin';

const handlePath = { handle: text(100) };
const base = '/api/oauth/authorization/:handle';

export function consentEndpoints({ authorizations, trustedOrigins }: { authorizations: AuthorizationService; trustedOrigins: readonly string[] }): Endpoint[] {
  const sameOrigin = sameOriginOnly(trustedOrigins);
  return [
    endpoint({
      method: 'GET', path: `${base}/pending`, operationId: 'pendingAuthorization', access: 'public',
      params: handlePath,
      handler: async (req, res) => {
        noStore(res).json(await authorizations.pending(req.params.handle));
      },
    }),
    endpoint({
      method: 'POST', path: `${base}/login-required`, operationId: 'authorizationLoginRequired', access: 'public',
      pre: [sameOrigin],
      params: handlePath,
      handler: async (req, res) => {
        noStore(res).json(await authorizations.loginRequired(req.params.handle, requestContext(req)));
      },
    }),
    endpoint({
      method: 'GET', path: base, operationId: 'authorizationStep', access: 'user',
      params: handlePath,
      handler: async (req, res) => {
        noStore(res).json(await authorizations.next(req.params.handle, claimsOf(req), requestContext(req)));
      },
    }),
    endpoint({
      method: 'POST', path: `${base}/decision`, operationId: 'authorizationDecision', access: 'user',
      beforeAccess: [sameOrigin],
      params: handlePath,
      body: { approve: field<boolean>((c) => c.isBoolean({ strict: true }).withMessage('approve must be true or false')) },
      handler: async (req, res) => {
        noStore(res).json(await authorizations.decide(req.params.handle, claimsOf(req), req.body.approve, requestContext(req)));
      },
    }),
  ];
}
