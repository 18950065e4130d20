// /oauth/token (RFC 6749), /oauth/revoke (RFC 7009) and /oauth/introspect (RFC 7662), each declared once
// (http/endpoint.ts). They declare no field rules: a form field is read, and refused in RFC 6749's shape
// (invalid_request with its own error_description), by oauth.validators.ts in the handler, which the fast
// path's introspection (oauth.routes.ts oauthHotRoutes) runs too. The /oauth router (oauth.routes.ts) around
// them adds Cache-Control: no-store and answers their errors as {error, error_description}.
import type { Request, RequestHandler } from 'express';
import type { OAuthClientService } from '../../domain/oauth/client.service';
import type { OAuthTokenService } from '../../domain/oauth/token.service';
import type { CodeGrantService } from '../../domain/oauth/code-grant.service';
import type { DeviceGrantService } from '../../domain/oauth/device-grant.service';
import { endpoint, type Endpoint } from '../../http/endpoint';
import { formBody } from '../../http/form-body';
import { emailKey } from '../../http/rate-limit-keys';
import type { RateLimits } from '../../http/rate-limits';
import { OAuthHandlers } from './oauth.handlers';

export interface OAuthEndpointDeps {
  clients: OAuthClientService;
  tokens: OAuthTokenService;
  codeGrant: CodeGrantService;
  /** RFC 8628: /oauth/device_authorization and the token endpoint's device_code grant. */
  deviceGrant: DeviceGrantService;
  /** Per-IP limit on /oauth/token and /oauth/revoke (introspection is for services, like /api/auth/validate). */
  perIp: RequestHandler;
  /** Per-account limit on password grants (keyed by username, which is the email), shared with /api/auth/login. */
  perAccount: RateLimits['perAccount'];
}

/** Only the password grant names an account; other grants pass the per-account limiter uncounted. */
const byUsername = emailKey('username');
const passwordGrantAccount = (req: Request) => ((req.body as Record<string, unknown> | undefined)?.grant_type === 'password' ? byUsername(req) : null);

const form = formBody();

export function oauthEndpoints({ clients, tokens, codeGrant, deviceGrant, perIp, perAccount }: OAuthEndpointDeps): Endpoint[] {
  const h = new OAuthHandlers(clients, tokens, codeGrant, deviceGrant);
  return [
    endpoint({
      method: 'POST', path: '/oauth/token', operationId: 'oauthToken', access: 'public',
      // The per-IP limit before the body is read; the per-account one needs the form's username.
      pre: [perIp, form],
      limits: [perAccount(passwordGrantAccount)],
      handler: h.token,
    }),
    // RFC 8628 §3.1: client authentication as at the token endpoint; counted per IP like it.
    endpoint({
      method: 'POST', path: '/oauth/device_authorization', operationId: 'oauthDeviceAuthorization', access: 'public',
      pre: [perIp, form],
      handler: h.deviceAuthorization,
    }),
    endpoint({
      method: 'POST', path: '/oauth/revoke', operationId: 'oauthRevoke', access: 'public',
      pre: [perIp, form],
      handler: h.revoke,
    }),
    // Also a hot route (oauth.routes.ts oauthHotRoutes): the fast path answers the everyday request; this, the rest.
    endpoint({
      method: 'POST', path: '/oauth/introspect', operationId: 'oauthIntrospect', access: 'public',
      pre: [form],
      handler: (req, res) => h.introspect(req, res),
    }),
  ];
}
