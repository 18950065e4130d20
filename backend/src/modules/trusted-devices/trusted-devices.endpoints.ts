// /api/user/trusted-devices: list and forget the devices where "remember this device" skips the second
// factor. Each endpoint declared once (http/endpoint.ts); a bearer token is required.
import type { TrustedDeviceService } from '../../domain/trusted-devices';
import type { TrustedDevice } from '../../domain/types';
import { claimsOf } from '../../http/authenticate';
import { requestContext } from '../../http/context';
import { endpoint, type Endpoint } from '../../http/endpoint';
import { pathSegment } from '../../http/fields';

/** Whitelisted fields: never the token hash. `current`: the calling session was opened through this device. */
const deviceView = (d: TrustedDevice, sessionId: string) => ({
  id: d.id,
  current: d.lastSessionId === sessionId,
  deviceName: d.deviceName,
  browser: d.browser,
  os: d.os,
  deviceType: d.deviceType,
  ipAddress: d.ipAddress,
  createdAt: d.createdAt.toISOString(),
  lastUsedAt: d.lastUsedAt?.toISOString() ?? null,
  expiresAt: d.expiresAt.toISOString(),
});

export function trustedDeviceEndpoints({ trustedDevices }: { trustedDevices: TrustedDeviceService }): Endpoint[] {
  return [
    endpoint({
      method: 'GET', path: '/api/user/trusted-devices', operationId: 'listTrustedDevices', access: 'user',
      handler: async (req, res) => {
        const { sub, sid } = claimsOf(req);
        res.json({ devices: (await trustedDevices.list(sub)).map((d) => deviceView(d, sid)) });
      },
    }),
    endpoint({
      method: 'DELETE', path: '/api/user/trusted-devices', operationId: 'forgetTrustedDevices', access: 'user',
      handler: async (req, res) => {
        res.json({ forgotten: await trustedDevices.forgetAll(claimsOf(req).sub, requestContext(req)) });
      },
    }),
    endpoint({
      method: 'DELETE', path: '/api/user/trusted-devices/:deviceId', operationId: 'forgetTrustedDevice', access: 'user',
      // Any id: one that names none of the caller's devices is the service's 404.
      params: { deviceId: pathSegment() },
      handler: async (req, res) => {
        await trustedDevices.forget(claimsOf(req).sub, req.params.deviceId, requestContext(req));
        res.status(204).end();
      },
    }),
  ];
}
