// The browser's refresh token lives only in this cookie: HttpOnly (no script can read it), SameSite=Strict
// (never sent on cross-site requests), limited to the browser auth paths (never sent to /api/user or to the
// page), and Secure on HTTPS or behind a trusted proxy (which terminates TLS).
import type { Request, Response } from 'express';
import { parseCookie } from 'cookie';

export const REFRESH_COOKIE = 'sessionary_refresh';
export const BROWSER_AUTH_PATH = '/api/auth/browser';

export interface CookieSettings {
  /** Lifetime of the cookie, seconds (REFRESH_TOKEN_TTL: the session's absolute lifetime). */
  maxAgeSeconds: number;
  /** TRUST_PROXY is set: a proxy in front terminates TLS, so mark the cookie Secure. */
  behindProxy: boolean;
}

function options(req: Request, settings: CookieSettings) {
  return { httpOnly: true, sameSite: 'strict' as const, secure: req.secure || settings.behindProxy, path: BROWSER_AUTH_PATH };
}

export function setRefreshCookie(req: Request, res: Response, token: string, settings: CookieSettings): void {
  res.cookie(REFRESH_COOKIE, token, { ...options(req, settings), maxAge: settings.maxAgeSeconds * 1000 });
}

export function clearRefreshCookie(req: Request, res: Response, settings: CookieSettings): void {
  res.clearCookie(REFRESH_COOKIE, options(req, settings));
}

export function readRefreshCookie(req: Request): string | null {
  const header = req.get('cookie');
  if (!header) return null;
  const value = parseCookie(header)[REFRESH_COOKIE];
  return value && value.length <= 512 ? value : null;
}
