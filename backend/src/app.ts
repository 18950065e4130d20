// createApp(deps): the Express application, with every collaborator passed in (built by container.ts).
import cors from 'cors';
import express, { type RequestHandler, type Router } from 'express';
import type { AuthService } from './domain/auth.service';
import type { SessionService } from './domain/session.service';
import type { TwoFactorService } from './domain/two-factor.service';
import type { UserService } from './domain/user.service';
import type { Logger } from './infrastructure/logger';
import type { PublicJwk } from './infrastructure/crypto/signing-keys';
import { adminRoutes } from './modules/admin/admin.routes';
import { docsRoutes } from './modules/docs/docs.routes';
import { authRoutes, validateRoute } from './modules/auth/auth.routes';
import { browserAuthRoutes } from './modules/browser/browser-auth.routes';
import type { SessionEventHub } from './modules/browser/session-events';
import { authenticate } from './modules/http/authenticate';
import { webUi } from './modules/web/web-ui';
import { errorHandler, notFoundRoute } from './modules/http/errors';
import { jsonBody } from './modules/http/json-body';
import { requestId } from './modules/http/request-id';
import { requestLogger } from './modules/http/request-logger';
import { securityHeaders } from './modules/http/security-headers';
import './modules/http/types';
import { authorizationServerMetadata, oauthRoutes } from './modules/oauth/oauth.routes';
import { oauthClientRoutes } from './modules/oauth/oauth-clients.routes';
import type { OAuthClientService } from './domain/oauth/client.service';
import type { OAuthTokenService } from './domain/oauth/token.service';
import type { RevocationRoutes } from './modules/revocations/revocations.routes';
import { userRoutes } from './modules/user/user.routes';

export interface AppDeps {
  logger: Logger;
  auth: AuthService;
  users: UserService;
  sessions: SessionService;
  jwks: () => { keys: PublicJwk[] };
  /** True when the database answers. */
  databaseUp: () => Promise<boolean>;
  trustProxy?: boolean | number | string;
  /** Origins allowed to call cross-origin with credentials headers; none = no CORS headers at all. */
  corsOrigins?: string[] | null;
  bodyLimit?: string;
  /** The OAuth authorization server (/oauth/*, RFC 8414 metadata) and the client registry's admin API. */
  oauth: { clients: OAuthClientService; tokens: OAuthTokenService; issuer: string };
  /** Per-IP limit for /api/auth/* and /oauth/token; per-account limit for login and 2FA. */
  rateLimits?: { perIp: RequestHandler; perAccount: RequestHandler; perUser: RequestHandler };
  twoFactorRoutes?: Router;
  /** For the admin's 2FA reset (recovery). */
  twoFactor?: TwoFactorService;
  /** Prometheus: a timing middleware and the /metrics handler. */
  metrics?: { middleware: RequestHandler; handler: RequestHandler };
  /** The revocation feed for other services (/api/revocations/stream). */
  revocationRoutes?: RevocationRoutes;
  /** The account web app: its build folder (null = WEB_UI=off), refresh-cookie lifetime, forced-logout stream. */
  web?: { distDir: string | null; refreshCookieMaxAge: number; sessionEvents: SessionEventHub };
}

export function createApp(deps: AppDeps) {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  if (deps.trustProxy !== undefined) app.set('trust proxy', deps.trustProxy);

  app.use(requestId);
  app.use(requestLogger(deps.logger));
  if (deps.metrics) app.use(deps.metrics.middleware);
  app.use(securityHeaders());
  if (deps.corsOrigins?.length) {
    // Bearer tokens travel in the Authorization header, never in cookies: no credentials mode needed.
    app.use(
      cors({
        origin: deps.corsOrigins,
        allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
        exposedHeaders: ['X-Request-Id', 'Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'RateLimit-Policy'],
        maxAge: 600,
      }),
    );
  }
  // Ahead of everything below: the hottest route, no body to parse, and (being mounted before the
  // /api/auth limiter) exempt from the per-IP limit, since relying services call it from a few addresses.
  app.get('/api/auth/validate', validateRoute(deps.auth));
  // /oauth parses its own form bodies and is mounted before the JSON parser, so a malformed or oversized
  // JSON body still gets an RFC 6749 error ({error, error_description}) instead of the API's shape. It applies
  // the per-IP limit itself (token and revoke; introspection is for services), so a 429 has the OAuth shape too.
  const perIp = deps.rateLimits ? [deps.rateLimits.perIp] : [];
  app.use(
    '/oauth',
    oauthRoutes({ clients: deps.oauth.clients, tokens: deps.oauth.tokens, logger: deps.logger, ipLimit: deps.rateLimits?.perIp, accountLimit: deps.rateLimits?.perAccount }),
  );
  app.get('/.well-known/oauth-authorization-server', authorizationServerMetadata(deps.oauth.issuer, () => deps.oauth.clients.supportedScopes()));
  app.use(jsonBody(deps.bodyLimit ?? '16kb'));

  app.get('/health', async (_req, res) => {
    const up = await deps.databaseUp().catch(() => false);
    res.status(up ? 200 : 503).json({ status: up ? 'ok' : 'degraded', database: up ? 'up' : 'down', uptimeSeconds: Math.round(process.uptime()) });
  });
  app.get('/.well-known/jwks.json', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(deps.jwks());
  });
  if (deps.metrics) app.get('/metrics', deps.metrics.handler);

  if (deps.web) {
    // Cookie-based variants for the web page, ahead of /api/auth (which would otherwise see the paths first).
    const cookie = { maxAgeSeconds: deps.web.refreshCookieMaxAge, behindProxy: deps.trustProxy !== undefined && deps.trustProxy !== false };
    app.use('/api/auth/browser', ...perIp, browserAuthRoutes({ auth: deps.auth, cookie, accountLimit: deps.rateLimits?.perAccount, trustedOrigins: deps.corsOrigins ?? [] }));
    app.get('/api/user/session-events', authenticate(deps.auth), deps.web.sessionEvents.handler);
  }
  app.use('/api/auth', ...perIp, authRoutes({ auth: deps.auth, accountLimit: deps.rateLimits?.perAccount }));
  app.use('/api/user', userRoutes({ users: deps.users, auth: deps.auth, sessions: deps.sessions, twoFactor: deps.twoFactorRoutes, attemptLimit: deps.rateLimits?.perUser }));
  if (deps.revocationRoutes) app.use('/api/revocations', deps.revocationRoutes.router);
  app.use('/api/admin/oauth-clients', oauthClientRoutes({ clients: deps.oauth.clients, auth: deps.auth }));
  app.use('/api', docsRoutes());
  app.use('/api/admin', adminRoutes({ users: deps.users, auth: deps.auth, twoFactor: deps.twoFactor }));

  if (deps.web?.distDir) app.use(webUi(deps.web.distDir));
  app.use(notFoundRoute);
  app.use(errorHandler(deps.logger));
  return app;
}
