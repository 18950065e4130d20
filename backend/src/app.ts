// createApp(deps): the Express application, with every collaborator passed in (built by container.ts).
import type { RequestListener } from 'node:http';
import cors from 'cors';
import express from 'express';
import type { Config } from './config';
import type { DomainServices } from './domain/services';
import type { Logger } from './infrastructure/logger';
import type { Metrics } from './http/metrics';
import type { RateLimits } from './http/rate-limits';
import type { PublicJwk } from './infrastructure/crypto/signing-keys';
import { adminRoutes } from './modules/admin/admin.routes';
import { docsRoutes } from './modules/docs/docs.routes';
import { authRoutes, refreshRoute, validateRoute } from './modules/auth/auth.routes';
import { emailChangeRoutes, recoveryRoutes } from './modules/recovery/recovery.routes';
import { browserAuthRoutes } from './modules/browser/browser.routes';
import type { SessionEventHub } from './modules/browser/session-events';
import { authenticate } from './http/authenticate';
import { webUi } from './modules/web/web.routes';
import { errorAnswers, errorHandler, notFoundRoute } from './http/errors';
import { jsonBody, simpleBytes } from './http/json-body';
import { requestId } from './http/request-id';
import { requestLogger } from './http/request-logger';
import { securityHeaders } from './http/security-headers';
import { leanKit, type HotRoute } from './http/lean-route';
import { fastPath } from './http/fast-path';
import './http/types';
import { authorizationServerMetadata, oauthHotRoutes, oauthRoutes } from './modules/oauth/oauth.routes';
import { oauthClientRoutes } from './modules/oauth/oauth-clients.routes';
import type { OAuthClientService } from './domain/oauth/client.service';
import type { OAuthTokenService } from './domain/oauth/token.service';
import type { RevocationRoutes } from './modules/revocations/revocations.routes';
import { trustedDeviceRoutes } from './modules/trusted-devices/trusted-devices.routes';
import { twoFactorRoutes } from './modules/two-factor/two-factor.routes';
import { readyRoute } from './modules/health/health.routes';
import type { ReadinessReport } from './infrastructure/observability/readiness';
import { leanUserRoutes, userRoutes } from './modules/user/user.routes';
import { recordSessionActivity, withSessionActivity } from './modules/user/session-activity.middleware';

export interface AppDeps {
  logger: Logger;
  services: Pick<DomainServices, 'auth' | 'users' | 'sessions' | 'twoFactor' | 'recovery' | 'activity' | 'accountDeletion' | 'trustedDevices'>;
  jwks: () => { keys: PublicJwk[] };
  /** True when the database answers. */
  databaseUp: () => Promise<boolean>;
  /** GET /ready: every configured dependency asked once (absent: no /ready route, as in unit tests of the app). */
  readiness?: () => Promise<ReadinessReport>;
  /** trustProxy, corsOrigins (none = no CORS headers at all), bodyLimit. */
  http: Pick<Config['http'], 'trustProxy' | 'corsOrigins' | 'bodyLimit'> & Partial<Pick<Config['http'], 'publicUrl'>>;
  /** The OAuth authorization server (/oauth/*, RFC 8414 metadata) and the client registry's admin API. */
  /** `issuer` is read per request: in development it is the URL of the port listened on, known at start. */
  oauth: { clients: OAuthClientService; tokens: OAuthTokenService; issuer: string | (() => string) };
  /** perIp on /api/auth/* and /oauth/token; perAccount on login, 2FA login and the password grant; perUser on password and code checks of a signed-in user. */
  rateLimits: Pick<RateLimits, 'perIp' | 'perIpStep' | 'perAccount' | 'perUser' | 'perMailRequest'>;
  /** Prometheus: a timing middleware and the /metrics handler. */
  metrics: Metrics;
  /** The revocation feed for other services (/api/revocations/stream). */
  revocationRoutes: RevocationRoutes;
  /** The account web app: its build folder (null = WEB_UI=off), refresh-cookie lifetime, forced-logout stream. */
  web: { distDir: string | null; refreshCookieMaxAge: number; sessionEvents: SessionEventHub };
}

/** The Express app alone (every route, the hot ones on their lean chain). */
export function createApp(deps: AppDeps) {
  return createHttp(deps).app;
}

/**
 * The server's request listener: the hot routes' fast path (http/fast-path.ts) in front of the Express app,
 * which answers everything else. `app` is the Express app itself.
 */
