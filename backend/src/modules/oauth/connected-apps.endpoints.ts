// /api/user/connected-apps: the applications the user granted access (consent screen), and "Remove access".
// Each endpoint declared once (http/endpoint.ts); a bearer token is required.
import type { ConnectedApp } from '../../domain/oauth/authorization.types';
import type { ConnectedAppsService } from '../../domain/oauth/connected-apps.service';
import { claimsOf } from '../../http/authenticate';
import { noStore, requestContext } from '../../http/context';
import { endpoint, type Endpoint } from '../../http/endpoint';
import { text } from '../../http/fields';

/** Whitelisted fields of a granted application. */
const appView = (a: ConnectedApp) => ({
  clientId: a.clientId,
  name: a.name,
  clientUri: a.clientUri,
  logoUri: a.logoUri,
  scopes: a.scopes,
  grantedAt: a.grantedAt.toISOString(),
  lastUsedAt: a.lastUsedAt?.toISOString() ?? null,
  activeSessions: a.activeSessions,
});

export function connectedAppEndpoints({ connectedApps }: { connectedApps: ConnectedAppsService }): Endpoint[] {
  return [
    endpoint({
      method: 'GET', path: '/api/user/connected-apps', operationId: 'listConnectedApps', access: 'user',
      handler: async (req, res) => {
        noStore(res).json({ apps: (await connectedApps.list(claimsOf(req).sub)).map(appView) });
      },
    }),
    endpoint({
      method: 'DELETE', path: '/api/user/connected-apps/:clientId', operationId: 'removeConnectedApp', access: 'user',
      // Any id of a sane length: one the user never granted is the service's 404.
      params: { clientId: text(100) },
      handler: async (req, res) => {
        res.json(await connectedApps.remove(claimsOf(req).sub, req.params.clientId, requestContext(req)));
      },
    }),
  ];
}
