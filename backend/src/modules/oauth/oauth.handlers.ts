// Thin handlers of /oauth/*: read the form, authenticate the client, call the domain, answer in RFC shape.
import type { Request, Response } from 'express';
import type { OAuthClientService } from '../../domain/oauth/client.service';
import { OAuthError } from '../../domain/oauth/errors';
import type { IssuedTokens, OAuthTokenService } from '../../domain/oauth/token.service';
import type { CodeGrantService } from '../../domain/oauth/code-grant.service';
import type { DeviceGrantService } from '../../domain/oauth/device-grant.service';
import { DEVICE_CODE_GRANT } from '../../domain/oauth/types';
import { requestContext } from '../../http/context';
import { NO_STORE, sendJson, type HotHandler } from '../../http/hot-route';
import { assertForm, clientCredentials, formField, formValues, requiredField, type FormRequest } from './oauth.validators';

const tokenBody = (t: IssuedTokens) => ({
  access_token: t.accessToken,
  token_type: 'Bearer',
  expires_in: t.expiresIn,
  ...(t.refreshToken ? { refresh_token: t.refreshToken } : {}),
  scope: t.scope.join(' '),
  ...(t.idToken ? { id_token: t.idToken } : {}),
});

export class OAuthHandlers {
  constructor(
    private readonly clients: OAuthClientService,
    private readonly tokens: OAuthTokenService,
    /** null on the fast path, which serves introspection only. */
    private readonly codeGrant: CodeGrantService | null,
    private readonly deviceGrant: DeviceGrantService | null = null,
  ) {}

  /** RFC 8628 §3.1-3.2. */
  deviceAuthorization = async (req: Request, res: Response) => {
    assertForm(req);
    if (!this.deviceGrant) throw new OAuthError('unsupported_grant_type', 'The device flow is not served here');
    const ctx = requestContext(req);
    const client = await this.clients.authenticate(clientCredentials(req), ctx);
    const issued = await this.deviceGrant.authorize(client, { scope: formField(req, 'scope'), resource: formValues(req, 'resource') }, ctx);
    res.json({
      device_code: issued.deviceCode,
      user_code: issued.userCode,
      verification_uri: issued.verificationUri,
      verification_uri_complete: issued.verificationUriComplete,
      expires_in: issued.expiresIn,
      interval: issued.interval,
    });
  };

  token = async (req: Request, res: Response) => {
    assertForm(req);
    const grantType = requiredField(req, 'grant_type');
    const client = await this.clients.authenticate(clientCredentials(req), requestContext(req));
    const scope = formField(req, 'scope');
    // RFC 8707: may repeat; the grants refuse several (and unregistered ones) with invalid_target.
    const resource = formValues(req, 'resource');
    const ctx = requestContext(req);
    let issued: IssuedTokens;
    if (grantType === 'authorization_code' && this.codeGrant) {
      issued = await this.codeGrant.exchange(
        client,
        { code: formField(req, 'code'), redirectUri: formField(req, 'redirect_uri'), codeVerifier: formField(req, 'code_verifier'), resource },
        ctx,
      );
    } else if (grantType === 'password') {
      issued = await this.tokens.passwordGrant(client, { username: requiredField(req, 'username'), password: requiredField(req, 'password'), scope, resource }, ctx);
    } else if (grantType === 'refresh_token') {
      issued = await this.tokens.refreshGrant(client, { refreshToken: requiredField(req, 'refresh_token'), scope, resource }, ctx);
    } else if (grantType === DEVICE_CODE_GRANT && this.deviceGrant) {
      issued = await this.deviceGrant.poll(client, requiredField(req, 'device_code'), ctx);
    } else if (grantType === 'client_credentials') {
      issued = await this.tokens.clientCredentialsGrant(client, { scope, resource });
    } else {
      // Not echoed: error_description allows only RFC 6749 §5.2's characters, and a client knows what it sent.
      throw new OAuthError('unsupported_grant_type', 'grant_type is not supported (authorization_code, password, refresh_token, client_credentials, urn:ietf:params:oauth:grant-type:device_code)');
    }
    res.json(tokenBody(issued));
  };

  /** RFC 7009 §2.2: 200 with an empty body, also for unknown or already invalid tokens. */
  revoke = async (req: Request, res: Response) => {
    assertForm(req);
    const client = await this.clients.authenticate(clientCredentials(req));
    const token = requiredField(req, 'token');
    hint(req);
    await this.tokens.revoke(client, token, requestContext(req));
    res.status(200).end();
  };

  /**
   * RFC 7662: only for confidential clients (resource servers) that authenticate. Served by the declared
   * endpoint (oauth.endpoints.ts) and by the fast path (oauth.routes.ts oauthHotRoutes): sendJson with the
   * no-store headers, either way.
   */
  introspect: HotHandler = async (req, res) => {
    assertForm(req);
    const client = await this.clients.authenticate(clientCredentials(req));
    if (client.method === 'none') throw new OAuthError('invalid_client', 'Introspection requires client authentication (a confidential client)');
    const token = requiredField(req, 'token');
    hint(req);
    sendJson(req, res, 200, await this.tokens.introspect(client, token), NO_STORE);
  };
}

/**
 * token_type_hint is only a hint (RFC 7009 §2.1, RFC 7662 §2.1): tokens are recognised by their shape, so
 * every type is searched whatever it says, and an unknown value is ignored (RFC 7009 §2.1: the server "MAY
 * ignore it" and then extends its search). It is still read as a field: given twice or with NUL is
 * invalid_request, as for any field.
 */
function hint(req: FormRequest): void {
  formField(req, 'token_type_hint');
}
