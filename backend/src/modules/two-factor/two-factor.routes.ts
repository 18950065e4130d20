// /api/user/2fa/*: TOTP enrolment, backup codes, disabling. Every route requires a bearer token.
import { Router, type RequestHandler } from 'express';
import type { AuthService } from '../../domain/auth.service';
import type { TwoFactorService } from '../../domain/two-factor.service';
import { authenticate } from '../../http/authenticate';
import { validate } from '../../http/validate';
import { TwoFactorHandlers } from './two-factor.handlers';
import { backupCodesRules, disableRules, enableRules, verifyRules } from './two-factor.validators';

export interface TwoFactorRouteDeps {
  auth: AuthService;
  twoFactor: TwoFactorService;
  /** Per-user limit on the code- and password-checking routes (enable, verify, disable, backup-codes). */
  perUser: RequestHandler;
}

export function twoFactorRoutes({ auth, twoFactor, perUser }: TwoFactorRouteDeps): Router {
  const h = new TwoFactorHandlers(twoFactor);
  const router = Router();
  router.use(authenticate(auth));
  router.post('/enable', validate(enableRules), perUser, h.enable);
  router.post('/verify', validate(verifyRules), perUser, h.verify);
  router.post('/disable', validate(disableRules), perUser, h.disable);
  router.post('/backup-codes', validate(backupCodesRules), perUser, h.regenerateBackupCodes);
  return router;
}
