// Composition root: builds adapters, services and the app with plain constructors, one builder per area
// (database, redis, crypto, domain, jobs, messaging, http). Each builder registers a closer on the Lifecycle
// right after it opens something; a failure at any step closes what was started, newest first, and rethrows
// a StartupError naming the area. stop() drains HTTP, then closes the same way. buildCore() is the part the
// CLI needs (no HTTP, NATS, background jobs, worker processes or threads).
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { connect as connectNats, type NatsConnection } from 'nats';
import { dictionary } from '@zxcvbn-ts/language-common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHttp } from './app';
import { SimpleWebAuthnRelyingParty } from './infrastructure/webauthn/simplewebauthn-relying-party';
import { routeTable, type RouteEntry } from './http/route-table';
import { bootstrapAdmin } from './modules/admin/admin.bootstrap';
import { followsListeningPort, localIssuer, mailLinkBase, type Config } from './config';
import { PasswordPolicy } from './domain/password-policy';
import { systemClock, type Clock } from './domain/ports';
import { RevocationFeed } from './domain/revocation-feed';
import { createDomainServices, type DomainServices } from './domain/services';
import type { OAuthClientService } from './domain/oauth/client.service';
import { createOAuthServices } from './domain/oauth/services';
import type { OAuthTokenService } from './domain/oauth/token.service';
import { OAuthClientCache } from './infrastructure/cache/oauth-client-cache';
import { Sha256ClientSecrets } from './infrastructure/crypto/client-secrets';
import { PrismaClientTokenRevocations } from './infrastructure/prisma/client-token-revocations';
import { PrismaAuthorizationStore, PrismaConsentStore } from './infrastructure/prisma/oauth-authorization.repository';
import { PrismaDeviceAuthorizationStore } from './infrastructure/prisma/oauth-device.repository';
import { JoseIdTokenSigner } from './infrastructure/crypto/id-token-signer';
import { BackchannelLogoutRelay } from './infrastructure/events/backchannel-logout-relay';
import { PrismaOAuthClientStore } from './infrastructure/prisma/oauth-client.repository';
import { HttpClientMetadataFetcher } from './infrastructure/oauth/client-metadata-fetcher';
import { BcryptPasswordHasher } from './infrastructure/crypto/bcrypt-hasher';
import { BcryptProcessPool } from './infrastructure/crypto/bcrypt-process-pool';
import { JwtAccessTokenSigner } from './infrastructure/crypto/jwt-signer';
import { loadSigningKeys } from './infrastructure/crypto/signing-keys';
import { SigningThreadPool } from './infrastructure/crypto/signing-thread-pool';
import { CryptoTokenGenerator, deriveSuccessorKey } from './infrastructure/crypto/token-generator';
import { MmdbIpLocator } from './infrastructure/geo/mmdb-ip-locator';
import { OpenIdUpstreams } from './infrastructure/federation/openid-upstreams';
import { UaParserUserAgentParser } from './infrastructure/user-agent/user-agent-parser';
import { PngQrCodeRenderer } from './infrastructure/two-factor/qr';
import { AesGcmSecretCipher, cryptoRandomSource, loadOrCreateKey } from './infrastructure/crypto/secret-box';
import { OtplibTotpProvider } from './infrastructure/two-factor/totp';
import { startEmbeddedPostgres } from './infrastructure/database/embedded';
import { migrate } from './infrastructure/database/migrator';
import { GracefulServer } from './http/graceful-server';
import { createLogger, type Logger } from './infrastructure/logger';
import { NatsOutboxRelay } from './infrastructure/events/nats-outbox-relay';
import { closeNatsConnection, natsConnectionOptions } from './infrastructure/events/nats-connection';
import { MailRelay } from './infrastructure/mail/mail-relay';
import { UaDeviceIdentifier } from './infrastructure/user-agent/device-identifier';
import { NodemailerMailSender } from './infrastructure/mail/nodemailer-sender';
import { NatsRevocationPublisher } from './infrastructure/events/nats-revocations';
import { createMetrics } from './http/metrics';
import { readinessProbe } from './infrastructure/observability/readiness';
import { AuthCounters, registerGauges } from './infrastructure/observability/auth-metrics';
import { Registry } from 'prom-client';
import { createDatabaseClients } from './infrastructure/prisma/client';
import { PrismaHousekeeping } from './infrastructure/prisma/housekeeping';
import { ProfileCache } from './infrastructure/cache/profile-cache';
import { PrismaRevocationLog } from './infrastructure/prisma/revocation-log';
import { PrismaUnitOfWork } from './infrastructure/prisma/unit-of-work';
import { MemoryRevocationStore } from './infrastructure/revocation/memory-revocation-store';
import { RedisIdBroadcast } from './infrastructure/broadcast/redis-id-broadcast';
import { createRateLimits, type RateLimits } from './http/rate-limits';
import { StreamCaps } from './http/stream-caps';
import { revocationRoutes } from './modules/revocations/revocations.routes';
import { authMessageHandlers } from './modules/auth/auth.messages';
import { NatsRequestServer } from './nats/request-server';
import { SessionEventHub } from './modules/browser/session-events';
import { Lifecycle } from './lifecycle';
import type { PrismaClient } from './generated/prisma/client';

