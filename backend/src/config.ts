import { availableParallelism } from 'node:os';

// Configuration from the environment (names fixed by the API contract). `npm start` works with none set.

export interface Config {
  port: number;
  databaseUrl: string | null;
  dataDir: string;
  redisUrl: string | null;
  /**
   * With Redis: revocations reach every instance within this many seconds even when pub/sub loses them
   * (each instance reads them back from the database every third of it); an instance that can neither hear
   * nor read revocations for longer answers authenticated requests with 503 until it has caught up.
   */
  revocationMaxLagSeconds: number;
  natsUrl: string | null;
  registrationMode: 'open' | 'approval';
  adminEmail: string | null;
  adminPassword: string | null;
  bcryptCost: number;
  accessTokenTtl: number;
  refreshTokenTtl: number;
  sessionIdleTtl: number;
  /** Seconds a just-rotated refresh token may be replayed for the same successor (0 = strict single use). */
  refreshReuseGraceSeconds: number;
  maxSessionsPerUser: number;
  loginMaxFailures: number;
  loginLockSeconds: number;
  rateLimitAuthPerMin: number;
  /** Per-account limit on login and 2FA attempts (tighter than the per-IP one). */
  rateLimitAccountPerMin: number;
  trustProxy: boolean | number | string | undefined;
  jwtIssuer: string;
  jwtAudience: string;
  jwtPrivateKey: string | null;
  jwtPrivateKeyFile: string | null;
  /** Extra PEM public keys still published in the JWKS (key rotation). */
  jwtPublicKeysFile: string | null;
  totpEncryptionKey: string | null;
  totpIssuer: string;
  /** OAUTH_CLIENTS: client ids registered at start (when missing) as public password/refresh_token clients. */
  oauthClients: string[] | null;
  /** Seconds a rotated-away client secret stays valid (OAUTH_SECRET_ROTATION_OVERLAP). */
  oauthSecretRotationOverlap: number;
  /** Browser origins allowed to call the API cross-origin (CORS_ORIGINS); null = same-origin only. */
  corsOrigins: string[] | null;
  logLevel: string;
  bodyLimit: string;
  /** Milliseconds a /me profile may be served from memory (0 = always read the database). */
  profileCacheMs: number;
  /** Worker threads for RS256 signing; 0 = sign on the event loop. */
  signingThreads: number;
  /** bcrypt child processes at low CPU priority; 0 = bcrypt on the server's own libuv threads. */
  bcryptWorkers: number;
  /** Worker processes (node:cluster); >1 needs DATABASE_URL and REDIS_URL so workers share state. */
  clusterWorkers: number;
  /** Serve the account web app at / (WEB_UI=off for API-only deployments). */
  webUi: boolean;
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  return n;
}

function str(env: Env, name: string): string | null {
  const v = env[name];
  return v === undefined || v === '' ? null : v;
}

/** Express's trust-proxy accepts booleans, hop counts and address lists. */
function parseTrustProxy(raw: string | null): Config['trustProxy'] {
  if (raw === null) return undefined;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (/^\d+$/.test(raw)) return Number(raw);
  return raw;
}

function webUiSwitch(raw: string | null): boolean {
  if (raw === null || raw === 'on' || raw === 'true' || raw === '1') return true;
  if (raw === 'off' || raw === 'false' || raw === '0') return false;
  throw new Error(`WEB_UI must be on or off, got "${raw}"`);
}

export function loadConfig(env: Env = process.env): Config {
  const port = int(env, 'PORT', 3000);
  const mode = str(env, 'REGISTRATION_MODE') ?? 'open';
  if (mode !== 'open' && mode !== 'approval') throw new Error(`REGISTRATION_MODE must be open or approval, got "${mode}"`);
  const bcryptCost = int(env, 'BCRYPT_COST', 12, 4);
  if (bcryptCost > 31) throw new Error('BCRYPT_COST must be at most 31');
  const authPerMin = int(env, 'RATE_LIMIT_AUTH_PER_MIN', 20, 1);
  const issuer = str(env, 'JWT_ISSUER') ?? `http://localhost:${port}`;
  return {
    port,
    databaseUrl: str(env, 'DATABASE_URL'),
    dataDir: str(env, 'DATA_DIR') ?? './data',
    redisUrl: str(env, 'REDIS_URL'),
    revocationMaxLagSeconds: int(env, 'REVOCATION_MAX_LAG_SECONDS', 5, 1),
    natsUrl: str(env, 'NATS_URL'),
    registrationMode: mode,
    adminEmail: str(env, 'ADMIN_EMAIL'),
    adminPassword: str(env, 'ADMIN_PASSWORD'),
    bcryptCost,
    accessTokenTtl: int(env, 'ACCESS_TOKEN_TTL', 900, 1),
    refreshTokenTtl: int(env, 'REFRESH_TOKEN_TTL', 2_592_000, 1),
    sessionIdleTtl: int(env, 'SESSION_IDLE_TTL', 1_209_600, 1),
    refreshReuseGraceSeconds: int(env, 'REFRESH_REUSE_GRACE_SECONDS', 10, 0),
    maxSessionsPerUser: int(env, 'MAX_SESSIONS_PER_USER', 10, 1),
    loginMaxFailures: int(env, 'LOGIN_MAX_FAILURES', 5, 1),
    loginLockSeconds: int(env, 'LOGIN_LOCK_SECONDS', 900, 1),
    rateLimitAuthPerMin: authPerMin,
    // Tighter than the per-IP limit by default (half of it), and it follows RATE_LIMIT_AUTH_PER_MIN when only
    // that one is raised, so a deployment that lifts the IP limit is not surprised by the account limit.
    rateLimitAccountPerMin: int(env, 'RATE_LIMIT_ACCOUNT_PER_MIN', Math.max(5, Math.ceil(authPerMin / 2)), 1),
    trustProxy: parseTrustProxy(str(env, 'TRUST_PROXY')),
    jwtIssuer: issuer,
    jwtAudience: str(env, 'JWT_AUDIENCE') ?? issuer,
    jwtPrivateKey: str(env, 'JWT_PRIVATE_KEY'),
    jwtPrivateKeyFile: str(env, 'JWT_PRIVATE_KEY_FILE'),
    jwtPublicKeysFile: str(env, 'JWT_PUBLIC_KEYS_FILE'),
    totpEncryptionKey: str(env, 'TOTP_ENCRYPTION_KEY'),
    totpIssuer: str(env, 'TOTP_ISSUER') ?? 'Sessionary',
    oauthClients: str(env, 'OAUTH_CLIENTS')?.split(',').map((s) => s.trim()).filter(Boolean) ?? null,
    oauthSecretRotationOverlap: int(env, 'OAUTH_SECRET_ROTATION_OVERLAP', 86_400, 0),
    corsOrigins: str(env, 'CORS_ORIGINS')?.split(',').map((s) => s.trim()).filter(Boolean) ?? null,
    logLevel: str(env, 'LOG_LEVEL') ?? 'info',
    bodyLimit: str(env, 'BODY_LIMIT') ?? '16kb',
    profileCacheMs: int(env, 'PROFILE_CACHE_MS', 2000, 0),
    signingThreads: int(env, 'SIGNING_THREADS', 1, 0),
    bcryptWorkers: int(env, 'BCRYPT_WORKERS', availableParallelism(), 0),
    webUi: webUiSwitch(str(env, 'WEB_UI')),
    clusterWorkers: str(env, 'CLUSTER_WORKERS') === 'auto' ? availableParallelism() : int(env, 'CLUSTER_WORKERS', 1, 1),
  };
}
