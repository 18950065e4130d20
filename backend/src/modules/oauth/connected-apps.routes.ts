// /api/user/connected-apps: the applications the user granted access (consent screen), and "Remove access".
import { Router, type Request, type Response } from 'express';
import { param } from 'express-validator';
import type { AuthService } from '../../domain/auth.service';
import type { ConnectedApp } from '../../domain/oauth/authorization.types';
import type { ConnectedAppsService } from '../../domain/oauth/connected-apps.service';
import { authenticate, claimsOf } from '../../http/authenticate';
import { noStore, requestContext } from '../../http/context';
import { retryReadOnce } from '../../http/safe-read';
import { validate } from '../../http/validate';

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

export function connectedAppRoutes({ connectedApps, auth }: { connectedApps: ConnectedAppsService; auth: AuthService }): Router {
  const router = Router();
  router.use(authenticate(auth));
  router.get(
    '/',
    retryReadOnce(async (req: Request, res: Response) => {
      noStore(res).json({ apps: (await connectedApps.list(claimsOf(req).sub)).map(appView) });
    }),
  );
  router.delete('/:clientId', validate([param('clientId').isString().isLength({ min: 1, max: 100 }).withMessage('clientId is invalid')]), async (req: Request, res: Response) => {
    res.json(await connectedApps.remove(claimsOf(req).sub, String(req.params.clientId), requestContext(req)));
  });
  return router;
}
