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
import { adminConsoleEndpoints } from './modules/admin/admin-console.endpoints';
import { adminEndpoints } from './modules/admin/admin.endpoints';
import { roleEndpoints } from './modules/roles/roles.endpoints';
import { docsRoutes } from './modules/docs/docs.routes';
import { refreshRoute, validateRoute } from './modules/auth/auth.routes';
import { authEndpoints } from './modules/auth/auth.endpoints';
import { recoveryEndpoints } from './modules/recovery/recovery.endpoints';
import { browserAuthEndpoints } from './modules/browser/browser.endpoints';
import type { SessionEventHub } from './modules/browser/session-events';
import { authenticate, requireRecentSignIn, requireRole } from './http/authenticate';
import { webUi } from './modules/web/web.routes';
import { errorAnswers, errorHandler, notFoundRoute } from './http/errors';
import { jsonBody, simpleBytes } from './http/json-body';
import { requestId } from './http/request-id';
import { requestLogger } from './http/request-logger';
import { securityHeaders } from './http/security-headers';
import { mountHotRoutes, type HotRoute } from './http/hot-route';
import { fastPath } from './http/fast-path';
import './http/types';
import { authorizationServerMetadata, oauthHotRoutes, oauthRoutes } from './modules/oauth/oauth.routes';
import { oauthClientEndpoints } from './modules/oauth/oauth-clients.endpoints';
import type { OAuthClientService } from './domain/oauth/client.service';
import type { OAuthTokenService } from './domain/oauth/token.service';
import type { AuthorizationService } from './domain/oauth/authorization.service';
import type { DeviceGrantService } from './domain/oauth/device-grant.service';
import type { CodeGrantService } from './domain/oauth/code-grant.service';
import type { LogoutService } from './domain/oauth/logout.service';
import type { ConnectedAppsService } from './domain/oauth/connected-apps.service';
import type { ClientRegistrationService } from './domain/oauth/registration.service';
import { connectedAppEndpoints } from './modules/oauth/connected-apps.endpoints';
import { authorizeRoutes } from './modules/oauth/authorize.routes';
import { consentEndpoints } from './modules/oauth/consent.endpoints';
import { deviceEndpoints } from './modules/oauth/device.endpoints';
import { openidConfiguration } from './modules/oauth/discovery';
import type { RevocationRoutes } from './modules/revocations/revocations.routes';
import { federationEndpoints } from './modules/federation/federation.endpoints';
import { browserPasskeyEndpoints, passkeyAccountEndpoints, passkeyAuthEndpoints } from './modules/passkeys/passkeys.endpoints';
import { trustedDeviceEndpoints } from './modules/trusted-devices/trusted-devices.endpoints';
import { twoFactorEndpoints } from './modules/two-factor/two-factor.endpoints';
import { leanUserRoutes } from './modules/user/user.routes';
import { userEndpoints } from './modules/user/user.endpoints';
import { mountEndpoints, type Guards } from './http/endpoint';
import { readyRoute } from './modules/health/health.routes';
import type { ReadinessReport } from './infrastructure/observability/readiness';
import { recordSessionActivity, withSessionActivity } from './modules/user/session-activity.middleware';

export interface AppDeps {
  logger: Logger;
  services: Pick<DomainServices, 'auth' | 'users' | 'sessions' | 'twoFactor' | 'recovery' | 'activity' | 'accountDeletion' | 'trustedDevices' | 'passkeys' | 'federation' | 'roles' | 'adminConsole' | 'recentAdmin'>;
  jwks: () => { keys: PublicJwk[] };
  /** True when the database answers. */
  databaseUp: () => Promise<boolean>;
  /** GET /ready: every configured dependency asked once (absent: no /ready route, as in unit tests of the app). */
  readiness?: () => Promise<ReadinessReport>;
  /** trustProxy, corsOrigins (none = no CORS headers at all), bodyLimit. */
  http: Pick<Config['http'], 'trustProxy' | 'corsOrigins' | 'bodyLimit'> & Partial<Pick<Config['http'], 'publicUrl'>>;
  /** The OAuth authorization server (/oauth/*, RFC 8414 metadata) and the client registry's admin API. */
  /** `issuer` is read per request: in development it is the URL of the port listened on, known at start. */
  oauth: {
    clients: OAuthClientService; tokens: OAuthTokenService; authorizations: AuthorizationService; codeGrant: CodeGrantService; deviceGrant: DeviceGrantService; logout: LogoutService; connectedApps: ConnectedAppsService;
    issuer: string | (() => string); resources?: readonly string[];
    /** RFC 7591 / 7592 (off unless OAUTH_REGISTRATION), and whether client_id URLs (metadata documents) are accepted. */
    registration: ClientRegistrationService; metadataDocuments: boolean;
  };
  /** perIp on /api/auth/* and /oauth/token; perAccount on login, 2FA login and the password grant; perUser on password and code checks of a signed-in user. */
  rateLimits: Pick<RateLimits, 'perIp' | 'perIpStep' | 'perAccount' | 'perUser' | 'perMailRequest' | 'perClientRegistration' | 'perAuthorizeRequest'>;
  /** Prometheus: a timing middleware and the /metrics handler. */
  metrics: Metrics;
  /** The revocation feed for other services (/api/revocations/stream). */
  revocationRoutes: RevocationRoutes;
  /** The account web app: its build folder (null = WEB_UI=off), refresh-cookie lifetime, forced-logout stream. */
  web: { distDir: string | null; refreshCookieMaxAge: number; sessionEvents: SessionEventHub };
  /** FEDERATION_STATE_TTL: lifetime of the sealed federation state cookie, seconds (default 600). */
  federationStateTtl?: number;
}

