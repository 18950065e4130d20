// POST /oauth/register (RFC 7591) and GET/PUT/DELETE /oauth/register/{clientId} (RFC 7592), declared once
// each (http/endpoint.ts) and mounted in the /oauth router (oauth.routes.ts): Cache-Control: no-store and
// errors as {error, error_description}. Registration off (OAUTH_REGISTRATION=off): every one of them answers
// as an unknown /oauth path does (404), and the metadata does not list the endpoint.
import express, { type Request, type RequestHandler, type Response } from 'express';
import type { ClientRegistrationService, RegisteredClient } from '../../domain/oauth/registration.service';
import { bearerToken } from '../../http/authenticate';
import { requestContext } from '../../http/context';
import { endpoint, type Endpoint } from '../../http/endpoint';
import { rejectUnreadableText } from '../../http/json-body';

export interface RegistrationEndpointDeps {
  registration: ClientRegistrationService;
  /** Per-IP, hourly (rate-limits.ts perClientRegistration): on POST /oauth/register only. */
  perClientRegistration: RequestHandler;
  issuer: string | (() => string);
}

/** RFC 7591 §3.2.1 / RFC 7592 §3: the client's metadata, its id, and (at registration only) its secrets. */
function registrationBody(r: RegisteredClient, registrationClientUri: string) {
  const c = r.client;
  return {
    client_id: c.clientId,
    ...(r.clientSecret ? { client_secret: r.clientSecret, client_secret_expires_at: 0 } : {}),
    client_id_issued_at: Math.floor(c.createdAt.getTime() / 1000),
    ...(r.registrationAccessToken ? { registration_access_token: r.registrationAccessToken } : {}),
    registration_client_uri: registrationClientUri,
    client_name: c.name,
    redirect_uris: c.redirectUris,
    grant_types: c.grantTypes,
    response_types: ['code'],
    token_endpoint_auth_method: c.tokenEndpointAuthMethod ?? 'client_secret_basic',
    scope: c.allowedScopes.join(' '),
    ...(c.clientUri ? { client_uri: c.clientUri } : {}),
    ...(c.logoUri ? { logo_uri: c.logoUri } : {}),
  };
}

/** 16 KiB of JSON is far more than any client's metadata. */
const json = express.json({ limit: '16kb' });

export function registrationEndpoints({ registration, perClientRegistration, issuer }: RegistrationEndpointDeps): Endpoint[] {
  const base = () => (typeof issuer === 'string' ? issuer : issuer()).replace(/\/+$/, '');
  const uriOf = (clientId: string) => `${base()}/oauth/register/${encodeURIComponent(clientId)}`;
  // Off: on to the /oauth router's answer for a path that names no endpoint (404).
  const enabled: RequestHandler = (_req, _res, next) => next(registration.enabled ? undefined : 'route');
  const body: RequestHandler[] = [json, rejectUnreadableText];
  const clientPath = (req: Request) => String(req.params.clientId ?? '');

  return [
    endpoint({
      method: 'POST', path: '/oauth/register', operationId: 'oauthRegisterClient', access: 'public',
      pre: [enabled, perClientRegistration, ...body],
      handler: async (req: Request, res: Response) => {
        const r = await registration.register(req.body, bearerToken(req), requestContext(req));
        res.status(201).json(registrationBody(r, uriOf(r.client.clientId)));
      },
    }),
    endpoint({
      method: 'GET', path: '/oauth/register/:clientId', operationId: 'oauthReadClientRegistration', access: 'public',
      pre: [enabled],
      handler: async (req: Request, res: Response) => {
        const r = await registration.read(clientPath(req), bearerToken(req));
        res.json(registrationBody(r, uriOf(r.client.clientId)));
      },
    }),
    endpoint({
      method: 'PUT', path: '/oauth/register/:clientId', operationId: 'oauthUpdateClientRegistration', access: 'public',
      pre: [enabled, ...body],
      handler: async (req: Request, res: Response) => {
        const r = await registration.update(clientPath(req), bearerToken(req), req.body, requestContext(req));
        res.json(registrationBody(r, uriOf(r.client.clientId)));
      },
    }),
    endpoint({
      method: 'DELETE', path: '/oauth/register/:clientId', operationId: 'oauthDeleteClientRegistration', access: 'public',
      pre: [enabled],
      handler: async (req: Request, res: Response) => {
        await registration.remove(clientPath(req), bearerToken(req), requestContext(req));
        res.status(204).end();
      },
    }),
  ];
}
