import { availableParallelism } from 'node:os';

// Configuration from the environment, nested by concern. Every key is declared once in `schema` below with
// its environment variable, its default and what it means: loadConfig() reads it from there, the README's
// configuration table is checked against it (test/unit/config.test.ts), and the domain takes slices of the
// result (config.sessions, config.lockout, ...). Names of contract variables are fixed by the API contract.
// `npm start` works with none set.

type Env = Record<string, string | undefined>;
/** Values resolved so far, by variable name: defaults may depend on keys declared before them. */
type Resolved = Readonly<Record<string, unknown>>;

export interface Setting<T> {
  env: string;
  doc: string;
  default: T | ((resolved: Resolved) => T);
  /** How the default reads in docs when it is computed. */
  defaultDoc?: string;
  parse(raw: string, env: string): T;
}

const int = (env: string, doc: string, fallback: number | ((r: Resolved) => number), min = 0, max = Number.MAX_SAFE_INTEGER, defaultDoc?: string): Setting<number> => ({
  env,
  doc,
  default: fallback,
  defaultDoc,
  parse(raw, name) {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
    if (n > max) throw new Error(`${name} must be at most ${max}`);
    return n;
  },
});

const text = (env: string, doc: string, fallback: string | ((r: Resolved) => string), defaultDoc?: string): Setting<string> => ({
  env,
  doc,
  default: fallback,
  defaultDoc,
  parse: (raw) => raw,
});

const optional = (env: string, doc: string): Setting<string | null> => ({ env, doc, default: null, parse: (raw) => raw });

/**
 * RFC 8707 §2: resource indicators are absolute URIs without a fragment. Comma-separated; unset = none (a
 * `resource` parameter is then always invalid_target). Checked at start so a typo fails loudly, not per request.
 */
const resourceList = (env: string, doc: string): Setting<string[]> => ({
  env,
  doc,
  default: [],
  defaultDoc: 'unset',
  parse(raw, name) {
    const values = raw.split(',').map((s) => s.trim()).filter(Boolean);
    for (const v of values) {
      let url: URL;
      try {
        url = new URL(v);
      } catch {
        throw new Error(`${name}: "${v}" is not an absolute URI`);
      }
      if (v.includes('#') || url.hash) throw new Error(`${name}: "${v}" must not have a fragment`);
    }
    return [...new Set(values)];
  },
});

/** Comma-separated scope tokens; unset = none. */
const resourceScopes = (env: string, doc: string): Setting<string[]> => ({
  env,
  doc,
  default: [],
  defaultDoc: 'unset',
  parse(raw, name) {
    const values = raw.split(',').map((s) => s.trim()).filter(Boolean);
    for (const v of values) if (!/^[\x21\x23-\x5B\x5D-\x7E]{1,100}$/.test(v)) throw new Error(`${name}: "${v}" is not a scope token`);
    return [...new Set(values)];
  },
});

/** An upstream OpenID Connect provider for federated sign-in (docs/federation.md). */
export interface UpstreamProviderConfig {
  /** Stable id in URLs and links (`google`): changing it orphans the identities linked under the old one. */
  id: string;
  /** Shown on the sign-in button. */
  name: string;
  /** Issuer URL; its /.well-known/openid-configuration is fetched (https, or http on a loopback host). */
  issuer: string;
  clientId: string;
  /** null: a public client (PKCE only, token endpoint auth `none`). */
  clientSecret: string | null;
  scopes: string[];
}

