// /api/admin/oauth-clients: the client registry for administrators, each endpoint declared once
// (http/endpoint.ts). Thin calls into OAuthClientService, which the CLI (oauth-clients.cli.ts) calls too.
import type { Request } from 'express';
import type { OAuthClientService } from '../../domain/oauth/client.service';
import type { ClientRegistration } from '../../domain/oauth/types';
import { claimsOf } from '../../http/authenticate';
import { noStore, requestContext } from '../../http/context';
import { endpoint, type Endpoint } from '../../http/endpoint';
import { clientView } from './oauth-clients.mappers';
import { clientPath, createClientBody, objectBodyRequired, rotateSecretBody, updateClientBody } from './oauth-clients.validators';

/**
 * The declared fields that were sent — a whitelist (a field the rules do not name never reaches the service),
 * and an absent field is left as it is (undefined never overwrites).
 */
function sent(body: object, shape: object): Record<string, unknown> {
  const declared = new Set(Object.keys(shape));
  return Object.fromEntries(Object.entries(body).filter(([k, v]) => declared.has(k) && v !== undefined));
}

export function oauthClientEndpoints({ clients }: { clients: OAuthClientService }): Endpoint[] {
  const actor = (req: Request) => ({ userId: claimsOf(req).sub, ctx: requestContext(req) });
  const base = '/api/admin/oauth-clients';
  return [
    endpoint({
      method: 'POST', path: base, operationId: 'createOAuthClient', access: 'admin-action',
      body: createClientBody,
      handler: async (req, res) => {
        const input = sent(req.body, createClientBody) as unknown as ClientRegistration;
        const { client, secret } = await clients.create(input, actor(req));
        noStore(res).status(201).json({ client: clientView(client), clientSecret: secret });
      },
    }),
    endpoint({
      method: 'GET', path: base, operationId: 'listOAuthClients', access: 'admin',
      handler: async (_req, res) => {
        res.json({ clients: (await clients.list()).map(clientView) });
      },
    }),
    endpoint({
      method: 'GET', path: `${base}/:clientId`, operationId: 'showOAuthClient', access: 'admin',
      params: clientPath,
      handler: async (req, res) => {
        res.json({ client: clientView(await clients.show(req.params.clientId)) });
      },
    }),
    endpoint({
      method: 'PATCH', path: `${base}/:clientId`, operationId: 'updateOAuthClient', access: 'admin-action',
      pre: [objectBodyRequired],
      params: clientPath,
      body: updateClientBody,
      handler: async (req, res) => {
        // clientId and type are refused by the rules, so they are never in what was sent.
        const client = await clients.update(req.params.clientId, sent(req.body, updateClientBody), actor(req));
        res.json({ client: clientView(client) });
      },
    }),
    endpoint({
      method: 'POST', path: `${base}/:clientId/rotate-secret`, operationId: 'rotateOAuthClientSecret', access: 'admin-action',
      params: clientPath,
      body: rotateSecretBody,
      handler: async (req, res) => {
        const { client, secret } = await clients.rotateSecret(req.params.clientId, actor(req), req.body.overlapSeconds);
        noStore(res).json({ client: clientView(client), clientSecret: secret });
      },
    }),
    endpoint({
      method: 'POST', path: `${base}/:clientId/deactivate`, operationId: 'deactivateOAuthClient', access: 'admin-action',
      params: clientPath,
      handler: async (req, res) => {
        const { client, sessionsRevoked } = await clients.deactivate(req.params.clientId, actor(req));
        res.json({ client: clientView(client), sessionsRevoked });
      },
    }),
  ];
}
