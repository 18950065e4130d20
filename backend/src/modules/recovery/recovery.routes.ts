// Password reset, email verification and "this wasn't me" under /api/auth (no token needed: the mailed link
// is the credential), and the change of address under /api/user/email (signed in, password re-checked).
import { Router, type RequestHandler } from 'express';
import type { AccountRecoveryService } from '../../domain/account-recovery.service';
import type { AuthService } from '../../domain/auth.service';
import type { Logger } from '../../infrastructure/logger';
import { authenticate } from '../../http/authenticate';
import { validate } from '../../http/validate';
import { emailKey } from '../../http/rate-limit-keys';
import type { RateLimits } from '../../http/rate-limits';
import { RecoveryHandlers } from './recovery.handlers';
import { emailChangeRules, mailRequestRules, resetConfirmRules, tokenRules } from './recovery.validators';

export interface RecoveryRouteDeps {
  recovery: AccountRecoveryService;
  auth: AuthService;
  logger: Logger;
  /** Per-IP and per-address hourly limits on requests that send mail. */
  perMailRequest: RateLimits['perMailRequest'];
  /** Per-user limit on requests that check the current password. */
  perUser: RequestHandler;
}

/** Mounted on /api/auth, behind its per-IP limit. */
export function recoveryRoutes({ recovery, logger, perMailRequest }: RecoveryRouteDeps): Router {
  const h = new RecoveryHandlers(recovery, logger);
  const router = Router();
  router.post('/password-reset', validate(mailRequestRules), ...perMailRequest('password_reset', emailKey('email')), h.requestPasswordReset);
  router.post('/password-reset/confirm', validate(resetConfirmRules), h.confirmPasswordReset);
  router.post('/email-verification', validate(mailRequestRules), ...perMailRequest('verification', emailKey('email')), h.resendVerification);
  router.post('/email-verification/confirm', validate(tokenRules), h.confirmEmail);
  router.post('/sign-in-report', validate(tokenRules), h.reportSignIn);
  router.post('/email-change/revert', validate(tokenRules), h.revertEmailChange);
  return router;
}

/** Mounted on /api/user/email. */
export function emailChangeRoutes({ recovery, auth, logger, perUser }: RecoveryRouteDeps): Router {
  const h = new RecoveryHandlers(recovery, logger);
  const router = Router();
  router.post('/', authenticate(auth), validate(emailChangeRules), perUser, h.requestEmailChange);
  return router;
}