export interface ContainerOptions {
  clock?: Clock;
  logger?: Logger;
  /** Namespace for Redis keys and channels, so parallel test runs do not see each other. */
  redisPrefix?: string;
  /** JetStream stream and subject prefix for domain events (tests use unique ones). */
  events?: { stream: string; subjectPrefix: string };
  migrationsDir?: string;
  /** ADMIN_EMAIL bootstrap at start; the CLI turns it off (it acts only on what the operator typed). Default true. */
  bootstrapAdmin?: boolean;
  /** Prepended to every NATS subject this server publishes or serves (tests use unique ones). Default: config.nats.subjectPrefix (NATS_SUBJECT_PREFIX). */
  natsSubjectPrefix?: string;
  /** Where the built web app is (default backend/web/dist). */
  webDistDir?: string;
  /** Sees every request before the app does (the HTTP tests check all traffic against docs/openapi.yaml). */
  observeHttp?: (req: IncomingMessage, res: ServerResponse) => void;
  /** How often the mail relay looks for due mail, ms (default 1000; tests use less). */
  mailRelayIntervalMs?: number;
}

export interface Container {
  /** Listens on `port` (default config.http.port; 0 = any free port). */
  start(port?: number): Promise<{ port: number; url: string }>;
  stop(): Promise<void>;
  /** Requests received and not yet answered (0 when not listening). */
  activeRequests(): number;
  /** The domain services, for entry points other than HTTP (CLI commands, message handlers). */
  services: Pick<DomainServices, 'auth' | 'users' | 'sessions' | 'twoFactor' | 'roles' | 'adminConsole'> & { oauthClients: OAuthClientService; oauthTokens: OAuthTokenService };
  relay: NatsOutboxRelay | null;
  /** Sends queued mail; null when this process runs no background jobs. */
  mailRelay: MailRelay | null;
  revocationFeed: RevocationFeed;
  /** The server's NATS connection (request/reply, revocations), when NATS_URL is set. */
  nats: NatsConnection | null;
  housekeeping: PrismaHousekeeping;
  /** Every method + path the HTTP app routes (checked against docs/openapi.yaml route by route). */
  routes: readonly RouteEntry[];
}

export interface Core {
  services: Container['services'];
  /** Closes everything the core opened (database, Redis, caches), newest first. */
  stop(): Promise<void>;
}

export interface CoreOptions extends Pick<ContainerOptions, 'clock' | 'logger' | 'redisPrefix' | 'migrationsDir' | 'bootstrapAdmin'> {
  /** Hash and sign on the event loop, without the bcrypt child processes and signing threads (the CLI). Default false. */
  inProcessCrypto?: boolean;
}

/**
 * Database, Redis, crypto and the domain services: what a CLI command needs to act like the server does
 * (same audit log, same cache invalidations and revocation broadcasts through Redis), without listening,
 * background jobs or NATS. Fails like buildContainer: what was started is closed before the error is thrown.
 */
export async function buildCore(config: Config, opts: CoreOptions = {}): Promise<Core> {
  const logger = opts.logger ?? createLogger(config.runtime.logLevel);
  const lifecycle = new Lifecycle(logger);
  try {
    const parts = await buildDomainParts(config, { ...opts, logger, clock: opts.clock ?? systemClock }, lifecycle);
    return { services: servicesOf(parts), stop: () => lifecycle.close() };
  } catch (err) {
    await lifecycle.close();
    throw err;
  }
}

