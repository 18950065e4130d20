// RFC 8707 resource indicators: which protected resource an access token is for. The operator registers the
// resources (OAUTH_RESOURCES); a client names one with `resource` on /oauth/authorize and /oauth/token, and the
// token's `aud` becomes that URI, so a service that checks `aud` refuses tokens minted for another one.
import { OAuthError } from './errors';

/**
 * The one resource a request names, or null when it names none. RFC 8707 §2 lets a client repeat `resource`
 * (one token for several audiences); we issue single-audience tokens only, so several values are refused
 * with invalid_target, as the RFC allows ("the authorization server ... is unwilling or unable to issue").
 * A value that is not registered, not an absolute URI, or carries a fragment is invalid_target too.
 */
export function requestedResource(values: readonly string[], registered: readonly string[]): string | null {
  if (values.length === 0) return null;
  if (values.length > 1) throw new OAuthError('invalid_target', 'Only one resource per request is supported');
  const [resource] = values;
  if (!registered.includes(resource)) throw new OAuthError('invalid_target', 'The resource is not registered on this server');
  return resource;
}

/**
 * At the token endpoint of a grant that was bound to `granted` (the authorization request's or the session's
 * resource, null = none): the resource the new token is for. Naming another resource than the one granted is
 * invalid_target (RFC 8707 §2.2: a refresh may not widen the grant); naming none keeps the granted one.
 */
export function grantedResource(values: readonly string[], registered: readonly string[], granted: string | null): string | null {
  const asked = requestedResource(values, registered);
  if (asked === null) return granted;
  if (asked !== granted) throw new OAuthError('invalid_target', 'The resource was not granted to this authorization');
  return asked;
}
