// Composition root: builds adapters, services and the app with plain constructors, and owns the
// process lifecycle (start → listen, stop → drain HTTP, close Redis/NATS/database).
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { connect as connectNats, type NatsConnection } from 'nats';
import { dictionary } from '@zxcvbn-ts/language-common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHttp } from './app';
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
import { PrismaOAuthClientStore } from './infrastructure/prisma/oauth-client.repository';
import { BcryptPasswordHasher } from './infrastructure/crypto/bcrypt-hasher';
import { BcryptProcessPool } from './infrastructure/crypto/bcrypt-process-pool';
import { JwtAccessTokenSigner } from './infrastructure/crypto/jwt-signer';
import { loadSigningKeys } from './infrastructure/crypto/signing-keys';
import { SigningThreadPool } from './infrastructure/crypto/signing-thread-pool';
import { CryptoTokenGenerator, deriveSuccessorKey } from './infrastructure/crypto/token-generator';
import { UaParserUserAgentParser } from './infrastructure/user-agent/user-agent-parser';
import { PngQrCodeRenderer } from './infrastructure/two-factor/qr';
import { AesGcmSecretCipher, cryptoRandomSource, loadOrCreateKey } from './infrastructure/crypto/secret-box';
import { OtplibTotpProvider } from './infrastructure/two-factor/totp';
import { startEmbeddedPostgres } from './infrastructure/database/embedded';
import { migrate } from './infrastructure/database/migrator';
import { GracefulServer } from './http/graceful-server';
import { createLogger, type Logger } from './infrastructure/logger';
import { NatsOutboxRelay } from './infrastructure/events/nats-outbox-relay';
import { natsConnectionOptions } from './infrastructure/events/nats-connection';
import { MailRelay } from './infrastructure/mail/mail-relay';
import { UaDeviceIdentifier } from './infrastructure/user-agent/device-identifier';
import { NodemailerMailSender } from './infrastructure/mail/nodemailer-sender';
import { NatsRevocationPublisher } from './infrastructure/events/nats-revocations';
import { createMetrics } from './http/metrics';
import { createDatabaseClients } from './infrastructure/prisma/client';
import { PrismaHousekeeping } from './infrastructure/prisma/housekeeping';
import { ProfileCache } from './infrastructure/cache/profile-cache';
import { PrismaRevocationLog } from './infrastructure/prisma/revocation-log';
import { PrismaUnitOfWork } from './infrastructure/prisma/unit-of-work';
import { MemoryRevocationStore } from './infrastructure/revocation/memory-revocation-store';
import { RedisIdBroadcast } from './infrastructure/broadcast/redis-id-broadcast';
import { createRateLimits } from './http/rate-limits';
import { StreamCaps } from './http/stream-caps';
import { revocationRoutes } from './modules/revocations/revocations.routes';
import { authMessageHandlers } from './modules/auth/auth.messages';
import { NatsRequestServer } from './nats/request-server';
import { SessionEventHub } from './modules/browser/session-events';

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
  services: Pick<DomainServices, 'auth' | 'users' | 'sessions' | 'twoFactor'> & { oauthClients: OAuthClientService; oauthTokens: OAuthTokenService };
  relay: NatsOutboxRelay | null;
  /** Sends queued mail; null when this process runs no background jobs. */
  mailRelay: MailRelay | null;
  revocationFeed: RevocationFeed;
  /** The server's NATS connection (request/reply, revocations), when NATS_URL is set. */
  nats: NatsConnection | null;
  housekeeping: PrismaHousekeeping;
}

