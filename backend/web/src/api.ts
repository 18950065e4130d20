// The page talks to the public /api exactly as a customer's app would. The access token is held in this
// module's memory only; the refresh token is an HttpOnly cookie the page cannot read.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** From Retry-After (lockout, rate limits). */
    readonly retryAfter: number | null = null,
    readonly details: { field: string; message: string }[] = [],
  ) {
    super(message);
  }
}

export interface User {
  id: string;
  email: string;
  username: string | null;
  role: 'user' | 'admin';
  status: string;
  twoFactorEnabled?: boolean;
  /** From /api/user/me: the owner confirmed the address. */
  emailVerified?: boolean;
  createdAt?: string;
}

export interface BrowserTokens {
  accessToken: string;
  expiresIn: number;
  sessionId: string;
  user: User;
}

let accessToken: string | null = null;
export const setAccessToken = (token: string | null) => (accessToken = token);
export const currentAccessToken = () => accessToken;

export interface RequestOptions {
  method?: string;
  body?: unknown;
  /** Send the bearer token (default true). */
  auth?: boolean;
  signal?: AbortSignal;
}

/** Called on 401: refresh the token (true = retry) or report the session as ended. */
let onUnauthorized: (code: string) => Promise<boolean> = () => Promise.resolve(false);
export const handleUnauthorized = (fn: (code: string) => Promise<boolean>) => (onUnauthorized = fn);

export async function send(path: string, opts: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (opts.auth !== false && accessToken) headers.Authorization = `Bearer ${accessToken}`;
  try {
    return await fetch(path, {
      method: opts.method ?? 'GET',
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal: opts.signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK', 'The server cannot be reached');
  }
}

export async function errorOf(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string; details?: { field: string; message: string }[] } } | null;
  const e = body?.error;
  const retry = Number(res.headers.get('Retry-After'));
  return new ApiError(res.status, e?.code ?? `HTTP_${res.status}`, e?.message ?? res.statusText, Number.isFinite(retry) && retry > 0 ? retry : null, e?.details ?? []);
}

export async function api<T = unknown>(path: string, opts: RequestOptions = {}): Promise<T> {
  let res = await send(path, opts);
  if (res.status === 401 && opts.auth !== false) {
    const err = await errorOf(res.clone());
    if (await onUnauthorized(err.code)) res = await send(path, opts);
  }
  if (!res.ok) throw await errorOf(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}