/** Presets: the issuer and name of the common providers, so an entry needs only id, preset and credentials. */
const PROVIDER_PRESETS: Record<string, { name: string; issuer: (entry: Record<string, unknown>) => string }> = {
  google: { name: 'Google', issuer: () => 'https://accounts.google.com' },
  // `tenant`: a directory id or domain for one organisation, `organizations`, `consumers` or `common` (any).
  microsoft: { name: 'Microsoft', issuer: (e) => `https://login.microsoftonline.com/${typeof e.tenant === 'string' && /^[\w.-]+$/.test(e.tenant) ? e.tenant : 'common'}/v2.0` },
  gitlab: { name: 'GitLab', issuer: () => 'https://gitlab.com' },
};

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** FEDERATION_PROVIDERS: a JSON array of providers; checked at start so a mistake fails loudly. */
const upstreamProviders = (env: string, doc: string): Setting<UpstreamProviderConfig[]> => ({
  env,
  doc,
  default: [],
  defaultDoc: 'unset',
  parse(raw, name) {
    let entries: unknown;
    try {
      entries = JSON.parse(raw);
    } catch {
      throw new Error(`${name} must be a JSON array of providers`);
    }
    if (!Array.isArray(entries)) throw new Error(`${name} must be a JSON array of providers`);
    const ids = new Set<string>();
    return entries.map((entry: unknown, i) => {
      if (!entry || typeof entry !== 'object') throw new Error(`${name}[${i}] must be an object`);
      const e = entry as Record<string, unknown>;
      const str = (key: string) => { const v = e[key]; return typeof v === 'string' && v.trim() ? v.trim() : null; };
      const preset = str('preset') ? PROVIDER_PRESETS[str('preset')!] : undefined;
      if (str('preset') && !preset) throw new Error(`${name}[${i}]: unknown preset "${str('preset')}" (${Object.keys(PROVIDER_PRESETS).join(', ')})`);
      const id = str('id') ?? str('preset');
      if (!id || !/^[a-z0-9][a-z0-9_-]{0,31}$/.test(id)) throw new Error(`${name}[${i}]: id must be 1-32 of a-z, 0-9, _ and -`);
      if (ids.has(id)) throw new Error(`${name}: id "${id}" is listed twice`);
      ids.add(id);
      const issuer = str('issuer') ?? preset?.issuer(e);
      if (!issuer) throw new Error(`${name}[${i}] (${id}): issuer or preset is required`);
      let url: URL;
      try {
        url = new URL(issuer);
      } catch {
        throw new Error(`${name}[${i}] (${id}): issuer "${issuer}" is not a URL`);
      }
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) throw new Error(`${name}[${i}] (${id}): issuer must be https (http only on a loopback host)`);
      const clientId = str('clientId');
      if (!clientId) throw new Error(`${name}[${i}] (${id}): clientId is required`);
      const scopes = (str('scopes') ?? 'openid email profile').split(/\s+/).filter(Boolean);
      if (!scopes.includes('openid')) scopes.unshift('openid');
      return { id, name: str('name') ?? preset?.name ?? id, issuer, clientId, clientSecret: str('clientSecret'), scopes };
    });
  },
});

/** Comma-separated list; unset = null (no restriction). */
const list = (env: string, doc: string): Setting<string[] | null> => ({
  env,
  doc,
  default: null,
  parse: (raw) => raw.split(',').map((s) => s.trim()).filter(Boolean),
});

const oneOf = <T extends string>(env: string, doc: string, values: readonly T[], fallback: T): Setting<T> => ({
  env,
  doc,
  default: fallback,
  parse(raw, name) {
    if (!(values as readonly string[]).includes(raw)) throw new Error(`${name} must be ${values.join(' or ')}, got "${raw}"`);
    return raw as T;
  },
});

const flag = (env: string, doc: string, fallback: boolean): Setting<boolean> => ({
  env,
  doc,
  default: fallback,
  defaultDoc: fallback ? 'on' : 'off',
  parse(raw, name) {
    if (raw === 'on' || raw === '1' || raw === 'true') return true;
    if (raw === 'off' || raw === '0' || raw === 'false') return false;
    throw new Error(`${name} must be on or off, got "${raw}"`);
  },
});

/** Express's trust-proxy accepts booleans, hop counts and address lists. */
const trustProxy: Setting<boolean | number | string | undefined> = {
  env: 'TRUST_PROXY',
  doc: 'Express trust-proxy setting (true, a hop count, or addresses); client IPs come from X-Forwarded-For only when set',
  default: undefined,
  parse(raw) {
    if (raw === 'true') return true;
    if (raw === 'false') return false;
    if (/^\d+$/.test(raw)) return Number(raw);
    return raw;
  },
};

const clusterWorkers: Setting<number> = {
  ...int('CLUSTER_WORKERS', 'worker processes sharing the port (`auto` = one per core); more than 1 needs DATABASE_URL and REDIS_URL', 1, 1),
  parse(raw, name) {
    return raw === 'auto' ? availableParallelism() : int(name, '', 1, 1).parse(raw, name);
  },
};

