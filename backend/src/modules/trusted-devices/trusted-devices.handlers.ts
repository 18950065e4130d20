// /api/user/trusted-devices handlers: the devices that skip the second factor, and forgetting them.
import type { Request, Response } from 'express';
import type { TrustedDeviceService } from '../../domain/trusted-devices';
import type { TrustedDevice } from '../../domain/types';
import { claimsOf } from '../../http/authenticate';
import { requestContext } from '../../http/context';

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

export class TrustedDeviceHandlers {
  constructor(private readonly devices: TrustedDeviceService) {}

  list = async (req: Request, res: Response) => {
    const { sub, sid } = claimsOf(req);
    const devices = await this.devices.list(sub);
    res.json({ devices: devices.map((d) => deviceView(d, sid)) });
  };

  forget = async (req: Request, res: Response) => {
    await this.devices.forget(claimsOf(req).sub, String(req.params.deviceId), requestContext(req));
    res.status(204).end();
  };

  forgetAll = async (req: Request, res: Response) => {
    const forgotten = await this.devices.forgetAll(claimsOf(req).sub, requestContext(req));
    res.json({ forgotten });
  };
}
