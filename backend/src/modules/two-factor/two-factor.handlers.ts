// /api/user/2fa handlers: thin calls into TwoFactorService. Responses carrying the secret or backup codes
// are never cached (Cache-Control: no-store).
import type { Request, Response } from 'express';
import type { TwoFactorService } from '../../domain/two-factor.service';
import { claimsOf } from '../../http/authenticate';
import { noStore, requestContext } from '../../http/context';

export class TwoFactorHandlers {
  constructor(private readonly twoFactor: TwoFactorService) {}

  enable = async (req: Request, res: Response) => {
    const { sub, sid } = claimsOf(req);
    const password = typeof req.body?.password === 'string' ? req.body.password : null;
    const enrolment = await this.twoFactor.enable(sub, { password, sessionId: sid }, requestContext(req));
    noStore(res).json({ secret: enrolment.secret, otpauthUrl: enrolment.otpauthUrl, qrCodeDataUrl: enrolment.qrCodeDataUrl });
  };

  verify = async (req: Request, res: Response) => {
    const { sub, sid } = claimsOf(req);
    const { backupCodes, revokedSessions } = await this.twoFactor.verify(sub, String(req.body.code), requestContext(req), sid);
    noStore(res).json({ enabled: true, backupCodes, revokedSessions });
  };

  disable = async (req: Request, res: Response) => {
    const { password, code } = req.body as { password: string; code: string };
    await this.twoFactor.disable(claimsOf(req).sub, { password, code }, requestContext(req));
    noStore(res).json({ enabled: false });
  };

  regenerateBackupCodes = async (req: Request, res: Response) => {
    const { backupCodes } = await this.twoFactor.regenerateBackupCodes(claimsOf(req).sub, String(req.body.password), requestContext(req));
    noStore(res).json({ backupCodes });
  };
}
