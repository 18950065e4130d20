// The design's token-endpoint metrics (issue 30): auth_token_requests_total{route, grant_type, outcome} and
// auth_token_request_duration_seconds{route, grant_type}, for every route that issues tokens. Labels are
// route templates and fixed words only — never a user id, an email or an address (cardinality and privacy):
// a grant_type the server does not know is counted as "other".
import { Counter, Histogram, type Registry } from 'prom-client';

/** The routes that issue tokens, with the grant they stand for (/oauth/token names its own in the body). */
const TOKEN_ROUTES: ReadonlyMap<string, string | null> = new Map([
  ['/api/auth/login', 'password'],
  ['/api/auth/login/2fa', 'mfa'],
  ['/api/auth/refresh', 'refresh_token'],
  ['/api/auth/browser/login', 'password'],
  ['/api/auth/browser/login/2fa', 'mfa'],
  ['/api/auth/browser/refresh', 'refresh_token'],
  ['/oauth/token', null],
]);

const KNOWN_GRANTS = new Set(['password', 'refresh_token', 'client_credentials', 'authorization_code', 'urn:ietf:params:oauth:grant-type:device_code', 'urn:ietf:params:oauth:grant-type:token-exchange']);

export type TokenOutcome = 'success' | 'failure' | 'rate_limited' | 'error';

export function outcomeOf(status: number): TokenOutcome {
  if (status < 400) return 'success';
  if (status === 429) return 'rate_limited';
  return status >= 500 ? 'error' : 'failure';
}

/** The grant_type label for a request to `route` whose body is `body` (null when `route` issues no tokens). */
export function grantTypeOf(route: string, body: unknown): string | null {
  const fixed = TOKEN_ROUTES.get(route);
  if (fixed !== null) return fixed ?? null;
  const grant = body && typeof body === 'object' ? (body as Record<string, unknown>).grant_type : undefined;
  if (typeof grant !== 'string' || grant === '') return 'none';
  return KNOWN_GRANTS.has(grant) ? grant : 'other';
}

export class TokenMetrics {
  private readonly requests: Counter<'route' | 'grant_type' | 'outcome'>;
  private readonly duration: Histogram<'route' | 'grant_type'>;

  constructor(registry: Registry) {
    this.requests = new Counter({
      name: 'auth_token_requests_total',
      help: 'Requests to the routes that issue tokens, by route template, grant type and outcome (success, failure, rate_limited, error)',
      labelNames: ['route', 'grant_type', 'outcome'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'auth_token_request_duration_seconds',
      help: 'Latency of the routes that issue tokens, by route template and grant type',
      labelNames: ['route', 'grant_type'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5],
      registers: [registry],
    });
  }

  /** One answered request; routes that issue no tokens are ignored (one Map lookup). */
  observe(route: string, status: number, seconds: number, body?: unknown): void {
    if (!TOKEN_ROUTES.has(route)) return;
    const grant = grantTypeOf(route, body) ?? 'none';
    this.requests.inc({ route, grant_type: grant, outcome: outcomeOf(status) });
    this.duration.observe({ route, grant_type: grant }, seconds);
  }
}