export async function buildContainer(config: Config, opts: ContainerOptions = {}): Promise<Container> {
  const logger = opts.logger ?? createLogger(config.runtime.logLevel);
  const clock = opts.clock ?? systemClock;
  const lifecycle = new Lifecycle(logger);
  try {
    const parts = await buildDomainParts(config, { ...opts, logger, clock }, lifecycle);
    const jobs = await lifecycle.step('jobs', () => buildJobs(config, opts, logger, clock, parts, lifecycle));
    // The server's entry points (HTTP and NATS) count attempts in one set of buckets; the CLI's core has none.
    const rateLimits = createRateLimits({ ...config.rateLimits, redis: parts.shared.redis, keyPrefix: `${parts.shared.redisPrefix}rl:` });
    lifecycle.onClose('rate limits', () => rateLimits.close());
    const messaging = await lifecycle.step('messaging', () => buildMessaging(config, opts, logger, clock, parts, rateLimits, lifecycle));
    const http = await lifecycle.step('http', () => buildHttp(config, opts, logger, parts, rateLimits, messaging.revocationFeed, lifecycle, messaging.nats));
    return assemble(config, opts, logger, parts, jobs, messaging, http, lifecycle);
  } catch (err) {
    await lifecycle.close();
    throw err;
  }
}

type BuildOptions = CoreOptions & { logger: Logger; clock: Clock };

interface Database {
  prisma: PrismaClient;
  pool: ReturnType<typeof createDatabaseClients>['pool'];
  dataDir: string;
}

/** Database: embedded PGlite unless DATABASE_URL; migrations before anything reads. */
async function buildDatabase(config: Config, opts: BuildOptions, lifecycle: Lifecycle): Promise<Database> {
  const { logger } = opts;
  const { dataDir } = config.database;
  const databaseUrl = config.database.url ?? (await startEmbedded(dataDir, lifecycle, logger));
  const applied = await migrate(databaseUrl, opts.migrationsDir ?? join(process.cwd(), 'prisma', 'migrations'));
  logger.info(applied.length ? 'database migrations applied' : 'database schema up to date', { applied });

  // PGlite serves one connection at a time; a real server gets a pool.
  const { prisma, pool } = createDatabaseClients(databaseUrl, { poolMax: config.database.url ? 10 : 1 });
  lifecycle.onClose('database clients', () => prisma.$disconnect());
  return { prisma, pool, dataDir };
}

/** State shared across instances through Redis when configured: revocations, profile invalidations, limits. */
async function buildRedis(config: Config, opts: BuildOptions, lifecycle: Lifecycle): Promise<{ redis: Redis | null; redisPrefix: string; profileCache: ProfileCache }> {
  const { logger } = opts;
  const redisPrefix = opts.redisPrefix ?? 'auth:';
  let redis: Redis | null = null;
  if (config.redis.url) {
    const client = new Redis(config.redis.url, { maxRetriesPerRequest: 2, enableOfflineQueue: true });
    redis = client;
    // Every ioredis connection needs an error listener, or ioredis prints "[ioredis] Unhandled error event"
    // outside the JSON log. Connection errors repeat on every reconnect attempt: log the first of a streak.
    client.on('error', redisErrorLogger(logger, 'commands'));
    lifecycle.onClose('redis', async () => client.quit().catch(() => client.disconnect()));
  }
  const profileCache = new ProfileCache(config.database.profileCacheMs, redis ? new RedisIdBroadcast(redis, redisPrefix, 'profile-changed', redisErrorLogger(logger, 'profile-cache subscriber')) : null);
  lifecycle.onClose('profile cache', () => profileCache.stop());
  await profileCache.start();
  return { redis, redisPrefix, profileCache };
}

