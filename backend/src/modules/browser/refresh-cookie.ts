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

/** The attributes of every cookie on the browser auth paths (the refresh token's, the trusted device's). */
export function browserCookieOptions(req: Request, settings: CookieSettings) {
  return { httpOnly: true, sameSite: 'strict' as const, secure: req.secure || settings.behindProxy, path: BROWSER_AUTH_PATH };
}

export function setRefreshCookie(req: Request, res: Response, token: string, settings: CookieSettings): void {
  res.cookie(REFRESH_COOKIE, token, { ...browserCookieOptions(req, settings), maxAge: settings.maxAgeSeconds * 1000 });
}

export function clearRefreshCookie(req: Request, res: Response, settings: CookieSettings): void {
  res.clearCookie(REFRESH_COOKIE, browserCookieOptions(req, settings));
}

/** Cookie `name` from the request, or null when it is missing, empty or longer than `maxLength`. */
export function readCookie(req: Request, name: string, maxLength: number): string | null {
  const header = req.get('cookie');
  if (!header) return null;
  const value = parseCookie(header)[name];
  return value && value.length <= maxLength ? value : null;
}

export function readRefreshCookie(req: Request): string | null {
  return readCookie(req, REFRESH_COOKIE, 512);
}
