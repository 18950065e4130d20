// Password reset, email verification and "this wasn't me" under /api/auth (no token needed: the mailed link
// is the credential; the app's per-IP limit on /api/auth counts them), and the change of address under
// /api/user/email (signed in, password re-checked). Each endpoint declared once (http/endpoint.ts).
import type { Request, RequestHandler, Response } from 'express';
import type { AccountRecoveryService } from '../../domain/account-recovery.service';
import type { Logger } from '../../infrastructure/logger';
import { claimsOf } from '../../http/authenticate';
import { noStore, requestContext } from '../../http/context';
import { endpoint, type Endpoint } from '../../http/endpoint';
import { emailKey } from '../../http/rate-limit-keys';
import type { RateLimits } from '../../http/rate-limits';
import { emailChangeBody, mailRequestBody, resetConfirmBody, tokenBody } from './recovery.validators';

export interface RecoveryEndpointDeps {
  recovery: AccountRecoveryService;
  logger: Logger;
  /** Per-IP and per-address hourly limits on requests that send mail. */
  perMailRequest: RateLimits['perMailRequest'];
  /** Per-user limit on requests that check the current password. */
  perUser: RequestHandler;
}

/** One answer whether or not an account has the address: the body, the status and the timing. */
const ACCEPTED = { message: 'If an account uses this address, a mail is on its way.' };

export function recoveryEndpoints({ recovery, logger, perMailRequest, perUser }: RecoveryEndpointDeps): Endpoint[] {
  /**
   * Answers at once and does the work afterwards: the response cannot wait longer for a known address (a
   * database write and a queued mail) than for an unknown one, so its timing says nothing either.
   */
  const acceptedThen = (req: Request, res: Response, work: () => Promise<void>): void => {
    res.status(202).json(ACCEPTED);
    work().catch((err: unknown) => logger.warn('mail request failed after it was answered', { requestId: req.id, path: req.path, error: String((err as Error)?.message ?? err) }));
  };
  return [
    endpoint({
      method: 'POST', path: '/api/auth/password-reset', operationId: 'requestPasswordReset', access: 'public',
      body: mailRequestBody,
      limits: perMailRequest('password_reset', emailKey('email')),
      handler: (req, res) => {
        const ctx = requestContext(req);
        acceptedThen(req, res, () => recovery.requestPasswordReset(req.body.email, ctx));
      },
    }),
    endpoint({
      method: 'POST', path: '/api/auth/password-reset/confirm', operationId: 'confirmPasswordReset', access: 'public',
      body: resetConfirmBody,
      handler: async (req, res) => {
        await recovery.confirmPasswordReset(req.body.token, req.body.newPassword, requestContext(req));
        res.status(204).end();
      },
    }),
    endpoint({
      method: 'POST', path: '/api/auth/email-verification', operationId: 'resendEmailVerification', access: 'public',
      body: mailRequestBody,
      limits: perMailRequest('verification', emailKey('email')),
      handler: (req, res) => acceptedThen(req, res, () => recovery.resendVerification(req.body.email)),
    }),
    endpoint({
      method: 'POST', path: '/api/auth/email-verification/confirm', operationId: 'confirmEmail', access: 'public',
      body: tokenBody,
      handler: async (req, res) => {
        const { email } = await recovery.confirmEmail(req.body.token, requestContext(req));
        res.json({ email, emailVerified: true });
      },
    }),
    endpoint({
      method: 'POST', path: '/api/auth/sign-in-report', operationId: 'reportSignIn', access: 'public',
      body: tokenBody,
      handler: async (req, res) => {
        const report = await recovery.reportSignIn(req.body.token, requestContext(req));
        noStore(res).json({ sessionId: report.sessionId, passwordResetMailed: report.passwordResetMailed });
      },
    }),
    endpoint({
      method: 'POST', path: '/api/auth/email-change/revert', operationId: 'revertEmailChange', access: 'public',
      body: tokenBody,
      handler: async (req, res) => {
        const { email } = await recovery.revertEmailChange(req.body.token, requestContext(req));
        res.json({ email, reverted: true });
      },
    }),
    endpoint({
      method: 'POST', path: '/api/user/email', operationId: 'requestEmailChange', access: 'user',
      body: emailChangeBody,
      limits: [perUser],
      handler: async (req, res) => {
        const { password, newEmail, code } = req.body;
        const { pendingEmail } = await recovery.requestEmailChange(claimsOf(req), { password, newEmail, code }, requestContext(req));
        res.status(202).json({ pendingEmail });
      },
    }),
    endpoint({
      method: 'GET', path: '/api/user/email', operationId: 'getEmailStatus', access: 'user',
      handler: async (req, res) => {
        const { email, pendingEmail, pendingExpiresAt } = await recovery.emailStatus(claimsOf(req).sub);
        res.json({ email, pendingEmail, pendingExpiresAt: pendingExpiresAt?.toISOString() ?? null });
      },
    }),
    endpoint({
      method: 'DELETE', path: '/api/user/email/pending', operationId: 'cancelEmailChange', access: 'user',
      handler: async (req, res) => {
        res.json({ cancelled: await recovery.cancelEmailChange(claimsOf(req).sub, requestContext(req)) });
      },
    }),
  ];
}