/** Crypto adapters: signing keys (generated under DATA_DIR when not configured), hashing, tokens. */
function buildCrypto(config: Config, opts: BuildOptions, lifecycle: Lifecycle) {
  const { tokens: tokenConfig, passwords } = config;
  const { dataDir } = config.database;
  // One AES-256-GCM key (TOTP_ENCRYPTION_KEY or generated under DATA_DIR/keys) for every secret at rest:
  // TOTP secrets and the parameters of queued mail (which may hold link tokens).
  const cipher = new AesGcmSecretCipher(loadOrCreateKey(dataDir, config.twoFactor.encryptionKey));
  const keys = loadSigningKeys({
    dataDir,
    privateKeyPem: tokenConfig.privateKey,
    privateKeyFile: tokenConfig.privateKeyFile,
    publicKeysFile: tokenConfig.publicKeysFile,
  });
  const signingThreads = opts.inProcessCrypto ? 0 : tokenConfig.signingThreads;
  const signingPool = signingThreads > 0 ? new SigningThreadPool(keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, signingThreads) : null;
  if (signingPool) lifecycle.onClose('signing threads', () => signingPool.close());
  const signer = new JwtAccessTokenSigner(keys, tokenConfig.issuer, tokenConfig.audience, signingPool, config.oauth.resources);
  // `iss`/`aud`: PUBLIC_URL or JWT_ISSUER/JWT_AUDIENCE, else (development) this instance's URL, which start()
  // moves to the port actually listened on (PORT=0, or start(port)). Everything reads it from here.
  const identity = { issuer: tokenConfig.issuer, audience: tokenConfig.audience, followsPort: followsListeningPort(config), audienceFollows: tokenConfig.audience === tokenConfig.issuer, listeningPort: config.http.port };
  const bcryptWorkers = opts.inProcessCrypto ? 0 : passwords.bcryptWorkers;
  const bcryptPool = bcryptWorkers > 0 ? new BcryptProcessPool(bcryptWorkers, passwords.bcryptNice) : null;
  if (bcryptPool) lifecycle.onClose('bcrypt processes', () => bcryptPool.close());
  const hasher = new BcryptPasswordHasher(passwords.bcryptCost, bcryptPool);
  // Backup codes carry ~50 random bits; a lower cost keeps checking all ten affordable at login.
  const backupCodeHasher = new BcryptPasswordHasher(Math.min(passwords.bcryptCost, 10), bcryptPool);
  const tokens = new CryptoTokenGenerator(deriveSuccessorKey(keys.privateKey));
  const policy = new PasswordPolicy(new Set(dictionary['passwords-common'].map((p) => p.toLowerCase())));
  return { cipher, keys, signer, hasher, backupCodeHasher, tokens, policy, identity, bcryptPool };
}

/**
 * Passkeys' relying party: origins are PUBLIC_URL's plus PASSKEY_ORIGINS; in development (no PUBLIC_URL) this
 * instance on localhost at the port actually listened on, read per ceremony as the issuer is.
 */
function relyingParty(config: Config, identity: { listeningPort: number }, logger: Logger): SimpleWebAuthnRelyingParty {
  const { publicUrl } = config.http;
  const extra = config.passkeys.extraOrigins ?? [];
  return new SimpleWebAuthnRelyingParty(
    {
      rpName: config.passkeys.rpName,
      rpId: config.passkeys.rpId,
      origins: () => [publicUrl ? new URL(publicUrl).origin : `http://localhost:${identity.listeningPort}`, ...extra],
      timeoutMs: config.passkeys.challengeTtl * 1000,
    },
    (message, meta) => logger.info(message, meta),
  );
}

type DomainParts = Awaited<ReturnType<typeof buildDomainParts>>;

/** The areas up to the domain services, shared by the server (buildContainer) and the CLI (buildCore). */
async function buildDomainParts(config: Config, opts: BuildOptions, lifecycle: Lifecycle) {
  const db = await lifecycle.step('database', () => buildDatabase(config, opts, lifecycle));
  const shared = await lifecycle.step('redis', () => buildRedis(config, opts, lifecycle));
  const crypto = await lifecycle.step('crypto', () => buildCrypto(config, opts, lifecycle));
  const domain = await lifecycle.step('domain', () => buildDomain(config, opts, db, shared, crypto, lifecycle));
  return { db, shared, crypto, ...domain };
}

