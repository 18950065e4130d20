// /api/admin/oauth-clients handlers: thin calls into OAuthClientService (the CLI calls the same service).
import type { Request, Response } from 'express';
import { matchedData } from 'express-validator';
import type { OAuthClientService } from '../../domain/oauth/client.service';
import { OIDC_CLIENT_FIELDS, type ClientRegistration, type OAuthClientPatch } from '../../domain/oauth/types';
import { claimsOf } from '../../http/authenticate';
import { noStore, requestContext } from '../../http/context';
import { clientView } from './oauth-clients.mappers';

const PATCH_FIELDS = ['name', 'grantTypes', 'allowedScopes', 'defaultScopes', 'redirectUris', 'accessTokenTtl', 'refreshTokenTtl', 'active', ...OIDC_CLIENT_FIELDS] as const;

export class OAuthClientHandlers {
  constructor(private readonly clients: OAuthClientService) {}

  private actor(req: Request) {
    return { userId: claimsOf(req).sub, ctx: requestContext(req) };
  }

  create = async (req: Request, res: Response) => {
    const b = req.body;
    const input: ClientRegistration = {
      name: b.name,
      clientId: b.clientId,
      type: b.type,
      grantTypes: b.grantTypes,
      allowedScopes: b.allowedScopes,
      defaultScopes: b.defaultScopes,
      redirectUris: b.redirectUris,
      accessTokenTtl: b.accessTokenTtl,
      refreshTokenTtl: b.refreshTokenTtl,
    };
    for (const f of OIDC_CLIENT_FIELDS) if (b[f] !== undefined) (input as unknown as Record<string, unknown>)[f] = b[f];
    const { client, secret } = await this.clients.create(input, this.actor(req));
    noStore(res).status(201).json({ client: clientView(client), clientSecret: secret });
  };

  list = async (_req: Request, res: Response) => {
    res.json({ clients: (await this.clients.list()).map(clientView) });
  };

  show = async (req: Request, res: Response) => {
    res.json({ client: clientView(await this.clients.show(String(req.params.clientId))) });
  };

  update = async (req: Request, res: Response) => {
    const patch: OAuthClientPatch = {};
    for (const f of PATCH_FIELDS) if (req.body[f] !== undefined) (patch as Record<string, unknown>)[f] = req.body[f];
    const client = await this.clients.update(String(req.params.clientId), patch, this.actor(req));
    res.json({ client: clientView(client) });
  };

  rotateSecret = async (req: Request, res: Response) => {
    const { overlapSeconds } = matchedData(req, { locations: ['body'] }) as { overlapSeconds?: number };
    const { client, secret } = await this.clients.rotateSecret(String(req.params.clientId), this.actor(req), overlapSeconds);
    noStore(res).json({ client: clientView(client), clientSecret: secret });
  };

  deactivate = async (req: Request, res: Response) => {
    const { client, sessionsRevoked } = await this.clients.deactivate(String(req.params.clientId), this.actor(req));
    res.json({ client: clientView(client), sessionsRevoked });
  };
}
