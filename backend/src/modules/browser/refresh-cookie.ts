// The browser's refresh token lives only in this cookie: HttpOnly (no script can read it), SameSite=Strict
// (never sent on cross-site requests), and Secure on HTTPS, behind a trusted proxy (which terminates TLS) or
// when PUBLIC_URL is https. Over HTTPS it is `__Host-sessionary_refresh`: the browser accepts that name only
// Secure, host-only and with Path=/, so a sibling subdomain or a plain-HTTP response cannot plant or overwrite
// it (issue 22). The price of the prefix is Path=/: the cookie also travels to /api/user and the page, which
// never read it and never log cookies. Without TLS it keeps the old name and path (/api/auth/browser).
import type { Request, Response } from 'express';
import { parseCookie } from 'cookie';

/** The name without TLS, and the name read for a migration period (one refresh renames the cookie). */
export const REFRESH_COOKIE = 'sessionary_refresh';
export const HOST_REFRESH_COOKIE = '__Host-sessionary_refresh';
export const BROWSER_AUTH_PATH = '/api/auth/browser';
const MAX_TOKEN_LENGTH = 512;

export interface CookieSettings {
  /** Lifetime of the cookie, seconds (REFRESH_TOKEN_TTL: the session's absolute lifetime). */
  maxAgeSeconds: number;
  /** TRUST_PROXY is set: a proxy in front terminates TLS, so mark the cookie Secure. */
  behindProxy: boolean;
  /** PUBLIC_URL is https: the service is reached over TLS (Secure cookies, the __Host- name). */
  httpsPublicUrl?: boolean;
}

const overTls = (req: Request, settings: CookieSettings) => req.secure || settings.behindProxy || settings.httpsPublicUrl === true;

/** The attributes of every cookie on the browser auth paths (the refresh token's, the trusted device's). */
export function browserCookieOptions(req: Request, settings: CookieSettings) {
  return { httpOnly: true, sameSite: 'strict' as const, secure: overTls(req, settings), path: BROWSER_AUTH_PATH };
}

function hostCookieOptions() {
  return { httpOnly: true, sameSite: 'strict' as const, secure: true, path: '/' };
}

export function setRefreshCookie(req: Request, res: Response, token: string, settings: CookieSettings): void {
  const maxAge = settings.maxAgeSeconds * 1000;
  if (!overTls(req, settings)) {
    res.cookie(REFRESH_COOKIE, token, { ...browserCookieOptions(req, settings), maxAge });
    return;
  }
  res.cookie(HOST_REFRESH_COOKIE, token, { ...hostCookieOptions(), maxAge });
  // Migration: the old-name cookie is dropped once the new one is set, so it cannot be read again.
  if (cookieValues(req, REFRESH_COOKIE).length) res.clearCookie(REFRESH_COOKIE, browserCookieOptions(req, settings));
}

export function clearRefreshCookie(req: Request, res: Response, settings: CookieSettings): void {
  res.clearCookie(REFRESH_COOKIE, browserCookieOptions(req, settings));
  if (overTls(req, settings)) res.clearCookie(HOST_REFRESH_COOKIE, hostCookieOptions());
}

/**
 * Every value the request carries for cookie `name`, in order. `parseCookie` keeps only the first of
 * duplicate names, so each `;`-separated pair is parsed on its own (a cookie value cannot contain `;`).
 */
function cookieValues(req: Request, name: string): string[] {
  const header = req.get('cookie');
  if (!header) return [];
  return header.split(';').map((pair) => parseCookie(pair)[name]).filter((v): v is string => typeof v === 'string' && v !== '');
}

/** Cookie `name` from the request, or null when it is missing, empty or longer than `maxLength`. */
export function readCookie(req: Request, name: string, maxLength: number): string | null {
  const header = req.get('cookie');
  if (!header) return null;
  const value = parseCookie(header)[name];
  return value && value.length <= maxLength ? value : null;
}

/**
 * The refresh token, or null. The `__Host-` cookie wins: only this origin over TLS can have set it. The old
 * name is read only when there is none (migration). A name sent twice is refused rather than "first one
 * wins": browsers send the cookie with the longer path first, and a sibling subdomain can add one with
 * `Domain=` the parent, so the first is the one an attacker chooses (their own session planted in the
 * victim's browser). Trying each until one works would hand the choice to the attacker the same way.
 */
export function readRefreshCookie(req: Request): string | null {
  const host = cookieValues(req, HOST_REFRESH_COOKIE);
  const values = host.length ? host : cookieValues(req, REFRESH_COOKIE);
  if (values.length !== 1) return null;
  const value = values[0];
  return value.length <= MAX_TOKEN_LENGTH ? value : null;
}

/** For sign-out: every refresh token the request names, duplicates included (ending each is safe). */
export function readAllRefreshCookies(req: Request): string[] {
  const all = [...cookieValues(req, HOST_REFRESH_COOKIE), ...cookieValues(req, REFRESH_COOKIE)];
  return [...new Set(all)].filter((v) => v.length <= MAX_TOKEN_LENGTH).slice(0, 4);
}
