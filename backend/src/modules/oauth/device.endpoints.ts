// /api/oauth/device — the account web app's /device page (RFC 8628 §3.3): the signed-in user enters the user
// code a CLI or TV shows, sees which application asks for what, and approves or denies. Both calls need the web
// app's bearer token and a same-origin request (as the consent screen's decision, consent.endpoints.ts), and
// count against the per-user limit of code checks, so user codes cannot be guessed at speed.
import type { DeviceGrantService } from '../../domain/oauth/device-grant.service';
import { claimsOf } from '../../http/authenticate';
import { noStore, requestContext } from '../../http/context';
import { endpoint, type Endpoint } from '../../http/endpoint';
import { field, text } from '../../http/fields';
import type { RateLimits } from '../../http/rate-limits';
import { sameOriginOnly } from '../browser/same-origin';

export function deviceEndpoints({ devices, trustedOrigins, perUser }: { devices: DeviceGrantService; trustedOrigins: readonly string[]; perUser: RateLimits['perUser'] }): Endpoint[] {
  const sameOrigin = sameOriginOnly(trustedOrigins);
  const userCode = text(20);
  return [
    endpoint({
      method: 'POST', path: '/api/oauth/device/lookup', operationId: 'deviceLookup', access: 'user',
      beforeAccess: [sameOrigin],
      body: { userCode },
      limits: [perUser],
      handler: async (req, res) => {
        noStore(res).json(await devices.lookup(req.body.userCode, claimsOf(req), requestContext(req)));
      },
    }),
    endpoint({
      method: 'POST', path: '/api/oauth/device/decision', operationId: 'deviceDecision', access: 'user',
      beforeAccess: [sameOrigin],
      body: { userCode, approve: field<boolean>((c) => c.isBoolean({ strict: true }).withMessage('approve must be true or false')) },
      limits: [perUser],
      handler: async (req, res) => {
        noStore(res).json(await devices.decide(req.body.userCode, claimsOf(req), req.body.approve, requestContext(req)));
      },
    }),
  ];
}