async function buildDomain(
  config: Config,
  opts: BuildOptions,
  { prisma, pool }: Database,
  { redis, redisPrefix, profileCache }: Awaited<ReturnType<typeof buildRedis>>,
  crypto: ReturnType<typeof buildCrypto>,
  lifecycle: Lifecycle,
) {
  const { logger, clock } = opts;
  const { tokens: tokenConfig } = config;
  const { cipher, signer, hasher, backupCodeHasher, tokens, policy } = crypto;
  // Metrics (issue 30): the adapters count committed audit events and rotations into this registry, which
  // the HTTP part serves at /metrics.
  const registry = new Registry();
  const counters = new AuthCounters(registry);
  const uow = new PrismaUnitOfWork(prisma, undefined, profileCache, pool, cipher, counters);

  // Revocations are recorded durably in two places: Session.revokedAt (users' tokens) and
  // revoked_client_tokens (client_credentials tokens); the in-memory view is warmed and caught up from both.
  const clientTokenRevocations = new PrismaClientTokenRevocations(prisma);
  const revokedSince = async (since: Date) => [...(await uow.direct.sessions.listRevokedSince(since)), ...(await clientTokenRevocations.listSince(since))];
  const revocations = new MemoryRevocationStore(
    tokenConfig.accessTokenTtl,
    clock,
    redis ? new RedisIdBroadcast(redis, redisPrefix, 'revoked-sessions', redisErrorLogger(logger, 'revocation subscriber')) : null,
    {
      source: revokedSince,
      maxLagMs: config.redis.revocationMaxLagSeconds * 1000,
      log: (level, message, meta) => logger[level](message, meta),
    },
  );
  lifecycle.onClose('revocations', () => revocations.stop());
  // Warm start: sessions revoked while this instance was down must stay refused.
  const warm = await revokedSince(new Date(clock.now().getTime() - (tokenConfig.accessTokenTtl + 60) * 1000));
  await revocations.start(warm);

  const services = createDomainServices(
    {
      uow,
      revocations,
      tokens,
      userAgents: new UaParserUserAgentParser(),
      clock,
      hasher,
      policy,
      signer,
      totp: new OtplibTotpProvider(),
      cipher,
      qr: new PngQrCodeRenderer(),
      backupCodeHasher,
      random: cryptoRandomSource,
      devices: new UaDeviceIdentifier(),
      webauthn: relyingParty(config, crypto.identity, logger),
      // Opened before anything listens: a bad GEOIP_CITY_DB stops the start with an error naming it.
      locator: MmdbIpLocator.open(config.geo.cityDb),
      upstreams: new OpenIdUpstreams(config.federation.providers, config.federation.timeout),
    },
    config,
  );
  // Tracing on (main.ts started the SDK): domain calls become spans. Imported only then, so with it off the
  // services are the plain objects and @opentelemetry/api is not loaded.
  if (config.tracing.endpoint) (await import('./infrastructure/observability/traced-services')).traceServices({ ...services });
  const { auth, sessions, users } = services;

  // OAuth: the client registry (cached 5 minutes, invalidated on change on every instance) and the grants.
  const oauthStore = new PrismaOAuthClientStore(prisma);
  const clientCache = new OAuthClientCache((id) => oauthStore.findByClientId(id), 5 * 60_000, redis ? new RedisIdBroadcast(redis, redisPrefix, 'oauth-client-changed') : null);
  lifecycle.onClose('oauth client cache', () => clientCache.stop());
  await clientCache.start();
  if (config.oauth.registration === 'token' && (config.oauth.registrationToken?.length ?? 0) < 32) {
    throw new Error('OAUTH_REGISTRATION=token needs OAUTH_REGISTRATION_TOKEN, at least 32 characters (the initial access token)');
  }
  const { oauthClients, oauthTokens, authorizations, codeGrant, deviceGrant, logout, connectedApps, registration, metadataDocuments } = createOAuthServices(
    {
      metadataFetcher: new HttpClientMetadataFetcher({ allowPrivate: config.oauth.metadataAllowPrivate }),
      store: oauthStore, lookup: clientCache, secrets: new Sha256ClientSecrets(), clientTokenRevocations, uow, revocations, tokens, signer, clock,
      authorizations: new PrismaAuthorizationStore(prisma), devices: new PrismaDeviceAuthorizationStore(prisma), consents: new PrismaConsentStore(prisma), idTokens: new JoseIdTokenSigner(crypto.keys, () => crypto.identity.issuer),
    },
    {
      accessTokenTtl: tokenConfig.accessTokenTtl,
      get issuer() {
        return crypto.identity.issuer;
      },
      secretRotationOverlap: config.oauth.secretRotationOverlap,
      resources: config.oauth.resources,
      registration: {
        mode: config.oauth.registration,
        initialAccessToken: config.oauth.registrationToken,
        scopes: config.oauth.registrationScopes,
        metadataDocuments: config.oauth.metadataDocuments,
        metadataAllowPrivate: config.oauth.metadataAllowPrivate,
      },
    },
    { auth, sessions },
  );
  const bootstrapped = await oauthClients.bootstrap(config.oauth.clients ?? []);
  if (bootstrapped.length) logger.info('oauth clients registered at start', { clientIds: bootstrapped });

  if (opts.bootstrapAdmin ?? true) await bootstrapAdmin(users, config.accounts, logger);
  return { services, oauthClients, oauthTokens, authorizations, codeGrant, deviceGrant, logout, connectedApps, registration, metadataDocuments, revocations, registry };
}

