// One declaration per endpoint: method, path, who may call it, the typed input rules (fields.ts), the rate
// limits, its operation in docs/openapi.yaml and the handler — in the feature's module (`<feature>.endpoints.ts`),
// mounted by the app in one place (mountEndpoints). The cross-cutting steps every endpoint needs are applied
// here, once: authentication and role, input checking (contract error shape), limits, and the one retry of a
// safe read after a dropped database connection. Model: better-auth's createAuthEndpoint.
import type { Request, RequestHandler, Response, Router } from 'express';
import type { ValidationChain } from 'express-validator';
import type { DomainError } from '../domain/errors';
import { chainsOf, type InputOf, type Shape } from './fields';
import { retryReadOnce } from './safe-read';
import { validate } from './validate';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who may call: anyone, a signed-in user (bearer access token), a signed-in administrator, or an
 * administrator changing something (`admin-action`: also a recent sign-in, with the second factor when the
 * admin uses 2FA — domain/admin-reauth.ts). Every non-GET /api/admin route is an `admin-action`.
 */
export type Access = 'public' | 'user' | 'admin' | 'admin-action';

/** The request as the handler sees it: params, body and query typed by the endpoint's rules. */
export type EndpointRequest<B extends Shape | undefined, Q extends Shape | undefined, P extends Shape | undefined> =
  Request<InputOf<P>, unknown, InputOf<B>, InputOf<Q>>;

export interface EndpointSpec<B extends Shape | undefined, Q extends Shape | undefined, P extends Shape | undefined> {
  method: Method;
  /** The Express path (`:name` for a parameter); docs/openapi.yaml spells it `{name}`. */
  path: string;
  /** The operation's id in docs/openapi.yaml (a test holds the document to it, route by route). */
  operationId: string;
  access: Access;
  /**
   * Refusals that come before even the access check: a cross-site request is refused as such (403) whether or
   * not it carries credentials, so a forged form post cannot learn anything from a 401.
   */
  beforeAccess?: readonly RequestHandler[];
  /** Refusals that come before anything else runs, even the input check (a cross-site request). */
  pre?: readonly RequestHandler[];
  params?: P;
  body?: B;
  query?: Q;
  /** Rules across fields (e.g. "exactly one of code or backupCode"), run after the field rules. */
  checks?: ValidationChain[];
  /** The answer for path parameters that fail their rules, where the contract wants one (an id that cannot exist: 404). */
  invalidParams?: () => DomainError;
  /** Steps after the input check and before the handler: limits keyed by checked fields (email, user). */
  limits?: readonly RequestHandler[];
  /**
   * false for a GET that changes state (OIDC's end-session signs out, an authorization request is stored):
   * it is not tried again after a dropped database connection, as safe reads are.
   */
  retryRead?: false;
  handler: (req: EndpointRequest<B, Q, P>, res: Response) => Promise<void> | void;
}

/** A declared endpoint, its types erased: what mountEndpoints registers. */
export interface Endpoint {
  readonly method: Method;
  readonly path: string;
  readonly operationId: string;
  readonly access: Access;
  /** Refusals before the access guard (EndpointSpec.beforeAccess). */
  readonly beforeAccess: readonly RequestHandler[];
  /** Early refusals, input checks and limits, in order (after the access guard). */
  readonly steps: readonly RequestHandler[];
  readonly handler: RequestHandler;
}

export function endpoint<B extends Shape | undefined = undefined, Q extends Shape | undefined = undefined, P extends Shape | undefined = undefined>(
  spec: EndpointSpec<B, Q, P>,
): Endpoint {
  const steps: RequestHandler[] = [...(spec.pre ?? [])];
  // Path first, with its own answer: an id that cannot exist names nothing (404), before the body is judged.
  if (spec.params) steps.push(...validate(chainsOf(spec.params, 'params'), spec.invalidParams));
  const input = [...chainsOf(spec.body, 'body'), ...chainsOf(spec.query, 'query'), ...(spec.checks ?? [])];
  // No body at all reads as an empty one, so the handler's typed body is always there (optional fields unset).
  if (spec.body) steps.push(emptyBodyIfNone);
  if (input.length > 0) steps.push(...validate(input));
  steps.push(...(spec.limits ?? []));
  const handler = spec.handler as unknown as (req: Request, res: Response) => Promise<void> | void;
  return {
    method: spec.method,
    path: spec.path,
    operationId: spec.operationId,
    access: spec.access,
    beforeAccess: spec.beforeAccess ?? [],
    steps,
    // A GET has no side effect to repeat: tried once more when the database connection dropped under it.
    handler: spec.method === 'GET' && spec.retryRead !== false ? retryReadOnce(handler) : (handler as RequestHandler),
  };
}

const emptyBodyIfNone: RequestHandler = (req, _res, next) => {
  req.body ??= {};
  next();
};

/** The steps that establish who calls, per Access (built by the app from AuthService). */
export type Guards = Record<Access, readonly RequestHandler[]>;

/** Marks a route with its operation id, which the route table (route-table.ts) reports. */
export const OPERATION_ID = Symbol('operationId');

/** Registers endpoints on an app or router, in the order given (a literal path before a parameter). */
export function mountEndpoints(router: Pick<Router, 'route'>, endpoints: readonly Endpoint[], guards: Guards): void {
  for (const e of endpoints) {
    const route = router.route(e.path) as ReturnType<Router['route']> & { [OPERATION_ID]?: Record<string, string> };
    (route[OPERATION_ID] ??= {})[e.method] = e.operationId;
    const verb = e.method.toLowerCase() as Lowercase<Method>;
    route[verb](...e.beforeAccess, ...guards[e.access], ...e.steps, e.handler);
  }
}
