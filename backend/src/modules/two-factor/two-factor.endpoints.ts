// /api/user/2fa: status, TOTP enrolment, backup codes, disabling — each endpoint declared once (http/endpoint.ts), all
// for a signed-in user and under the per-user limit (they check codes or the password). Responses carrying
// the secret or backup codes are never cached (Cache-Control: no-store).
import type { RequestHandler } from 'express';
import type { TwoFactorService } from '../../domain/two-factor.service';
import { claimsOf } from '../../http/authenticate';
import { noStore, requestContext } from '../../http/context';
import { endpoint, type Endpoint } from '../../http/endpoint';
import { backupCodesBody, disableBody, enableBody, verifyBody } from './two-factor.validators';

export interface TwoFactorEndpointDeps {
  twoFactor: TwoFactorService;
  /** Per-user limit on the code- and password-checking endpoints. */
  perUser: RequestHandler;
}

export function twoFactorEndpoints({ twoFactor, perUser }: TwoFactorEndpointDeps): Endpoint[] {
  return [
    endpoint({
      method: 'GET', path: '/api/user/2fa', operationId: 'getTwoFactorStatus', access: 'user',
      handler: async (req, res) => {
        const { enabled, backupCodesRemaining } = await twoFactor.status(claimsOf(req).sub);
        noStore(res).json({ enabled, backupCodesRemaining });
      },
    }),
    endpoint({
      method: 'POST', path: '/api/user/2fa/enable', operationId: 'enableTwoFactor', access: 'user',
      body: enableBody,
      limits: [perUser],
      handler: async (req, res) => {
        const { sub, sid } = claimsOf(req);
        const enrolment = await twoFactor.enable(sub, { password: req.body.password ?? null, sessionId: sid }, requestContext(req));
        noStore(res).json({ secret: enrolment.secret, otpauthUrl: enrolment.otpauthUrl, qrCodeDataUrl: enrolment.qrCodeDataUrl });
      },
    }),
    endpoint({
      method: 'POST', path: '/api/user/2fa/verify', operationId: 'verifyTwoFactor', access: 'user',
      body: verifyBody,
      limits: [perUser],
      handler: async (req, res) => {
        const { sub, sid } = claimsOf(req);
        const { backupCodes, revokedSessions } = await twoFactor.verify(sub, req.body.code, requestContext(req), sid);
        noStore(res).json({ enabled: true, backupCodes, revokedSessions });
      },
    }),
    endpoint({
      method: 'POST', path: '/api/user/2fa/disable', operationId: 'disableTwoFactor', access: 'user',
      body: disableBody,
      limits: [perUser],
      handler: async (req, res) => {
        const { password, code } = req.body;
        await twoFactor.disable(claimsOf(req).sub, { password, code }, requestContext(req));
        noStore(res).json({ enabled: false });
      },
    }),
    endpoint({
      method: 'POST', path: '/api/user/2fa/backup-codes', operationId: 'regenerateBackupCodes', access: 'user',
      body: backupCodesBody,
      limits: [perUser],
      handler: async (req, res) => {
        const { backupCodes } = await twoFactor.regenerateBackupCodes(claimsOf(req).sub, req.body.password, requestContext(req));
        noStore(res).json({ backupCodes });
      },
    }),
  ];
}
