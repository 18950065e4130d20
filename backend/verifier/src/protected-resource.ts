// RFC 9728 OAuth 2.0 Protected Resource Metadata: the document a service publishes at
// /.well-known/oauth-protected-resource so a client learns which authorization server issues tokens for it and
// which `resource` (RFC 8707) to ask for, and the URL of that document, which the Express helpers put in their
// 401 answers (WWW-Authenticate: Bearer resource_metadata="..."). Types only from express, as in express.ts.
import type { RequestHandler } from 'express';

export interface ProtectedResourceOptions {
  /**
   * The service's resource identifier (RFC 9728 §2 `resource`): an https URL without a fragment, the value
   * clients send as `resource` and the `aud` of its tokens (register it in the server's OAUTH_RESOURCES).
   */
  resource: string;
  /** Issuers of the authorization servers that issue tokens for it (the Sessionary server's JWT_ISSUER). */
  authorizationServers: string[];
  /** Scopes a client may ask for to use this service (advertised as `scopes_supported`). */
  scopesSupported?: string[];
  /** How the token may be sent. Default `["header"]`: the helpers read the Authorization header only. */
  bearerMethodsSupported?: ('header' | 'body' | 'query')[];
  /** Human-readable name (`resource_name`). */
  resourceName?: string;
  /** `resource_documentation`: a page for developers. */
  resourceDocumentation?: string;
}

/** The RFC 9728 §2 document. */
export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers: string[];
  bearer_methods_supported: string[];
  scopes_supported?: string[];
  resource_name?: string;
  resource_documentation?: string;
}

export interface ProtectedResource {
  /** The path to serve it at on this service: `app.get(pr.path, pr.handler)`. */
  path: string;
  /** The absolute URL of the document (what `resource_metadata` in WWW-Authenticate names). */
  url: string;
  document: Readonly<ProtectedResourceMetadata>;
  /** Answers GET with the document (JSON, cacheable for 5 minutes). */
  handler: RequestHandler;
}

const WELL_KNOWN = '/.well-known/oauth-protected-resource';

/**
 * RFC 9728 §3.1: the well-known segment goes between the host and the resource's path, so
 * `https://api.example.com/v1` has its metadata at `https://api.example.com/.well-known/oauth-protected-resource/v1`
 * (and `https://api.example.com` at `.../.well-known/oauth-protected-resource`).
 */
export function protectedResourceMetadataUrl(resource: string): string {
  const url = parseResource(resource);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '');
  return `${url.origin}${WELL_KNOWN}${path}${url.search}`;
}

export function protectedResourceMetadata(options: ProtectedResourceOptions): ProtectedResource {
  parseResource(options.resource);
  if (!Array.isArray(options.authorizationServers) || options.authorizationServers.length === 0) {
    throw new TypeError('protectedResourceMetadata needs at least one authorization server');
  }
  const document: ProtectedResourceMetadata = Object.freeze({
    resource: options.resource,
    authorization_servers: [...options.authorizationServers],
    bearer_methods_supported: [...(options.bearerMethodsSupported ?? ['header'])],
    ...(options.scopesSupported?.length ? { scopes_supported: [...options.scopesSupported] } : {}),
    ...(options.resourceName ? { resource_name: options.resourceName } : {}),
    ...(options.resourceDocumentation ? { resource_documentation: options.resourceDocumentation } : {}),
  });
  const url = protectedResourceMetadataUrl(options.resource);
  const body = JSON.stringify(document);
  return {
    path: new URL(url).pathname,
    url,
    document,
    handler: (_req, res) => {
      res.setHeader('Cache-Control', 'public, max-age=300');
      res.type('application/json').send(body);
    },
  };
}

/** RFC 9728 §1.2 / RFC 8707 §2: an absolute URL without a fragment. */
function parseResource(resource: string): URL {
  let url: URL;
  try {
    url = new URL(resource);
  } catch {
    throw new TypeError(`resource must be an absolute URL, got "${resource}"`);
  }
  if (resource.includes('#')) throw new TypeError('resource must not have a fragment');
  return url;
}
