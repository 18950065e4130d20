// Shapes of the admin API's client bodies; the rules on values (scopes, grants, lifetimes) are the domain's.
import { body, param, type ValidationChain } from 'express-validator';

const list = (field: string) =>
  body(field).optional().isArray({ max: 100 }).withMessage(`${field} must be a list of strings`).bail()
    .custom((v: unknown[]) => v.every((x) => typeof x === 'string')).withMessage(`${field} must be a list of strings`);
const ttl = (field: string) =>
  body(field).optional({ values: 'undefined' }).custom((v) => v === null || Number.isInteger(v)).withMessage(`${field} must be an integer (seconds) or null`);

export const clientIdParam = param('clientId').isString().isLength({ min: 1, max: 100 }).withMessage('clientId is invalid');

/** Scopes, redirect URIs and lifetimes: optional and checked alike on create and update. */
const optionalUrl = (field: string) =>
  body(field).optional({ values: 'undefined' }).custom((v) => v === null || typeof v === 'string').withMessage(`${field} must be a URL or null`);
const settingRules = (): ValidationChain[] => [
  list('allowedScopes'), list('defaultScopes'), list('redirectUris'), ttl('accessTokenTtl'), ttl('refreshTokenTtl'),
  list('postLogoutRedirectUris'), optionalUrl('backchannelLogoutUri'), optionalUrl('logoUri'), optionalUrl('clientUri'),
  body('tokenEndpointAuthMethod').optional({ values: 'undefined' }).custom((v) => v === null || ['client_secret_basic', 'client_secret_post', 'none'].includes(v))
    .withMessage('tokenEndpointAuthMethod must be client_secret_basic, client_secret_post, none or null'),
  body('requireConsent').optional().isBoolean({ strict: true }).withMessage('requireConsent must be a boolean'),
];

export const createClientRules: ValidationChain[] = [
  body('name').isString().withMessage('name is required').bail().trim().isLength({ min: 1, max: 100 }).withMessage('name must be 1-100 characters'),
  body('clientId').optional().isString().withMessage('clientId must be a string'),
  body('type').optional().isIn(['confidential', 'public']).withMessage('type must be confidential or public'),
  body('grantTypes').isArray({ min: 1 }).withMessage('grantTypes must be a non-empty list').bail()
    .custom((v: unknown[]) => v.every((x) => typeof x === 'string')).withMessage('grantTypes must be a list of strings'),
  ...settingRules(),
];

export const updateClientRules: ValidationChain[] = [
  clientIdParam,
  // Every field is optional, so without this a form, an array or no body at all would read as "change nothing".
  body().custom((v) => typeof v === 'object' && v !== null && !Array.isArray(v)).withMessage('the body must be a JSON object'),
  body('name').optional().isString().withMessage('name must be a string').bail().trim().isLength({ min: 1, max: 100 }).withMessage('name must be 1-100 characters'),
  body('grantTypes').optional().isArray({ min: 1 }).withMessage('grantTypes must be a non-empty list').bail()
    .custom((v: unknown[]) => v.every((x) => typeof x === 'string')).withMessage('grantTypes must be a list of strings'),
  ...settingRules(),
  body('active').optional().isBoolean({ strict: true }).withMessage('active must be a boolean'),
  body('clientId').not().exists().withMessage('clientId cannot be changed'),
  body('type').not().exists().withMessage('type cannot be changed'),
];

export const rotateSecretRules: ValidationChain[] = [
  clientIdParam,
  body('overlapSeconds').optional().isInt({ min: 0, max: 2_592_000 }).withMessage('overlapSeconds must be an integer from 0 to 2592000').toInt(),
];