function servicesOf(parts: DomainParts): Container['services'] {
  const { auth, users, sessions, twoFactor, roles, adminConsole } = parts.services;
  return { auth, users, sessions, twoFactor, roles, adminConsole, oauthClients: parts.oauthClients, oauthTokens: parts.oauthTokens };
}

/** Background jobs (one process per deployment runs them): housekeeping, the mail relay, the outbox relay to NATS. */
async function buildJobs(config: Config, opts: ContainerOptions, logger: Logger, clock: Clock, parts: DomainParts, lifecycle: Lifecycle) {
  const { prisma, dataDir } = parts.db;
  const { backgroundJobs } = config.runtime;
  const housekeeping = new PrismaHousekeeping(prisma, clock, logger, config.retention);
  if (backgroundJobs) {
    housekeeping.start();
    lifecycle.onClose('housekeeping', () => housekeeping.stop());
  }

  // Outgoing mail leaves the OutgoingMail outbox through the relay (SMTP_URL, or the dev transport).
  let mailRelay: MailRelay | null = null;
  if (backgroundJobs) {
    const sender = new NodemailerMailSender({ smtpUrl: config.mail.smtpUrl, from: config.mail.from, devDir: join(dataDir, 'mail'), logger });
    const relay = new MailRelay(prisma, sender, parts.crypto.cipher, clock, logger, {
      templates: { productName: config.mail.productName, publicUrl: mailLinkBase(config) },
      retrySeconds: config.mail.retrySeconds,
      maxAttempts: config.mail.maxAttempts,
      intervalMs: opts.mailRelayIntervalMs,
    });
    mailRelay = relay;
    relay.start();
    lifecycle.onClose('mail relay', async () => {
      await relay.stop();
      sender.close();
    });
    if (!config.mail.smtpUrl) logger.info('SMTP_URL is not set: mail is written under DATA_DIR/mail instead of being sent', { dir: join(dataDir, 'mail') });
  }

  // OIDC Back-Channel Logout: ended sessions of clients with a backchannel_logout_uri, posted with retries.
  if (backgroundJobs) {
    const { keys, identity } = parts.crypto;
    const logouts = new BackchannelLogoutRelay(prisma, new JoseIdTokenSigner(keys, () => identity.issuer), () => identity.issuer, clock, logger);
    logouts.start();
    lifecycle.onClose('back-channel logout relay', () => logouts.stop());
  }

  let relay: NatsOutboxRelay | null = null;
  if (config.nats.url && backgroundJobs) {
    const stream = eventStream(opts, config.nats.subjectPrefix);
    const outbox = new NatsOutboxRelay(prisma, logger, { natsUrl: config.nats.url, connection: natsConnectionOptions(config.nats, 'auth-outbox-relay'), eventNames: config.nats.eventNames, ...stream });
    relay = outbox;
    // Registered before start(): a start that connected and then failed leaves a connection to close.
    lifecycle.onClose('outbox relay', () => outbox.stop());
    await outbox.start();
    logger.info('publishing domain events to NATS', { stream: stream.stream, subjects: `${stream.subjectPrefix}.>` });
  }
  return { housekeeping, mailRelay, relay };
}

