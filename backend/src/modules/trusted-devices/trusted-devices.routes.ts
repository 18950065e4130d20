// /api/user/trusted-devices: list and forget the devices where "remember this device" skips the second
// factor. Bearer token required.
import { Router } from 'express';
import type { AuthService } from '../../domain/auth.service';
import type { TrustedDeviceService } from '../../domain/trusted-devices';
import { authenticate } from '../../http/authenticate';
import { retryReadOnce } from '../../http/safe-read';
import { TrustedDeviceHandlers } from './trusted-devices.handlers';

export function trustedDeviceRoutes({ auth, trustedDevices }: { auth: AuthService; trustedDevices: TrustedDeviceService }): Router {
  const h = new TrustedDeviceHandlers(trustedDevices);
  const router = Router();
  router.use(authenticate(auth));
  router.get('/', retryReadOnce(h.list));
  router.delete('/', h.forgetAll);
  router.delete('/:deviceId', h.forget);
  return router;
}