/** The Express app alone (every route, the hot ones included, without the fast path in front). */
export function createApp(deps: AppDeps) {
  return createHttp(deps).app;
}

/**
 * The server's request listener: the hot routes' fast path (http/fast-path.ts) in front of the Express app,
 * which answers everything else. `app` is the Express app itself.
 */
export function createHttp(deps: AppDeps): { app: express.Express; listener: RequestListener } {
  const { auth, users, sessions, twoFactor, recovery, activity, accountDeletion, trustedDevices, passkeys, federation } = deps.services;
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

  // The hot routes, declared once and served twice: by the fast path in front of Express (http/fast-path.ts)
  // for the everyday request, and by this app (mountHotRoutes below) for the rest. /validate is exempt from the
  // per-IP limit, since relying services call it from a few addresses; /refresh applies it itself.
  const leanUser = leanUserRoutes({ users, auth, sessions });
  // Last seen of a session (time, IP): one Map lookup here, the write after the answer has gone out.
  const seen = withSessionActivity(activity, deps.logger);
  const hot: HotRoute[] = [
    { method: 'POST', path: '/api/auth/refresh', operationId: 'refresh', jsonBody: true, perIp: true, handler: refreshRoute(auth) },
    { method: 'GET', path: '/api/auth/validate', operationId: 'validateToken', handler: validateRoute(auth) },
    { method: 'GET', path: '/api/user/me', operationId: 'getProfile', handler: seen(leanUser.me) },
    { method: 'GET', path: '/api/user/sessions', operationId: 'listSessions', handler: seen(leanUser.sessions) },
  ];

  // Who calls, established once for every declared endpoint (http/endpoint.ts).
  const bearer = authenticate(auth);
  const admin = [bearer, requireRole('admin')];
  const guards: Guards = { public: [], user: [bearer], admin, 'admin-action': [...admin, requireRecentSignIn(deps.services.recentAdmin)] };

  app.use(requestId);
  app.use(requestLogger(deps.logger));
  app.use(deps.metrics.middleware);
  app.use(securityHeaders());
  if (corsMiddleware) app.use(corsMiddleware);
  // /oauth parses its own form bodies and is mounted before the JSON parser, so a malformed or oversized
  // JSON body still gets an RFC 6749 error ({error, error_description}) instead of the API's shape. It applies
  // the per-IP limit itself (token and revoke; introspection is for services), so a 429 has the OAuth shape too.
  // The authorization code flow's browser endpoints and userinfo first: they answer with pages, redirects and
  // RFC 6750 errors, not the token endpoints' JSON errors.
  app.use(authorizeRoutes({ authorizations: deps.oauth.authorizations, codeGrant: deps.oauth.codeGrant, logout: deps.oauth.logout, auth, logger: deps.logger, guards, perAuthorizeRequest: deps.rateLimits.perAuthorizeRequest }));
  const registration = { registration: deps.oauth.registration, perClientRegistration: deps.rateLimits.perClientRegistration, issuer: deps.oauth.issuer };
  app.use(oauthRoutes({ clients: deps.oauth.clients, tokens: deps.oauth.tokens, codeGrant: deps.oauth.codeGrant, deviceGrant: deps.oauth.deviceGrant, logger: deps.logger, perIp, perAccount, guards, registration }));
  const features = { dynamic: deps.oauth.registration.enabled, metadataDocuments: deps.oauth.metadataDocuments };
  app.get('/.well-known/oauth-authorization-server', authorizationServerMetadata(deps.oauth.issuer, () => deps.oauth.clients.supportedScopes(), deps.oauth.resources, features));
  app.get('/.well-known/openid-configuration', openidConfiguration(deps.oauth.issuer, () => deps.oauth.clients.supportedScopes(), deps.oauth.resources, features));
  app.use(jsonBody(deps.http.bodyLimit));
  // Ahead of the session-activity stamp below: the hot reads stamp it themselves (`seen`).
  mountHotRoutes(app, hot, perIp);

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
  app.use('/api/auth/browser', perIp);
  mountEndpoints(app, browserAuthEndpoints({ auth, cookie, perAccount, trustedOrigins: corsOrigins ?? [] }), guards);
  // Ahead of /api/auth's own per-IP step, so a passkey sign-in of the page is counted once.
  mountEndpoints(app, browserPasskeyEndpoints({ auth, cookie, perAccount, trustedOrigins: corsOrigins ?? [] }), guards);
  // Last seen of a session (time, IP): stamped after the response, at most once a minute per session.
  app.use(['/api/user', '/api/admin'], recordSessionActivity(activity, deps.logger));
  app.get('/api/user/session-events', authenticate(auth), deps.web.sessionEvents.handler);
  // The per-IP limit counts every /api/auth request, whichever router or endpoint answers it.
  app.use('/api/auth', perIp);
  mountEndpoints(app, authEndpoints({ auth, perAccount }), guards);
  mountEndpoints(app, recoveryEndpoints({ recovery, logger: deps.logger, perMailRequest, perUser }), guards);
  const passkeyDeps = { passkeys, auth, perUser, perAccount };
  mountEndpoints(app, passkeyAuthEndpoints(passkeyDeps), guards);
  mountEndpoints(app, passkeyAccountEndpoints(passkeyDeps), guards);
  // Sign-in with upstream OpenID Connect providers (docs/federation.md); its callback counts per IP as /api/auth.
  const federationState = { maxAgeSeconds: deps.federationStateTtl ?? 600, overTls: cookie.behindProxy || cookie.httpsPublicUrl };
  mountEndpoints(app, federationEndpoints({ federation, logger: deps.logger, cookie, state: federationState, publicUrl: deps.http.publicUrl ?? null, perUser }), guards);
  mountEndpoints(app, twoFactorEndpoints({ twoFactor, perUser }), guards);
  mountEndpoints(app, trustedDeviceEndpoints({ trustedDevices }), guards);
  mountEndpoints(app, connectedAppEndpoints({ connectedApps: deps.oauth.connectedApps }), guards);
  mountEndpoints(app, userEndpoints({ users, auth, sessions, accountDeletion, perUser }), guards);
  app.use('/api/revocations', deps.revocationRoutes.router);
  mountEndpoints(app, oauthClientEndpoints({ clients: deps.oauth.clients }), guards);
  mountEndpoints(app, consentEndpoints({ authorizations: deps.oauth.authorizations, trustedOrigins: corsOrigins ?? [] }), guards);
  mountEndpoints(app, deviceEndpoints({ devices: deps.oauth.deviceGrant, trustedOrigins: corsOrigins ?? [], perUser }), guards);
  app.use('/api', docsRoutes());
  mountEndpoints(app, adminEndpoints({ users, twoFactor, adminConsole: deps.services.adminConsole }), guards);
  mountEndpoints(app, adminConsoleEndpoints({ adminConsole: deps.services.adminConsole }), guards);
  mountEndpoints(app, roleEndpoints({ roles: deps.services.roles }), guards);

  if (deps.web.distDir) app.use(webUi(deps.web.distDir));
  app.use(notFoundRoute);
  const answers = errorAnswers(deps.logger);
  app.use(errorHandler(deps.logger, answers));
  // Introspection is on the fast path too; in Express it is the declared endpoint (oauth.endpoints.ts, its form
  // parser and the /oauth router's error shape), which answers what the fast path leaves.
  const oauthHot = oauthHotRoutes({ clients: deps.oauth.clients, tokens: deps.oauth.tokens, logger: deps.logger });
  const listener = fastPath({
    routes: [...hot, ...oauthHot],
    fallback: app,
    trust: deps.http.trustProxy === undefined || deps.http.trustProxy === false ? null : (app.get('trust proxy fn') as (addr: string, i: number) => boolean),
    cors: corsMiddleware,
    bodyLimitBytes: simpleBytes(deps.http.bodyLimit) ?? 0,
    perIp: deps.rateLimits.perIpStep,
    errors: answers,
    logger: deps.logger,
    metrics: deps.metrics,
  });
  return { app, listener };
}