/** The revocation feed, and NATS when configured: the revocation publisher and request/reply for the gateway. */
async function buildMessaging(config: Config, opts: ContainerOptions, logger: Logger, clock: Clock, parts: DomainParts, rateLimits: RateLimits, lifecycle: Lifecycle) {
  const { backgroundJobs } = config.runtime;
  const { tokens: tokenConfig } = config;
  // Revocation feed for other services: SSE always, NATS when configured.
  const revocationFeed = new RevocationFeed(new PrismaRevocationLog(parts.db.prisma), parts.revocations, clock, tokenConfig.accessTokenTtl + 60);
  const natsPrefix = opts.natsSubjectPrefix ?? config.nats.subjectPrefix;
  let nats: NatsConnection | null = null;
  if (config.nats.url) {
    const nc = await connectNats({ ...natsConnectionOptions(config.nats, 'sessionary'), maxReconnectAttempts: -1 });
    nats = nc;
    lifecycle.onClose('nats', () => closeNatsConnection(nc));
  }
  if (nats && backgroundJobs) {
    // One publisher per deployment's jobs worker: every instance hears every revocation (Redis), so more would repeat them.
    const publisher = new NatsRevocationPublisher(nats, revocationFeed, logger, `${natsPrefix}auth.revocations`);
    publisher.start();
    lifecycle.onClose('nats revocation publisher', () => publisher.stop());
  }
  if (nats) {
    // Request/reply for the gateway on every instance; the queue group spreads requests over them.
    const requests = new NatsRequestServer(nats, logger, { subjectPrefix: natsPrefix, queue: 'sessionary-auth', trustedAccounts: config.nats.trustedAccounts });
    requests.serve(authMessageHandlers(parts.services.auth, rateLimits));
    lifecycle.onClose('nats request server', () => requests.stop());
    logger.info('answering NATS requests', { subjects: `${natsPrefix}auth.*`, queue: 'sessionary-auth' });
  }
  return { revocationFeed, nats };
}

/** The HTTP app (not yet listening: start() does that) with its rate limits and event streams. */
function buildHttp(config: Config, opts: ContainerOptions, logger: Logger, parts: DomainParts, rateLimits: RateLimits, revocationFeed: RevocationFeed, lifecycle: Lifecycle, nats: NatsConnection | null) {
  const { services, oauthClients, oauthTokens, authorizations, codeGrant, deviceGrant, logout, connectedApps, registration, metadataDocuments, revocations } = parts;
  const { auth, sessions } = services;
  const { prisma } = parts.db;
  const streamCaps = new StreamCaps(config.streams);
  const revocationStreams = revocationRoutes({ auth, feed: revocationFeed, clientTokens: oauthTokens, caps: streamCaps });
  // Forced-logout push for open web pages.
  const sessionEvents = new SessionEventHub(revocations, (sid) => sessions.revocationReason(sid), logger, streamCaps);
  sessionEvents.start();
  lifecycle.onClose('session events', () => sessionEvents.close());

  const readiness = readinessProbe({ prisma, redis: parts.shared.redis, nats });
  const metrics = createMetrics({ token: config.http.metricsToken, openLocally: config.http.publicUrl === null }, parts.registry);
  registerGauges(parts.registry, {
    prisma,
    readiness,
    relaysOutbox: nats !== null && config.runtime.backgroundJobs,
    bcryptQueue: () => parts.crypto.bcryptPool?.queued ?? 0,
    revocationLagSeconds: () => revocations.lagSeconds(),
  });
  const { app, listener } = createHttp({
    logger,
    services,
    federationStateTtl: config.federation.stateTtl,
    jwks: () => parts.crypto.keys.jwks,
    databaseUp: async () => {
      await prisma.$queryRaw`SELECT 1`;
      return true;
    },
    readiness,
    http: config.http,
    oauth: { clients: oauthClients, tokens: oauthTokens, authorizations, codeGrant, deviceGrant, logout, connectedApps, registration, metadataDocuments, issuer: () => parts.crypto.identity.issuer, resources: config.oauth.resources },
    metrics,
    rateLimits,
    revocationRoutes: revocationStreams,
    web: {
      distDir: config.http.webUi ? (opts.webDistDir ?? join(process.cwd(), 'backend', 'web', 'dist')) : null,
      refreshCookieMaxAge: config.sessions.refreshTokenTtl,
      sessionEvents,
    },
  });
  return { listener, routes: routeTable(app), revocationStreams, sessionEvents };
}

