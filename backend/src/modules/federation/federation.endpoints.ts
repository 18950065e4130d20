// Federated sign-in endpoints (issue 27, docs/federation.md), each declared once (http/endpoint.ts):
//   GET  /api/auth/federation/providers            the enabled providers, for the sign-in page's buttons
//   GET  /api/auth/federation/:provider/start      the browser leaves for the upstream (303)
//   GET  /api/auth/federation/:provider/callback   the upstream sends it back; 303 to the web app
//   GET/POST/DELETE /api/user/federation...        the signed-in user's linked providers, link, unlink
// Thin: FederationService decides; the browser session is the one the password sign-in makes (the refresh
// token in its HttpOnly cookie). Every outcome of the callback is a redirect to the web app, never a 500 page:
// `/` signed in, `/#federation=mfa&…` for the second factor, `/account?federation=linked`, or
// `?federation_error=<reason>` for a refusal the page explains.
import type { Request, Response } from 'express';
import type { FederationService } from '../../domain/federation/federation.service';
import { FederationRefused } from '../../domain/federation/types';
import type { Logger } from '../../infrastructure/logger';
import { claimsOf } from '../../http/authenticate';
import { noStore, requestContext } from '../../http/context';
import { endpoint, type Endpoint } from '../../http/endpoint';
import { pathSegment } from '../../http/fields';
import type { RateLimits } from '../../http/rate-limits';
import { setRefreshCookie, type CookieSettings } from '../browser/refresh-cookie';
import { ownOrigin } from '../browser/same-origin';
import { reauthBody } from '../passkeys/passkeys.validators';
import { clearFederationCookie, readFederationCookie, setFederationCookie, type FederationCookieSettings } from './federation-cookie';

export interface FederationDeps {
  federation: FederationService;
  logger: Logger;
  /** The browser session's refresh cookie (as /api/auth/browser sets it). */
  cookie: CookieSettings;
  state: FederationCookieSettings;
  /** PUBLIC_URL: the base of the redirect URI registered at the upstream; unset = this request's origin. */
  publicUrl: string | null;
  /** Per-user limit on the link start (it may check the password). */
  perUser: RateLimits['perUser'];
}

const providerParam = { provider: pathSegment() };

/**
 * Where the browser may continue after a federated sign-in: only an app's authorization request in the web
 * app (`/authorize?request=<handle>`), so the start cannot be turned into an open redirect. Anything else: none.
 */
export function returnToOf(value: unknown): string | null {
  return typeof value === 'string' && /^\/authorize\?request=[A-Za-z0-9._~%-]{1,512}$/.test(value) ? value : null;
}
const qs = (params: Record<string, string>) => new URLSearchParams(params).toString();

export function federationEndpoints({ federation, logger, cookie, state, publicUrl, perUser }: FederationDeps): Endpoint[] {
  const base = (req: Request) => (publicUrl ? publicUrl.replace(/\/+$/, '') : ownOrigin(req));
  const redirectUri = (req: Request, provider: string) => `${base(req)}/api/auth/federation/${encodeURIComponent(provider)}/callback`;
  const toPage = (res: Response, location: string) => void noStore(res).status(303).location(location).end();
  const refused = (res: Response, provider: string, err: FederationRefused) => {
    logger.info('federated sign-in refused', { provider, reason: err.reason, detail: err.message });
    const page = err.duringLink ? '/account' : (err.returnTo ?? '/');
    toPage(res, `${page}${page.includes('?') ? '&' : '?'}${qs({ federation_error: err.reason, provider })}`);
  };
  return [
    endpoint({
      method: 'GET', path: '/api/auth/federation/providers', operationId: 'listFederationProviders', access: 'public',
      handler: (_req, res) => {
        res.setHeader('Cache-Control', 'no-cache').json({ providers: federation.providers() });
      },
    }),
    endpoint({
      method: 'GET', path: '/api/auth/federation/:provider/start', operationId: 'startFederatedSignIn', access: 'public',
      params: providerParam, retryRead: false,
      handler: async (req, res) => {
        const { provider } = req.params;
        if (!federation.hasProvider(provider)) return toPage(res, `/?${qs({ federation_error: 'unknown_provider' })}`);
        try {
          const { url, sealed } = await federation.startSignIn(provider, redirectUri(req, provider), returnToOf(req.query.returnTo));
          setFederationCookie(req, res, sealed, state);
          toPage(res, url);
        } catch (err) {
          if (err instanceof FederationRefused) return refused(res, provider, err);
          throw err;
        }
      },
    }),
    endpoint({
      method: 'GET', path: '/api/auth/federation/:provider/callback', operationId: 'federatedSignInCallback', access: 'public',
      params: providerParam, retryRead: false,
      handler: async (req, res) => {
        const { provider } = req.params;
        const sealed = readFederationCookie(req);
        // Single use: whatever happens now, this browser's pending flow is over.
        clearFederationCookie(req, res, state);
        if (!federation.hasProvider(provider)) return toPage(res, `/?${qs({ federation_error: 'unknown_provider' })}`);
        try {
          const callbackUrl = new URL(req.originalUrl, base(req));
          const outcome = await federation.finish(sealed, provider, callbackUrl, redirectUri(req, provider), requestContext(req), null);
          if (outcome.kind === 'linked') return toPage(res, `/account?${qs({ federation: 'linked', provider })}`);
          const result = outcome.result;
          const page = outcome.returnTo ?? '/';
          if ('mfaRequired' in result) {
            // In the fragment: never sent to a server, never in a Referer; the page removes it at once.
            return toPage(res, `${page}#${qs({ federation: 'mfa', provider, mfaToken: result.mfaToken, methods: result.methods.join(',') })}`);
          }
          setRefreshCookie(req, res, result.refreshToken, cookie);
          toPage(res, page);
        } catch (err) {
          if (err instanceof FederationRefused) return refused(res, provider, err);
          throw err;
        }
      },
    }),
    endpoint({
      method: 'GET', path: '/api/user/federation', operationId: 'listLinkedProviders', access: 'user',
      handler: async (req, res) => {
        const linked = await federation.linked(claimsOf(req).sub);
        noStore(res).json({
          providers: federation.providers(),
          linked: linked.map((l) => ({ provider: l.provider, name: l.name, email: l.email, createdAt: l.createdAt.toISOString() })),
        });
      },
    }),
    endpoint({
      method: 'POST', path: '/api/user/federation/:provider/link', operationId: 'startProviderLink', access: 'user',
      params: providerParam, body: reauthBody, limits: [perUser],
      handler: async (req, res) => {
        const { sub, sid } = claimsOf(req);
        const { provider } = req.params;
        try {
          const { url, sealed } = await federation.startLink(sub, sid, provider, redirectUri(req, provider), req.body.password ?? null, requestContext(req));
          setFederationCookie(req, res, sealed, state);
          noStore(res).json({ url });
        } catch (err) {
          if (err instanceof FederationRefused && err.reason === 'upstream_unavailable') {
            res.setHeader('Retry-After', '30');
            res.status(503).json({ error: { code: 'SERVICE_UNAVAILABLE', message: 'The provider cannot be reached; try again later' } });
            return;
          }
          throw err;
        }
      },
    }),
    endpoint({
      method: 'DELETE', path: '/api/user/federation/:provider', operationId: 'unlinkProvider', access: 'user',
      params: providerParam,
      handler: async (req, res) => {
        await federation.unlink(claimsOf(req).sub, req.params.provider, requestContext(req));
        res.status(204).end();
      },
    }),
  ];
}
