// Shapes of the admin API's client bodies (http/fields.ts); the rules on values (scopes, grants, redirect
// URIs, lifetimes) are the domain's, which checks them whatever the shape let through.
import type { RequestHandler } from 'express';
import { Errors } from '../../domain/errors';
import type { GrantType, OAuthClientType, TokenEndpointAuthMethod } from '../../domain/oauth/types';
import { field } from '../../http/fields';

const stringList = () => field<string[] | undefined>((c, name) => c.optional().isArray({ max: 100 }).withMessage(`${name} must be a list of strings`).bail()
  .custom((v: unknown[]) => v.every((x) => typeof x === 'string')).withMessage(`${name} must be a list of strings`));
const ttl = () => field<number | null | undefined>((c, name) => c.optional({ values: 'undefined' }).custom((v) => v === null || Number.isInteger(v)).withMessage(`${name} must be an integer (seconds) or null`));
const optionalUrl = () => field<string | null | undefined>((c, name) => c.optional({ values: 'undefined' }).custom((v) => v === null || typeof v === 'string').withMessage(`${name} must be a URL or null`));
/** Grant names are the domain's to check; here a non-empty list of strings. */
const grants = () => field<GrantType[]>((c, name) => c.isArray({ min: 1 }).withMessage(`${name} must be a non-empty list`).bail()
  .custom((v: unknown[]) => v.every((x) => typeof x === 'string')).withMessage(`${name} must be a list of strings`));

export const clientPath = { clientId: field<string>((c, name) => c.isString().isLength({ min: 1, max: 100 }).withMessage(`${name} is invalid`)) };

/** Scopes, redirect URIs and lifetimes: optional and checked alike on create and update. */
const settings = {
  allowedScopes: stringList(), defaultScopes: stringList(), redirectUris: stringList(),
  accessTokenTtl: ttl(), refreshTokenTtl: ttl(),
  postLogoutRedirectUris: stringList(), backchannelLogoutUri: optionalUrl(), logoUri: optionalUrl(), clientUri: optionalUrl(),
  tokenEndpointAuthMethod: field<TokenEndpointAuthMethod | null | undefined>((c, name) => c.optional({ values: 'undefined' })
    .custom((v) => v === null || ['client_secret_basic', 'client_secret_post', 'none'].includes(v as string))
    .withMessage(`${name} must be client_secret_basic, client_secret_post, none or null`)),
  requireConsent: field<boolean | undefined>((c, name) => c.optional().isBoolean({ strict: true }).withMessage(`${name} must be a boolean`)),
};

export const createClientBody = {
  name: field<string>((c, name) => c.isString().withMessage(`${name} is required`).bail().trim().isLength({ min: 1, max: 100 }).withMessage(`${name} must be 1-100 characters`)),
  clientId: field<string | undefined>((c, name) => c.optional().isString().withMessage(`${name} must be a string`)),
  type: field<OAuthClientType | undefined>((c, name) => c.optional().isIn(['confidential', 'public']).withMessage(`${name} must be confidential or public`)),
  grantTypes: grants(),
  ...settings,
};

export const updateClientBody = {
  name: field<string | undefined>((c, name) => c.optional().isString().withMessage(`${name} must be a string`).bail().trim().isLength({ min: 1, max: 100 }).withMessage(`${name} must be 1-100 characters`)),
  grantTypes: field<GrantType[] | undefined>((c, name) => c.optional().isArray({ min: 1 }).withMessage(`${name} must be a non-empty list`).bail()
    .custom((v: unknown[]) => v.every((x) => typeof x === 'string')).withMessage(`${name} must be a list of strings`)),
  ...settings,
  active: field<boolean | undefined>((c, name) => c.optional().isBoolean({ strict: true }).withMessage(`${name} must be a boolean`)),
  clientId: field<undefined>((c, name) => c.not().exists().withMessage(`${name} cannot be changed`)),
  type: field<undefined>((c, name) => c.not().exists().withMessage(`${name} cannot be changed`)),
};

/** Every field of an update is optional: without this a form, an array or no body at all would read as "change nothing". */
export const objectBodyRequired: RequestHandler = (req, _res, next) => {
  const b: unknown = req.body;
  next(typeof b === 'object' && b !== null && !Array.isArray(b) ? undefined : Errors.validation([{ field: 'body', message: 'the body must be a JSON object' }]));
};

export const rotateSecretBody = {
  overlapSeconds: field<number | undefined>((c, name) => c.optional().isInt({ min: 0, max: 2_592_000 }).withMessage(`${name} must be an integer from 0 to 2592000`).toInt()),
};
