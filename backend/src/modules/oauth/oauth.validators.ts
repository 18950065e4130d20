// Reading RFC 6749 requests: form fields (each at most once, no NUL) and client authentication by HTTP Basic
// (client_secret_basic, parsed with the basic-auth package) or form fields (client_secret_post).
import type { IncomingHttpHeaders } from 'node:http';
import basicAuth from 'basic-auth';
import type { ClientCredentials } from '../../domain/oauth/client.service';
import { OAuthError } from '../../domain/oauth/errors';
import { textProblem } from '../../http/storable-text';

/**
 * What these read of a request: an Express Request, or the fast path's (http/fast-path.ts, introspection).
 * `body` is the parsed form, undefined when the request had none of type application/x-www-form-urlencoded.
 */
export interface FormRequest {
  headers: IncomingHttpHeaders;
  body?: unknown;
}

export function formField(req: FormRequest, name: string): string | null {
  const v = ((req.body ?? {}) as Record<string, unknown>)[name];
  if (v === undefined) return null;
  if (typeof v !== 'string') throw new OAuthError('invalid_request', `${name} must be given once`);
  // Refused here (in the OAuth error shape) rather than failing in the database.
  const problem = textProblem(v);
  if (problem) throw new OAuthError('invalid_request', `${name} ${problem}`);
  return v;
}

/**
 * A field that may repeat (RFC 8707 §2 `resource`): every value, none when absent. Each value passes the same
 * text checks as formField; the domain decides how many it accepts.
 */
export function formValues(req: FormRequest, name: string): string[] {
  const v = ((req.body ?? {}) as Record<string, unknown>)[name];
  if (v === undefined) return [];
  const values = Array.isArray(v) ? v : [v];
  return values.map((x) => {
    if (typeof x !== 'string') throw new OAuthError('invalid_request', `${name} is malformed`);
    const problem = textProblem(x);
    if (problem) throw new OAuthError('invalid_request', `${name} ${problem}`);
    return x;
  });
}

export function requiredField(req: FormRequest, name: string): string {
  const v = formField(req, name);
  if (!v) throw new OAuthError('invalid_request', `${name} is required`);
  return v;
}

export function assertForm(req: FormRequest): void {
  // The form parsers (body-parser's urlencoded, the fast path's parseLeanForm) set a body exactly when the
  // request has one of this type (type-is, which req.is asks too): no body here means no form.
  if (req.body === undefined) {
    throw new OAuthError('invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
  }
}

/** RFC 6749 §2.3.1: Basic credentials are form-urlencoded before base64. */
function formDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw new OAuthError('invalid_client', 'Malformed client credentials in the Authorization header', true);
  }
}

/** Who the client says it is; verifying it is OAuthClientService.authenticate. */
export function clientCredentials(req: FormRequest): ClientCredentials {
  const header = req.headers.authorization;
  const bodyId = formField(req, 'client_id');
  const bodySecret = formField(req, 'client_secret');
  if (header !== undefined) {
    if (!/^\s*basic\s/i.test(header)) throw new OAuthError('invalid_client', 'Only HTTP Basic client authentication is accepted here', true);
    const parsed = basicAuth.parse(header);
    if (!parsed || !parsed.name) throw new OAuthError('invalid_client', 'Malformed client credentials in the Authorization header', true);
    // RFC 6749 §2.3: one authentication method per request.
    if (bodySecret !== null) throw new OAuthError('invalid_request', 'Send client credentials either in the Authorization header or in the body, not both');
    const clientId = formDecode(parsed.name);
    if (bodyId !== null && bodyId !== clientId) throw new OAuthError('invalid_request', 'client_id in the body differs from the Authorization header');
    return { clientId, secret: parsed.pass ? formDecode(parsed.pass) : null, method: 'client_secret_basic' };
  }
  if (!bodyId) throw new OAuthError('invalid_client', 'client_id is required (or HTTP Basic client authentication)');
  return { clientId: bodyId, secret: bodySecret || null, method: bodySecret ? 'client_secret_post' : 'none' };
}
