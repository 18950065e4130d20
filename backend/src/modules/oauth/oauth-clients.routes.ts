// /api/admin/oauth-clients: the client registry for administrators (bearer + role admin).
import { Router } from 'express';
import type { AuthService } from '../../domain/auth.service';
import type { OAuthClientService } from '../../domain/oauth/client.service';
import { authenticate, requireRole } from '../../http/authenticate';
import { validate } from '../../http/validate';
import { retryReadOnce } from '../../http/safe-read';
import { OAuthClientHandlers } from './oauth-clients.handlers';
import { clientIdParam, createClientRules, rotateSecretRules, updateClientRules } from './oauth-clients.validators';

export function oauthClientRoutes({ clients, auth }: { clients: OAuthClientService; auth: AuthService }): Router {
  const h = new OAuthClientHandlers(clients);
  const router = Router();
  router.use(authenticate(auth), requireRole('admin'));
  router.post('/', validate(createClientRules), h.create);
  router.get('/', retryReadOnce(h.list));
  router.get('/:clientId', validate([clientIdParam]), retryReadOnce(h.show));
  router.patch('/:clientId', validate(updateClientRules), h.update);
  router.post('/:clientId/rotate-secret', validate(rotateSecretRules), h.rotateSecret);
  router.post('/:clientId/deactivate', validate([clientIdParam]), h.deactivate);
  return router;
}
