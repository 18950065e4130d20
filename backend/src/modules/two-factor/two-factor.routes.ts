// /api/user/2fa/*: TOTP enrolment, backup codes, disabling. Every route requires a bearer token.
// Responses carrying the secret or backup codes are never cached (Cache-Control: no-store).
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { body } from 'express-validator';
import type { AuthService } from '../../domain/auth.service';
import type { TwoFactorService } from '../../domain/two-factor.service';
import { authenticate, claimsOf } from '../../http/authenticate';
import { noStore, requestContext } from '../../http/context';
import { validate } from '../../http/validate';

export interface TwoFactorRouteDeps {
  auth: AuthService;
  twoFactor: TwoFactorService;
  /** Per-user limit on the code- and password-checking routes (enable, verify, disable, backup-codes). */
  perUser: RequestHandler;
}

const requiredString = (field: string, max: number) =>
  body(field)
    .exists({ values: 'null' }).withMessage(`${field} is required`).bail()
    .isString().withMessage(`${field} must be a string`).bail()
    .isLength({ min: 1, max }).withMessage(`${field} must be 1–${max} characters`);

/** Like /api/auth/login/2fa: any string is accepted here; a wrong or malformed code is MFA_INVALID_CODE. */
export const verifyRules = [requiredString('code', 16)];

/** `code` is a TOTP code or a backup code (any case, with or without the hyphen). */
export const disableRules = [requiredString('password', 1024), requiredString('code', 32)];

export const backupCodesRules = [requiredString('password', 1024)];

/**
 * `password` is optional for the contract's body-less call, which is accepted only within
 * REAUTH_WINDOW_SECONDS of signing in (403 REAUTH_REQUIRED after that); sent, it is checked.
 */
export const enableRules = [
  body('password')
    .optional({ values: 'null' })
    .isString().withMessage('password must be a string').bail()
    .isLength({ min: 1, max: 1024 }).withMessage('password must be 1–1024 characters'),
];

export function twoFactorRoutes({ auth, twoFactor, perUser }: TwoFactorRouteDeps): Router {
  const router = Router();
  router.use(authenticate(auth));

  router.post('/enable', validate(enableRules), perUser, async (req: Request, res: Response) => {
    const { sub, sid } = claimsOf(req);
    const password = typeof req.body?.password === 'string' ? req.body.password : null;
    const enrolment = await twoFactor.enable(sub, { password, sessionId: sid }, requestContext(req));
    noStore(res).json({ secret: enrolment.secret, otpauthUrl: enrolment.otpauthUrl, qrCodeDataUrl: enrolment.qrCodeDataUrl });
  });

  router.post('/verify', validate(verifyRules), perUser, async (req: Request, res: Response) => {
    const { sub, sid } = claimsOf(req);
    const { backupCodes, revokedSessions } = await twoFactor.verify(sub, String(req.body.code), requestContext(req), sid);
    noStore(res).json({ enabled: true, backupCodes, revokedSessions });
  });

  router.post('/disable', validate(disableRules), perUser, async (req: Request, res: Response) => {
    const { password, code } = req.body as { password: string; code: string };
    await twoFactor.disable(claimsOf(req).sub, { password, code }, requestContext(req));
    noStore(res).json({ enabled: false });
  });

  router.post('/backup-codes', validate(backupCodesRules), perUser, async (req: Request, res: Response) => {
    const { backupCodes } = await twoFactor.regenerateBackupCodes(claimsOf(req).sub, String(req.body.password), requestContext(req));
    noStore(res).json({ backupCodes });
  });

  return router;
}
