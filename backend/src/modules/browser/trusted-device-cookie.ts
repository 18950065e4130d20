// The browser's trusted-device token ("remember this device" at the 2FA step) lives only in this cookie:
// HttpOnly, SameSite=Strict, sent only to the browser auth paths (where sign-in reads it), Secure on HTTPS or
// behind a trusted proxy. Signing out keeps it: remembering the device is meant to outlive the session.
import type { Request, Response } from 'express';
import { browserCookieOptions, readCookie, type CookieSettings } from './refresh-cookie';

export const TRUSTED_DEVICE_COOKIE = 'sessionary_device';

export function setTrustedDeviceCookie(req: Request, res: Response, token: string, expiresAt: Date, settings: CookieSettings): void {
  res.cookie(TRUSTED_DEVICE_COOKIE, token, { ...browserCookieOptions(req, settings), expires: expiresAt });
}

export function readTrustedDeviceCookie(req: Request): string | null {
  return readCookie(req, TRUSTED_DEVICE_COOKIE, 256);
}