export async function buildContainer(config: Config, opts: ContainerOptions = {}): Promise<Container> {
  const logger = opts.logger ?? createLogger(config.runtime.logLevel);
  const clock = opts.clock ?? systemClock;
  const closers: (() => Promise<unknown>)[] = [];

  // Database: embedded PGlite unless DATABASE_URL; migrations before anything reads.
  const { dataDir } = config.database;
  const databaseUrl = config.database.url ?? (await startEmbedded(dataDir, closers, logger));
  const applied = await migrate(databaseUrl, opts.migrationsDir ?? join(process.cwd(), 'prisma', 'migrations'));
  logger.info(applied.length ? 'database migrations applied' : 'database schema up to date', { applied });

  // PGlite serves one connection at a time; a real server gets a pool.
  const { prisma, pool } = createDatabaseClients(databaseUrl, { poolMax: config.database.url ? 10 : 1 });
  closers.unshift(() => prisma.$disconnect());

  // State shared across instances through Redis when configured: revocations, profile invalidations, limits.
  const redisPrefix = opts.redisPrefix ?? 'auth:';
  let redis: Redis | null = null;
  if (config.redis.url) {
    redis = new Redis(config.redis.url, { maxRetriesPerRequest: 2, enableOfflineQueue: true });
    // Every ioredis connection needs an error listener, or ioredis prints "[ioredis] Unhandled error event"
    // outside the JSON log. Connection errors repeat on every reconnect attempt: log the first of a streak.
    redis.on('error', redisErrorLogger(logger, 'commands'));
    closers.unshift(async () => redis!.quit().catch(() => redis!.disconnect()));
  }
  const profileCache = new ProfileCache(config.database.profileCacheMs, redis ? new RedisIdBroadcast(redis, redisPrefix, 'profile-changed', redisErrorLogger(logger, 'profile-cache subscriber')) : null);
  await profileCache.start();
  closers.unshift(() => profileCache.stop());
  // One AES-256-GCM key (TOTP_ENCRYPTION_KEY or generated under DATA_DIR/keys) for every secret at rest:
  // TOTP secrets and the parameters of queued mail (which may hold link tokens).
  const cipher = new AesGcmSecretCipher(loadOrCreateKey(dataDir, config.twoFactor.encryptionKey));
  const uow = new PrismaUnitOfWork(prisma, undefined, profileCache, pool, cipher);

  const { backgroundJobs } = config.runtime;
  const housekeeping = new PrismaHousekeeping(prisma, clock, logger, config.retention);
  if (backgroundJobs) housekeeping.start();
  closers.unshift(async () => housekeeping.stop());


  // Crypto adapters: signing keys (generated under DATA_DIR when not configured), hashing, tokens.
  const { tokens: tokenConfig, passwords } = config;
  const keys = loadSigningKeys({
    dataDir,
    privateKeyPem: tokenConfig.privateKey,
    privateKeyFile: tokenConfig.privateKeyFile,
    publicKeysFile: tokenConfig.publicKeysFile,
  });
  const signingPool =
    tokenConfig.signingThreads > 0 ? new SigningThreadPool(keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, tokenConfig.signingThreads) : null;
  if (signingPool) closers.unshift(() => signingPool.close());
  const signer = new JwtAccessTokenSigner(keys, tokenConfig.issuer, tokenConfig.audience, signingPool);
  // `iss`/`aud`: PUBLIC_URL or JWT_ISSUER/JWT_AUDIENCE, else (development) this instance's URL, which start()
  // moves to the port actually listened on (PORT=0, or start(port)). Everything reads it from here.
  const identity = { issuer: tokenConfig.issuer, audience: tokenConfig.audience };
  const followsPort = followsListeningPort(config);
  const audienceFollows = tokenConfig.audience === tokenConfig.issuer;
  const bcryptPool = passwords.bcryptWorkers > 0 ? new BcryptProcessPool(passwords.bcryptWorkers, passwords.bcryptNice) : null;
  if (bcryptPool) closers.unshift(() => bcryptPool.close());
  const hasher = new BcryptPasswordHasher(passwords.bcryptCost, bcryptPool);
  const tokens = new CryptoTokenGenerator(deriveSuccessorKey(keys.privateKey));
  const policy = new PasswordPolicy(new Set(dictionary['passwords-common'].map((p) => p.toLowerCase())));

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
  // Warm start: sessions revoked while this instance was down must stay refused.
  const warm = await revokedSince(new Date(clock.now().getTime() - (tokenConfig.accessTokenTtl + 60) * 1000));
  await revocations.start(warm);
  closers.unshift(() => revocations.stop());
  const rateLimits = createRateLimits({
    ...config.rateLimits,
    redis,
    keyPrefix: `${redisPrefix}rl:`,
  });
  closers.unshift(() => rateLimits.close());

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
      // Backup codes carry ~50 random bits; a lower cost keeps checking all ten affordable at login.
      backupCodeHasher: new BcryptPasswordHasher(Math.min(passwords.bcryptCost, 10), bcryptPool),
      random: cryptoRandomSource,
      devices: new UaDeviceIdentifier(),
    },
    config,
  );
  const { auth, users, sessions, twoFactor } = services;

  // OAuth: the client registry (cached 5 minutes, invalidated on change on every instance) and the grants.
  const oauthStore = new PrismaOAuthClientStore(prisma);
  const clientCache = new OAuthClientCache((id) => oauthStore.findByClientId(id), 5 * 60_000, redis ? new RedisIdBroadcast(redis, redisPrefix, 'oauth-client-changed') : null);
  await clientCache.start();
  closers.unshift(() => clientCache.stop());
  const { oauthClients, oauthTokens } = createOAuthServices(
    { store: oauthStore, lookup: clientCache, secrets: new Sha256ClientSecrets(), clientTokenRevocations, uow, revocations, tokens, signer, clock },
    {
      accessTokenTtl: tokenConfig.accessTokenTtl,
      get issuer() {
        return identity.issuer;
      },
      secretRotationOverlap: config.oauth.secretRotationOverlap,
    },
    { auth, sessions },
  );
  const bootstrapped = await oauthClients.bootstrap(config.oauth.clients ?? []);
  if (bootstrapped.length) logger.info('oauth clients registered at start', { clientIds: bootstrapped });

  if (opts.bootstrapAdmin ?? true) await bootstrapAdmin(users, config.accounts, logger);

  // Outgoing mail leaves the OutgoingMail outbox through the relay (SMTP_URL, or the dev transport).
  let mailRelay: MailRelay | null = null;
  if (backgroundJobs) {
    const sender = new NodemailerMailSender({ smtpUrl: config.mail.smtpUrl, from: config.mail.from, devDir: join(dataDir, 'mail'), logger });
    mailRelay = new MailRelay(prisma, sender, cipher, clock, logger, {
      templates: { productName: config.mail.productName, publicUrl: mailLinkBase(config) },
      retrySeconds: config.mail.retrySeconds,
      maxAttempts: config.mail.maxAttempts,
      intervalMs: opts.mailRelayIntervalMs,
    });
    mailRelay.start();
    closers.unshift(async () => {
      await mailRelay!.stop();
      sender.close();
    });
    if (!config.mail.smtpUrl) logger.info('SMTP_URL is not set: mail is written under DATA_DIR/mail instead of being sent', { dir: join(dataDir, 'mail') });
  }

  let relay: NatsOutboxRelay | null = null;
  if (config.nats.url && backgroundJobs) {
    relay = new NatsOutboxRelay(prisma, logger, { natsUrl: config.nats.url, connection: natsConnectionOptions(config.nats, 'auth-outbox-relay'), ...eventStream(opts, config.nats.subjectPrefix) });
    await relay.start();
    closers.unshift(() => relay!.stop());
    logger.info('publishing domain events to NATS', { stream: eventStream(opts, config.nats.subjectPrefix).stream, subjects: `${eventStream(opts, config.nats.subjectPrefix).subjectPrefix}.>` });
  }

  // Revocation feed for other services: SSE always, NATS when configured.
  const revocationFeed = new RevocationFeed(new PrismaRevocationLog(prisma), revocations, clock, tokenConfig.accessTokenTtl + 60);
  const natsPrefix = opts.natsSubjectPrefix ?? config.nats.subjectPrefix;
  let nats: NatsConnection | null = null;
  if (config.nats.url) {
    const nc = await connectNats({ ...natsConnectionOptions(config.nats, 'sessionary'), maxReconnectAttempts: -1 });
    nats = nc;
    closers.unshift(() => nc.drain().catch(() => undefined));
  }
  if (nats && backgroundJobs) {
    // One publisher per deployment's jobs worker: every instance hears every revocation (Redis), so more would repeat them.
    const publisher = new NatsRevocationPublisher(nats, revocationFeed, logger, `${natsPrefix}auth.revocations`);
    publisher.start();
    closers.unshift(() => publisher.stop());
  }
  if (nats) {
    // Request/reply for the gateway on every instance; the queue group spreads requests over them.
    const requests = new NatsRequestServer(nats, logger, { subjectPrefix: natsPrefix, queue: 'sessionary-auth', trustedAccounts: config.nats.trustedAccounts });
    requests.serve(authMessageHandlers(auth, rateLimits));
    closers.unshift(() => requests.stop());
    logger.info('answering NATS requests', { subjects: `${natsPrefix}auth.*`, queue: 'sessionary-auth' });
  }
  const streamCaps = new StreamCaps(config.streams);
  const revocationStreams = revocationRoutes({ auth, feed: revocationFeed, clientTokens: oauthTokens, caps: streamCaps });
  // Forced-logout push for open web pages.
  const sessionEvents = new SessionEventHub(revocations, (sid) => sessions.revocationReason(sid), logger, streamCaps);
  sessionEvents.start();

  const { listener } = createHttp({
    logger,
    services,
    jwks: () => keys.jwks,
    databaseUp: async () => {
      await prisma.$queryRaw`SELECT 1`;
      return true;
    },
    http: config.http,
    oauth: { clients: oauthClients, tokens: oauthTokens, issuer: () => identity.issuer },
    metrics: createMetrics({ token: config.http.metricsToken, openLocally: config.http.publicUrl === null }),
    rateLimits,
    revocationRoutes: revocationStreams,
    web: {
      distDir: config.http.webUi ? (opts.webDistDir ?? join(process.cwd(), 'backend', 'web', 'dist')) : null,
      refreshCookieMaxAge: config.sessions.refreshTokenTtl,
      sessionEvents,
    },
  });

  let server: GracefulServer | null = null;
  return {
    services: { auth, users, sessions, twoFactor, oauthClients, oauthTokens },
    relay,
    mailRelay,
    revocationFeed,
    nats,
    housekeeping,
    async start(port = config.http.port) {
      const observe = opts.observeHttp;
      server = new GracefulServer(observe ? (req, res) => (observe(req, res), listener(req, res)) : listener);
      const actual = await server.listen(port);
      if (followsPort && identity.issuer !== localIssuer(actual)) {
        identity.issuer = localIssuer(actual);
        if (audienceFollows) identity.audience = identity.issuer;
        signer.useIssuer(identity.issuer, identity.audience);
      }
      logger.info('listening', { port: actual, issuer: identity.issuer });
      const warning = issuerWarning(identity.issuer, config.runtime.nodeEnv);
      if (warning) logger.warn(warning, { issuer: identity.issuer });
      return { port: actual, url: `http://127.0.0.1:${actual}` };
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
      for (const close of closers) await close().catch((err) => logger.warn('shutdown step failed', { error: String(err) }));
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

async function startEmbedded(dataDir: string, closers: (() => Promise<unknown>)[], logger: Logger): Promise<string> {
  const embedded = await startEmbeddedPostgres(dataDir);
  closers.unshift(() => embedded.stop());
  logger.info('embedded PostgreSQL (PGlite) started', { dataDir });
  return embedded.url;
}