/**
 * `iss`/`aud` when neither PUBLIC_URL nor JWT_ISSUER is set (development): this instance on localhost, at the
 * port it listens on (issue 22, item 12: a fixed :3000 failed stock clients' discovery on any other port, and
 * a client skipping the issuer check would send its secret to :3000). With PORT=0 the port is known once the
 * server listens: container.ts start() moves the issuer there (followsListeningPort).
 */
export function localIssuer(port: number): string {
  return `http://localhost:${port}`;
}

/** True when the issuer is the development default above, which follows the port actually listened on. */
export function followsListeningPort(config: { http: { port: number; publicUrl: string | null }; tokens: { issuer: string } }): boolean {
  return config.http.publicUrl === null && config.tokens.issuer === localIssuer(config.http.port);
}

/** The base of links in mails: PUBLIC_URL, else this instance on localhost (development). */
export function mailLinkBase(config: { http: { publicUrl: string | null; port: number } }): string {
  return config.http.publicUrl ?? `http://localhost:${config.http.port}`;
}

export const schema = {
  http: {
    port: int('PORT', 'HTTP port', 3000),
    // Production sets the URL clients reach the service at, the same on every instance: then a restart on
    // another port, or instances on several ports, accept each other's tokens (issue 9). Unset (development),
    // the issuer is this instance's own URL (issue 22).
    publicUrl: {
      ...optional('PUBLIC_URL', 'URL clients reach the service and the web app at (scheme, host, optional port and path): the default `iss`/`aud` of access tokens, the OAuth metadata and the base of links in mails; set it in production. Unset (development): `iss`/`aud` and the metadata are http://localhost:<the port listened on>, mail links use http://localhost:$PORT'),
      parse(raw: string, name: string): string {
        let url: URL;
        try {
          url = new URL(raw);
        } catch {
          throw new Error(`${name} must be an absolute http(s) URL, got "${raw}"`);
        }
        if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${name} must be an absolute http(s) URL, got "${raw}"`);
        return raw.replace(/\/+$/, '');
      },
    } satisfies Setting<string | null>,
    trustProxy,
    corsOrigins: list('CORS_ORIGINS', 'comma-separated browser origins allowed to call the API cross-origin; unset = no CORS headers'),
    bodyLimit: text('BODY_LIMIT', 'maximum JSON body', '16kb'),
    webUi: flag('WEB_UI', 'serve the account web app at / (off for API-only deployments)', true),
    metricsToken: optional('METRICS_TOKEN', 'bearer token that GET /metrics requires (`Authorization: Bearer <token>`); unset = /metrics answers only local callers while PUBLIC_URL is unset (development) and nobody once it is set'),
  },
  runtime: {
    logLevel: text('LOG_LEVEL', 'winston level', 'info'),
    nodeEnv: text('NODE_ENV', '`production` makes a non-https issuer a start-up warning even on localhost (see PUBLIC_URL)', 'development'),
    clusterWorkers,
    /** Set to 0 by the cluster primary for all workers but one. */
    backgroundJobs: flag('AUTH_BACKGROUND_JOBS', 'run the outbox relay and housekeeping timers in this process (a cluster primary sets it for its workers: only one runs them)', true),
    // Why off by default: docs/performance.md, "Session list: same work, and pretenuring".
    v8Pretenuring: flag(
      'V8_PRETENURING',
      "V8's allocation-site pretenuring; off, V8 does not allocate short-lived per-request objects straight into the old generation (less GC per request)",
      false,
    ),
  },
  database: {
    url: optional('DATABASE_URL', 'PostgreSQL URL; unset = embedded PostgreSQL (PGlite) kept under DATA_DIR'),
    dataDir: text('DATA_DIR', 'embedded database and generated dev keys (JWT signing key, TOTP encryption key)', './data'),
    profileCacheMs: int('PROFILE_CACHE_MS', 'how long GET /api/user/me may answer from memory, ms; writes invalidate at once (0 = off)', 2000),
  },
  redis: {
    url: optional('REDIS_URL', 'Redis for rate limits, revocation fan-out and cache invalidation across instances; unset = in-process'),
    /**
     * With Redis: revocations reach every instance within this many seconds even when pub/sub loses them
     * (each instance reads them back from the database every third of it); an instance that can neither hear
     * nor read revocations for longer answers authenticated requests with 503 until it has caught up.
     */
    revocationMaxLagSeconds: int('REVOCATION_MAX_LAG_SECONDS', 'with Redis: the longest a revocation may take to reach every instance, seconds (an instance that cannot catch up answers 503)', 5, 1),
  },
  nats: {
    url: optional('NATS_URL', 'NATS JetStream for domain events; unset = events stay in the AuditEvent outbox table'),
    subjectPrefix: text('NATS_SUBJECT_PREFIX', 'prefix for every NATS subject (several deployments on one NATS)', '', 'empty'),
    eventNames: oneOf('NATS_EVENT_NAMES', 'which event names the outbox relay publishes besides auth.events.<type>: `both`, only the `catalogue` (USER_CREATED, ...), or only the `design` names (auth.user.registered, ...; docs/events.md)', ['both', 'catalogue', 'design'] as const, 'both'),
    // Credentials and TLS for every NATS connection (infrastructure/events/nats-connection.ts); the account
    // layout they fit is docs/nats/nats-server.conf (docs/integration.md, "Securing NATS"). One method at a time.
    user: optional('NATS_USER', 'NATS user name (with NATS_PASSWORD); `nats://user:pass@host` in NATS_URL works too'),
    password: optional('NATS_PASSWORD', 'NATS password of NATS_USER'),
    token: optional('NATS_TOKEN', 'NATS authentication token (instead of a user)'),
    nkeySeed: optional('NATS_NKEY_SEED', 'NKey seed (`SU...`) to sign the NATS server\'s challenge with (instead of a user or token)'),
    credsFile: optional('NATS_CREDS_FILE', 'NATS `.creds` file (user JWT and NKey seed, decentralised auth); read on every reconnect'),
    tlsCaFile: optional('NATS_TLS_CA_FILE', 'CA certificate (PEM) the NATS server\'s certificate must chain to; setting it requires TLS'),
    tlsCertFile: optional('NATS_TLS_CERT_FILE', 'client certificate (PEM) for NATS servers that verify clients (with NATS_TLS_KEY_FILE)'),
    tlsKeyFile: optional('NATS_TLS_KEY_FILE', 'private key (PEM) of NATS_TLS_CERT_FILE'),
    tlsRequired: flag('NATS_TLS_REQUIRED', 'refuse to talk to NATS without TLS (on by itself when any NATS_TLS_* file is set)', false),
    // Why accounts: only a cross-account service import with `share: true` tells the responder who asked, in a
    // header the server writes itself (docs/security.md, "NATS").
    trustedAccounts: list(
      'NATS_TRUSTED_ACCOUNTS',
      'NATS accounts (comma-separated) whose requests may state the end user\'s IP in `context.ip` (the gateway\'s); others\' are ignored and the NATS peer\'s address is recorded. `*` trusts every caller: only for a NATS no untrusted client can reach',
    ),
  },
  accounts: {
    registrationMode: oneOf('REGISTRATION_MODE', '`open` or `approval` (an admin must approve new accounts)', ['open', 'approval'] as const, 'open'),
    adminEmail: optional('ADMIN_EMAIL', 'with ADMIN_PASSWORD: an active admin with this email exists after start'),
    adminPassword: optional('ADMIN_PASSWORD', 'with ADMIN_EMAIL: the admin\'s password when the account is created'),
    requireEmailVerification: flag('REQUIRE_EMAIL_VERIFICATION', 'refuse sign-in with EMAIL_NOT_VERIFIED until the account\'s email address is confirmed', false),
  },
  passwords: {
    bcryptCost: int('BCRYPT_COST', 'bcrypt work factor', 12, 4, 31),
    bcryptWorkers: int('BCRYPT_WORKERS', 'bcrypt child processes at low CPU priority, so logins never starve other requests (0 = in process)', () => availableParallelism(), 0, Number.MAX_SAFE_INTEGER, 'cores'),
    bcryptNice: int('BCRYPT_NICE', 'nice value (0–19) of the bcrypt child processes, added to the server\'s own (capped at 19): the higher, the sooner request handling preempts hashing', 10, 0, 19),
  },
  tokens: {
    accessTokenTtl: int('ACCESS_TOKEN_TTL', 'access-token lifetime, seconds', 900, 1),
    // Why this value: docs/security.md, "Refresh grace window".
    refreshReuseGraceSeconds: int(
      'REFRESH_REUSE_GRACE_SECONDS',
      'seconds after a rotation during which the token just replaced may be presented again and gets the same successor (0 = strict single use)',
      10,
    ),
    permissionsMax: int('TOKEN_PERMISSIONS_MAX', 'most effective permissions an access token carries in its `permissions` claim; with more the claim is left out (docs/roles.md)', 50),
    issuer: text('JWT_ISSUER', '`iss` of access tokens and the OAuth metadata\'s `issuer`', (r) => (r.PUBLIC_URL as string | null) ?? localIssuer(r.PORT as number), 'PUBLIC_URL, else http://localhost:<port listened on>'),
    audience: text('JWT_AUDIENCE', '`aud` of access tokens', (r) => r.JWT_ISSUER as string, 'JWT_ISSUER'),
    privateKey: optional('JWT_PRIVATE_KEY', 'RS256 signing key (PEM, RSA >= 2048 bits) inline; unset (and no file) = generated under DATA_DIR/keys'),
    privateKeyFile: optional('JWT_PRIVATE_KEY_FILE', 'RS256 signing key (PEM) as a file'),
    publicKeysFile: optional('JWT_PUBLIC_KEYS_FILE', 'older public keys (concatenated PEMs) still published in the JWKS while rotating keys'),
    signingThreads: int('SIGNING_THREADS', 'worker threads that sign access tokens (0 = on the event loop)', 1),
  },
  sessions: {
    refreshTokenTtl: int('REFRESH_TOKEN_TTL', 'absolute session lifetime, seconds', 2_592_000, 1),
    idleTtl: int('SESSION_IDLE_TTL', 'a session unused this long expires, seconds', 1_209_600, 1),
    maxPerUser: int('MAX_SESSIONS_PER_USER', 'a new login beyond this revokes the least recently used session', 10, 1),
  },
  // Open Server-Sent Events streams (/api/user/session-events, /api/revocations/stream) held by this instance.
  // Each holds a connection and listeners; without a cap one token could open thousands (issue 22).
  streams: {
    perSession: int('EVENT_STREAMS_PER_SESSION', 'open event streams per session (a page per browser tab; browsers allow 6 connections per host over HTTP/1.1)', 6, 1),
    perUser: int('EVENT_STREAMS_PER_USER', 'open event streams per user, all sessions together', 20, 1),
    perClient: int('EVENT_STREAMS_PER_CLIENT', 'open event streams per OAuth client (its client-credentials and users\' tokens together)', 20, 1),
    perIp: int('EVENT_STREAMS_PER_IP', 'open event streams per client IP (IPv6: per /64)', 100, 1),
  },
  lockout: {
    maxFailures: int('LOGIN_MAX_FAILURES', 'consecutive failures for one account before ACCOUNT_LOCKED', 5, 1),
    lockSeconds: int('LOGIN_LOCK_SECONDS', 'first lock length, seconds; doubles on each repeat lock, capped at 24 h', 900, 1),
  },
  rateLimits: {
    perIpPerMin: int('RATE_LIMIT_AUTH_PER_MIN', 'requests per minute per IP to /api/auth/* and /oauth/token (GET /api/auth/validate is exempt: it is for services)', 20, 1),
    // Tighter than the per-IP limit by default (half of it), and it follows RATE_LIMIT_AUTH_PER_MIN when only
    // that one is raised, so a deployment that lifts the IP limit is not surprised by the account limit.
    perAccountPerMin: int(
      'RATE_LIMIT_ACCOUNT_PER_MIN',
      'login and 2FA attempts per minute per account, and password/code checks per signed-in user',
      (r) => Math.max(5, Math.ceil((r.RATE_LIMIT_AUTH_PER_MIN as number) / 2)),
      1,
      Number.MAX_SAFE_INTEGER,
      'half of RATE_LIMIT_AUTH_PER_MIN (10)',
    ),
    mailPerAddressPerHour: int('RATE_LIMIT_MAIL_PER_ADDRESS_PER_HOUR', 'password-reset and verification-mail requests per hour per email address', 5, 1),
    mailPerIpPerHour: int('RATE_LIMIT_MAIL_PER_IP_PER_HOUR', 'password-reset and verification-mail requests per hour per client IP', 30, 1),
    clientRegistrationPerIpPerHour: int('RATE_LIMIT_CLIENT_REGISTRATION_PER_HOUR', 'dynamic client registrations (POST /oauth/register, RFC 7591) per hour per client IP', 10, 1),
    authorizePerIpPerMin: int('RATE_LIMIT_AUTHORIZE_PER_MIN', 'authorization requests (GET/POST /oauth/authorize) per minute per client IP: each may make the server fetch a client metadata document', 60, 1),
  },
  twoFactor: {
    issuer: text('TOTP_ISSUER', 'issuer shown in authenticator apps', 'Sessionary'),
    encryptionKey: optional('TOTP_ENCRYPTION_KEY', '32-byte AES key (base64 or hex) for TOTP secrets at rest; unset = generated under DATA_DIR/keys'),
    challengeTtl: int('MFA_CHALLENGE_TTL', 'lifetime of the mfaToken between the password step and the second factor, seconds', 300, 1),
    challengeMaxAttempts: int('MFA_CHALLENGE_MAX_ATTEMPTS', 'wrong codes one mfaToken accepts before it is burnt', 5, 1),
    // Why a window at all: the contract's `POST /api/user/2fa/enable` has no body, so a client written to it
    // must keep working right after sign-in; later, a stolen access token alone cannot enrol (docs/two-factor.md).
    trustedDeviceTtl: int('TRUSTED_DEVICE_TTL', '"remember this device" at the 2FA step: seconds the device skips the second factor (0 = the option is off)', 2_592_000),
    reauthWindow: int('REAUTH_WINDOW_SECONDS', 'how recent a sign-in must be: for starting 2FA enrolment or adding a passkey without the password, and for every administrator change (403 REAUTH_REQUIRED after; 0 = always ask)', 300),
  },
  // WebAuthn relying party (docs/passkeys.md). The RP ID is a registrable domain the pages are served under;
  // passkeys are bound to it for good, so changing it later orphans every passkey registered before.
  passkeys: {
    rpId: text('PASSKEY_RP_ID', 'WebAuthn relying-party ID: the domain passkeys are bound to (the host of PUBLIC_URL or a parent domain of it); changing it later orphans existing passkeys', (r) => (r.PUBLIC_URL ? new URL(r.PUBLIC_URL).hostname : 'localhost'), 'the host of PUBLIC_URL, else localhost'),
    rpName: text('PASSKEY_RP_NAME', 'relying-party name authenticators show beside the passkey', (r) => r.TOTP_ISSUER as string, 'TOTP_ISSUER'),
    extraOrigins: list('PASSKEY_ORIGINS', 'comma-separated extra origins passkey responses may come from (the operator\'s own apps under the RP ID, e.g. https://app.example.com); the origin of PUBLIC_URL is always accepted (unset PUBLIC_URL: http://localhost:<port listened on>)'),
    challengeTtl: int('PASSKEY_CHALLENGE_TTL', 'lifetime of a WebAuthn challenge (registration, sign-in, second factor), seconds', 300, 30, 3600),
  },
  recovery: {
    passwordResetTtl: int('PASSWORD_RESET_TTL', 'lifetime of a password-reset link, seconds', 1800, 60),
    emailVerificationTtl: int('EMAIL_VERIFICATION_TTL', 'lifetime of an email-verification link, seconds', 86_400, 60),
    newDeviceAlerts: flag('NEW_DEVICE_ALERTS', 'mail the user when a sign-in comes from a device (browser, OS, network) the account has not used before', true),
    securityNotices: flag('SECURITY_NOTICES', 'mail the user about every change to how the account is protected: password, two-factor, backup codes, passkeys, linked providers, sign-out everywhere, approval', true),
    signInReportTtl: int('SIGN_IN_REPORT_TTL', 'lifetime of the "this wasn\'t me" link in a new-device mail, seconds (any credential change voids it sooner)', 86_400, 60),
    emailChangeRevertTtl: int('EMAIL_CHANGE_REVERT_TTL', 'how long the old address can undo a completed change of the account\'s email address with the link mailed to it, seconds', 604_800, 60),
  },
  // Where a sign-in comes from (issue 33, docs/geolocation.md): looked up in process from MMDB files, offline.
  geo: {
    cityDb: optional('GEOIP_CITY_DB', 'path to an MMDB city database (GeoLite2 City, DB-IP City Lite) for city and region; unset = country only, from the bundled @ip-location-db/geo-whois-asn-country-mmdb'),
    requireSecondFactorNewCountry: flag('GEO_NEW_COUNTRY_REQUIRES_2FA', 'a sign-in from a country the account has never used asks for the second factor even on a remembered device (accounts with 2FA only)', false),
    impossibleTravelWindow: int('IMPOSSIBLE_TRAVEL_WINDOW', 'a sign-in from another country within this many seconds of the account\'s last sign-in elsewhere is logged as an `impossible travel` security event (0 = off)', 3600),
  },
  mail: {
    smtpUrl: optional('SMTP_URL', 'SMTP server for outgoing mail (`smtp://user:pass@host:587`, `smtps://...`); unset = a dev transport that writes each mail under DATA_DIR/mail and logs it (links only at debug level)'),
    productName: text('PRODUCT_NAME', 'product name in mails (subjects, greetings, sender name)', 'Sessionary'),
    from: text('MAIL_FROM', 'sender of outgoing mail', (r) => `"${r.PRODUCT_NAME as string}" <no-reply@localhost>`, '"$PRODUCT_NAME" <no-reply@localhost>'),
    retrySeconds: int('MAIL_RETRY_SECONDS', 'first retry after a failed send, seconds; doubles per attempt up to an hour', 30),
    maxAttempts: int('MAIL_MAX_ATTEMPTS', 'sends tried before a mail is given up (with the default backoff 20 attempts span about 16 hours)', 20, 1),
  },
  // What the hourly housekeeping deletes, and when (docs/security.md, "Data retention"). Counted from the
  // moment a row stopped being usable, so nothing live is ever purged; 0 = at the next pass.
  retention: {
    sessions: int('SESSION_RETENTION_DAYS', 'days an ended session (revoked, idle or past its lifetime) is kept, with its rotated-token history and device data, before housekeeping deletes it; expired MFA challenges go after the same time', 7),
    trustedDevices: int('TRUSTED_DEVICE_RETENTION_DAYS', 'days an expired "remember this device" row is kept before housekeeping deletes it', 7),
    accountTokens: int('ACCOUNT_TOKEN_RETENTION_DAYS', 'days a mailed single-use token (password reset, email verification, "this wasn\'t me") is kept after it was used or expired', 7),
    sentMail: int('MAIL_SENT_RETENTION_DAYS', 'days a sent mail\'s outbox row (recipient, template, time; the payload is erased at sending) is kept', 7),
    failedMail: int('MAIL_FAILED_RETENTION_DAYS', 'days a given-up mail\'s outbox row (recipient, template, last error) is kept for the operator to look into', 30),
  },
  // OpenTelemetry tracing (issue 30, docs/operations.md "Tracing"). Off unless the endpoint is set: then, and
  // only then, main.ts loads the SDK and its instrumentations, before Express, pg and ioredis are loaded.
  tracing: {
    endpoint: optional('OTEL_EXPORTER_OTLP_ENDPOINT', 'OTLP/HTTP collector base URL (e.g. http://localhost:4318); spans go to <endpoint>/v1/traces as JSON. Unset = tracing off, the OpenTelemetry SDK is not even loaded'),
    serviceName: text('OTEL_SERVICE_NAME', '`service.name` of the spans this process exports', 'sessionary'),
  },
  // Sign-in with upstream OpenID Connect providers (issue 27, docs/federation.md).
  federation: {
    providers: upstreamProviders('FEDERATION_PROVIDERS', 'JSON array of upstream OpenID Connect providers for "sign in with …": each `{"id","name","issuer","clientId","clientSecret","scopes"}`, or `{"preset":"google"|"microsoft"|"gitlab", "clientId", "clientSecret"}` (Microsoft takes `"tenant"`); the redirect URI to register is `<PUBLIC_URL>/api/auth/federation/<id>/callback`'),
    stateTtl: int('FEDERATION_STATE_TTL', 'seconds a person has at the upstream provider before the sign-in must start again (the sealed state, PKCE verifier and nonce expire)', 600, 60, 3600),
    timeout: int('FEDERATION_TIMEOUT', 'seconds to wait for an upstream provider (discovery, token endpoint, keys) before telling the person it is unavailable', 10, 1, 60),
  },
  oauth: {
    clients: list('OAUTH_CLIENTS', 'comma-separated client ids registered at start (when missing) as public password/refresh_token clients'),
    secretRotationOverlap: int('OAUTH_SECRET_ROTATION_OVERLAP', 'seconds a rotated-away client secret stays valid', 86_400),
    registration: oneOf('OAUTH_REGISTRATION', 'dynamic client registration (RFC 7591, POST /oauth/register): off (404), open (anyone may register a client) or token (only with the initial access token OAUTH_REGISTRATION_TOKEN as a bearer token)', ['off', 'open', 'token'] as const, 'off'),
    registrationToken: optional('OAUTH_REGISTRATION_TOKEN', 'the initial access token POST /oauth/register requires when OAUTH_REGISTRATION=token (at least 32 characters; give it to the developers or tools allowed to register clients)'),
    registrationScopes: resourceScopes('OAUTH_REGISTRATION_SCOPES', 'comma-separated scopes a dynamically registered client or a Client ID Metadata Document client may be given (openid, profile, email and offline access by refresh_token need none of them); a requested scope outside the list is left out'),
    metadataDocuments: flag('OAUTH_CLIENT_METADATA_DOCUMENTS', 'accept an https URL as client_id and fetch its OAuth Client ID Metadata Document (size, time and address limits: docs/oauth.md)', false),
    metadataAllowPrivate: flag('OAUTH_CLIENT_METADATA_ALLOW_PRIVATE', 'development only: let client metadata documents be fetched from private, loopback and link-local addresses, and over plain http from loopback hosts', false),
    resources: resourceList('OAUTH_RESOURCES', 'comma-separated absolute URIs (no fragment) of the protected resources a client may name with `resource` (RFC 8707) on /oauth/authorize and /oauth/token; the access token\'s `aud` is then that resource. Any other value is refused with invalid_target'),
  },
} satisfies Record<string, Record<string, Setting<unknown>>>;

type Schema = typeof schema;
export type Config = { [G in keyof Schema]: { [K in keyof Schema[G]]: Schema[G][K] extends Setting<infer T> ? T : never } };

export function loadConfig(env: Env = process.env): Config {
  const resolved: Record<string, unknown> = {};
  const config: Record<string, Record<string, unknown>> = {};
  for (const [group, keys] of Object.entries(schema)) {
    const values: Record<string, unknown> = (config[group] = {});
    for (const [key, setting] of Object.entries(keys) as [string, Setting<unknown>][]) {
      const raw = env[setting.env];
      // An empty variable counts as unset (compose files and .env templates often leave them blank).
      const value =
        raw === undefined || raw === ''
          ? typeof setting.default === 'function'
            ? (setting.default as (r: Resolved) => unknown)(resolved)
            : setting.default
          : setting.parse(raw, setting.env);
      values[key] = resolved[setting.env] = value;
    }
  }
  return config as Config;
}

/** One row per key, for docs and the docs check: `group.key`, variable, default as documented, meaning. */
export function describeConfig(): { key: string; env: string; default: string; doc: string }[] {
  return Object.entries(schema).flatMap(([group, keys]) =>
    (Object.entries(keys) as [string, Setting<unknown>][]).map(([key, s]) => ({
      key: `${group}.${key}`,
      env: s.env,
      default: s.defaultDoc ?? describeDefault(s.default),
      doc: s.doc,
    })),
  );
}

/** A setting's default as the docs print it: lists comma-separated, as they are written in the environment. */
function describeDefault(v: unknown): string {
  if (v === null || v === undefined) return 'unset';
  if (Array.isArray(v)) return v.join(',');
  if (typeof v === 'string') return v;
  return typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' ? String(v) : JSON.stringify(v);
}