export function createHttp(deps: AppDeps): { app: express.Express; listener: RequestListener } {
  const { auth, users, sessions, twoFactor, recovery, activity, accountDeletion, trustedDevices } = deps.services;
  const { perIp, perAccount, perUser, perMailRequest } = deps.rateLimits;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  if (deps.http.trustProxy !== undefined) app.set('trust proxy', deps.http.trustProxy);

  // Bearer tokens travel in the Authorization header, never in cookies: no credentials mode needed.
  const corsMiddleware = deps.http.corsOrigins?.length
    ? cors({
        origin: deps.http.corsOrigins,
        allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
        exposedHeaders: ['X-Request-Id', 'Retry-After', 'WWW-Authenticate', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'RateLimit-Policy'],
        maxAge: 600,
      })
    : null;

  // The hot routes (issue 15), declared once and served twice: by the fast path in front of Express
  // (http/fast-path.ts) for the everyday request, and here, ahead of everything, on their lean chain for the
  // rest. Either way each does what the app-wide middleware below does for every other route (request id,
  // security headers, CORS, log line, metrics) and only the steps it needs (see http/lean-route.ts).
  // /validate is exempt from the per-IP limit, since relying services call it from a few addresses;
  // /refresh applies it itself.
  const lean = leanKit({ logger: deps.logger, metrics: deps.metrics, cors: corsMiddleware, perIp, bodyLimit: deps.http.bodyLimit });
  const leanUser = leanUserRoutes({ users, auth, sessions, accountDeletion });
  // Last seen of a session (time, IP): one Map lookup here, the write after the answer has gone out.
  const seen = withSessionActivity(activity, deps.logger);
  const hot: HotRoute[] = [
    { method: 'POST', path: '/api/auth/refresh', jsonBody: true, perIp: true, handler: refreshRoute(auth) },
    { method: 'GET', path: '/api/auth/validate', handler: validateRoute(auth) },
    { method: 'GET', path: '/api/user/me', handler: seen(leanUser.me) },
    { method: 'GET', path: '/api/user/sessions', handler: seen(leanUser.sessions) },
  ];
  for (const r of hot) app[r.method === 'GET' ? 'get' : 'post'](r.path, lean.route(r));

  app.use(requestId);
  app.use(requestLogger(deps.logger));
  app.use(deps.metrics.middleware);
  app.use(securityHeaders());
  if (corsMiddleware) app.use(corsMiddleware);
  // /oauth parses its own form bodies and is mounted before the JSON parser, so a malformed or oversized
  // JSON body still gets an RFC 6749 error ({error, error_description}) instead of the API's shape. It applies
  // the per-IP limit itself (token and revoke; introspection is for services), so a 429 has the OAuth shape too.
  app.use('/oauth', oauthRoutes({ clients: deps.oauth.clients, tokens: deps.oauth.tokens, logger: deps.logger, perIp, perAccount }));
  app.get('/.well-known/oauth-authorization-server', authorizationServerMetadata(deps.oauth.issuer, () => deps.oauth.clients.supportedScopes()));
  app.use(jsonBody(deps.http.bodyLimit));

  app.get('/health', async (_req, res) => {
    const up = await deps.databaseUp().catch(() => false);
    res.status(up ? 200 : 503).json({ status: up ? 'ok' : 'degraded', database: up ? 'up' : 'down', uptimeSeconds: Math.round(process.uptime()) });
  });
  if (deps.readiness) app.get('/ready', readyRoute(deps.readiness));
  app.get('/.well-known/jwks.json', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(deps.jwks());
  });
  app.get('/metrics', deps.metrics.handler);

  // Cookie-based variants for the web page, ahead of /api/auth (which would otherwise see the paths first).
  const { trustProxy, corsOrigins } = deps.http;
  const cookie = {
    maxAgeSeconds: deps.web.refreshCookieMaxAge,
    behindProxy: trustProxy !== undefined && trustProxy !== false,
    httpsPublicUrl: deps.http.publicUrl?.startsWith('https:') ?? false,
  };
  app.use('/api/auth/browser', perIp, browserAuthRoutes({ auth, cookie, perAccount, trustedOrigins: corsOrigins ?? [] }));
  // Last seen of a session (time, IP): stamped after the response, at most once a minute per session.
  app.use(['/api/user', '/api/admin'], recordSessionActivity(activity, deps.logger));
  app.get('/api/user/session-events', authenticate(auth), deps.web.sessionEvents.handler);
  const recoveryDeps = { recovery, auth, logger: deps.logger, perMailRequest, perUser };
  app.use('/api/auth', perIp, authRoutes({ auth, perAccount }), recoveryRoutes(recoveryDeps));
  app.use('/api/user/2fa', twoFactorRoutes({ auth, twoFactor, perUser }));
  app.use('/api/user/trusted-devices', trustedDeviceRoutes({ auth, trustedDevices }));
  app.use('/api/user/email', emailChangeRoutes(recoveryDeps));
  app.use('/api/user', userRoutes({ users, auth, sessions, accountDeletion, perUser }));
  app.use('/api/revocations', deps.revocationRoutes.router);
  app.use('/api/admin/oauth-clients', oauthClientRoutes({ clients: deps.oauth.clients, auth }));
  app.use('/api', docsRoutes());
  app.use('/api/admin', adminRoutes({ users, auth, twoFactor }));

  if (deps.web.distDir) app.use(webUi(deps.web.distDir));
  app.use(notFoundRoute);
  const answers = errorAnswers(deps.logger);
  app.use(errorHandler(deps.logger, answers));
  // Introspection is on the fast path too, but in Express it stays on the /oauth router (its form parser and
  // error shape), which answers what the fast path leaves.
  const oauthHot = oauthHotRoutes({ clients: deps.oauth.clients, tokens: deps.oauth.tokens, logger: deps.logger });
  const listener = fastPath({
    routes: [...hot, ...oauthHot],
    fallback: app,
    trust: deps.http.trustProxy === undefined || deps.http.trustProxy === false ? null : app.get('trust proxy fn'),
    cors: corsMiddleware,
    bodyLimitBytes: simpleBytes(deps.http.bodyLimit) ?? 0,
    perIp: deps.rateLimits.perIpStep,
    errors: answers,
    logger: deps.logger,
    metrics: deps.metrics,
  });
  return { app, listener };
}
