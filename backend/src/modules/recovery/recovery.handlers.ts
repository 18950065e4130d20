// Recovery handlers (/api/auth password reset, email verification, "this wasn't me"; /api/user/email):
// thin HTTP adapters over AccountRecoveryService.
import type { Request, Response } from 'express';
import type { AccountRecoveryService } from '../../domain/account-recovery.service';
import type { Logger } from '../../infrastructure/logger';
import { claimsOf } from '../../http/authenticate';
import { noStore, requestContext } from '../../http/context';

/** One answer whether or not an account has the address: the body, the status and the timing. */
const ACCEPTED = { message: 'If an account uses this address, a mail is on its way.' };

export class RecoveryHandlers {
  constructor(
    private readonly recovery: AccountRecoveryService,
    private readonly logger: Logger,
  ) {}

  /**
   * Answers at once and does the work afterwards: the response cannot wait longer for a known address (a
   * database write and a queued mail) than for an unknown one, so its timing says nothing either.
   */
  private acceptedThen(req: Request, res: Response, work: () => Promise<void>): void {
    res.status(202).json(ACCEPTED);
    work().catch((err: unknown) => this.logger.warn('mail request failed after it was answered', { requestId: req.id, path: req.path, error: String((err as Error)?.message ?? err) }));
  }

  requestPasswordReset = (req: Request, res: Response) => {
    const ctx = requestContext(req);
    this.acceptedThen(req, res, () => this.recovery.requestPasswordReset(req.body.email, ctx));
  };

  confirmPasswordReset = async (req: Request, res: Response) => {
    await this.recovery.confirmPasswordReset(req.body.token, req.body.newPassword, requestContext(req));
    res.status(204).end();
  };

  resendVerification = (req: Request, res: Response) => {
    this.acceptedThen(req, res, () => this.recovery.resendVerification(req.body.email));
  };

  confirmEmail = async (req: Request, res: Response) => {
    const { email } = await this.recovery.confirmEmail(req.body.token, requestContext(req));
    res.json({ email, emailVerified: true });
  };

  reportSignIn = async (req: Request, res: Response) => {
    const report = await this.recovery.reportSignIn(req.body.token, requestContext(req));
    noStore(res).json({ sessionId: report.sessionId, passwordResetMailed: report.passwordResetMailed });
  };

  revertEmailChange = async (req: Request, res: Response) => {
    const { email } = await this.recovery.revertEmailChange(req.body.token, requestContext(req));
    res.json({ email, reverted: true });
  };

  requestEmailChange = async (req: Request, res: Response) => {
    const { password, newEmail, code } = req.body as { password: string; newEmail: string; code?: string | null };
    const { pendingEmail } = await this.recovery.requestEmailChange(claimsOf(req), { password, newEmail, code }, requestContext(req));
    res.status(202).json({ pendingEmail });
  };
}