function assemble(
  config: Config,
  opts: ContainerOptions,
  logger: Logger,
  parts: DomainParts,
  jobs: Awaited<ReturnType<typeof buildJobs>>,
  messaging: Awaited<ReturnType<typeof buildMessaging>>,
  http: ReturnType<typeof buildHttp>,
  lifecycle: Lifecycle,
): Container {
  const { listener, routes, revocationStreams, sessionEvents } = http;
  let server: GracefulServer | null = null;
  return {
    services: servicesOf(parts),
    relay: jobs.relay,
    mailRelay: jobs.mailRelay,
    revocationFeed: messaging.revocationFeed,
    nats: messaging.nats,
    housekeeping: jobs.housekeeping,
    routes,
    async start(port = config.http.port) {
      const observe = opts.observeHttp;
      server = new GracefulServer(observe ? (req, res) => (observe(req, res), listener(req, res)) : listener);
      try {
        const actual = await server.listen(port);
        const { identity, signer } = parts.crypto;
        identity.listeningPort = actual;
        if (identity.followsPort && identity.issuer !== localIssuer(actual)) {
          identity.issuer = localIssuer(actual);
          if (identity.audienceFollows) identity.audience = identity.issuer;
          signer.useIssuer(identity.issuer, identity.audience);
        }
        logger.info('listening', { port: actual, issuer: identity.issuer });
        const warning = issuerWarning(identity.issuer, config.runtime.nodeEnv);
        if (warning) logger.warn(warning, { issuer: identity.issuer });
        return { port: actual, url: `http://127.0.0.1:${actual}` };
      } catch (err) {
        // Not listening (port taken, say): nothing else would ever stop what the build started.
        server = null;
        await lifecycle.close();
        throw err;
      }
    },
    activeRequests: () => server?.activeRequests ?? 0,
    async stop() {
      // Open event streams never finish by themselves: end them so the drain below is not held up.
      sessionEvents.close();
      if (server) {
        revocationStreams.closeAll();
        await server.stop();
        server = null;
      }
      await lifecycle.close();
    },
  };
}

/**
 * Tokens and the OAuth metadata name the issuer, and clients send their secrets to the endpoints it lists:
 * outside development it must be https (TLS at the proxy). Development is a loopback issuer while NODE_ENV
 * is not production.
 */
export function issuerWarning(issuer: string, nodeEnv: string): string | null {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return 'the issuer (PUBLIC_URL / JWT_ISSUER) is not a URL: OAuth clients cannot discover this server';
  }
  if (url.protocol === 'https:') return null;
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (loopback && nodeEnv !== 'production') return null;
  return 'the issuer is not https: set PUBLIC_URL to the https URL clients reach this server at (tokens and OAuth metadata name it; clients send their secrets to it)';
}

/** Logs at most one error a minute per Redis connection: a down server errors on every reconnect attempt. */
function redisErrorLogger(logger: Logger, connection: string): (err: Error) => void {
  let reported = false;
  return (err) => {
    if (reported) return;
    reported = true;
    logger.warn('redis connection error', { connection, error: err.message });
    setTimeout(() => (reported = false), 60_000).unref();
  };
}

/**
 * Where the outbox goes: AUTH_EVENTS with `auth.events.<type>` and the catalogue names, all under
 * NATS_SUBJECT_PREFIX (which also names its own stream, so prefixed deployments never share one).
 */
function eventStream(opts: ContainerOptions, configuredPrefix: string): { stream: string; subjectPrefix: string; catalogueSubjectPrefix: string } {
  const prefix = opts.natsSubjectPrefix ?? configuredPrefix;
  if (opts.events) return { ...opts.events, catalogueSubjectPrefix: opts.natsSubjectPrefix ?? `${opts.events.subjectPrefix}.catalogue.` };
  const suffix = prefix ? `_${prefix.replace(/[^A-Za-z0-9]+/g, '_').replace(/_+$/, '').toUpperCase()}` : '';
  return { stream: `AUTH_EVENTS${suffix}`, subjectPrefix: `${prefix}auth.events`, catalogueSubjectPrefix: prefix };
}

async function startEmbedded(dataDir: string, lifecycle: Lifecycle, logger: Logger): Promise<string> {
  const embedded = await startEmbeddedPostgres(dataDir);
  lifecycle.onClose('embedded database', () => embedded.stop());
  logger.info('embedded PostgreSQL (PGlite) started', { dataDir });
  return embedded.url;
}
