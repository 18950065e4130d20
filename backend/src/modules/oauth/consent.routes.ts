// /api/oauth/authorization/:handle — the account web app's side of /oauth/authorize: what to show for a
// pending request (sign in again, the consent screen, or straight back to the app), the user's decision, and
// prompt=none's login_required when nobody is signed in. Answers are JSON with the redirect the page follows.
//
// CSRF: the decision needs the web app's bearer access token (a cross-site form cannot send one) and is refused
// unless Origin / Sec-Fetch-Site say it comes from this origin (modules/browser/same-origin.ts); the page the
// screen lives on is served with frame-ancestors 'none' (http/security-headers.ts pageCsp).
import { Router, type Request, type Response } from 'express';
import { body, param } from 'express-validator';
import type { AuthService } from '../../domain/auth.service';
import type { AuthorizationService } from '../../domain/oauth/authorization.service';
import { authenticate, claimsOf } from '../../http/authenticate';
import { noStore, requestContext } from '../../http/context';
import { validate } from '../../http/validate';
import { sameOriginOnly } from '../browser/same-origin';

const handle = param('handle').isString().isLength({ min: 1, max: 100 }).withMessage('handle is invalid');

export function consentRoutes({ authorizations, auth, trustedOrigins }: { authorizations: AuthorizationService; auth: AuthService; trustedOrigins: readonly string[] }): Router {
  const router = Router();
  router.use((_req, res, next) => (noStore(res), next()));
  const handleOf = (req: Request) => String(req.params.handle);

  router.get('/:handle/pending', validate([handle]), async (req: Request, res: Response) => {
    res.json(await authorizations.pending(handleOf(req)));
  });
  router.post('/:handle/login-required', sameOriginOnly(trustedOrigins), validate([handle]), async (req: Request, res: Response) => {
    res.json(await authorizations.loginRequired(handleOf(req), requestContext(req)));
  });
  router.get('/:handle', authenticate(auth), validate([handle]), async (req: Request, res: Response) => {
    res.json(await authorizations.next(handleOf(req), claimsOf(req), requestContext(req)));
  });
  router.post(
    '/:handle/decision',
    sameOriginOnly(trustedOrigins),
    authenticate(auth),
    validate([handle, body('approve').isBoolean({ strict: true }).withMessage('approve must be true or false')]),
    async (req: Request, res: Response) => {
      res.json(await authorizations.decide(handleOf(req), claimsOf(req), (req.body as { approve?: unknown }).approve === true, requestContext(req)));
    },
  );
  return router;
}
