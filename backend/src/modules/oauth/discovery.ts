// GET /.well-known/openid-configuration (OpenID Connect Discovery 1.0 §3): the RFC 8414 document
// (oauth.routes.ts serverMetadata) plus the OpenID Provider fields, so the two never disagree.
import type { RequestHandler } from 'express';
import { ACR_VALUES, CLAIMS_SUPPORTED } from '../../domain/oauth/oidc';
import { serverMetadata, type RegistrationFeatures } from './oauth.routes';

export function openidConfiguration(issuerOf: string | (() => string), scopes: () => Promise<string[]>, resources: readonly string[] = [], registration?: RegistrationFeatures): RequestHandler {
  return async (_req, res) => {
    const issuer = typeof issuerOf === 'string' ? issuerOf : issuerOf();
    const base = issuer.replace(/\/+$/, '');
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json({
      ...(await serverMetadata(issuer, scopes, resources, registration)),
      userinfo_endpoint: `${base}/oauth/userinfo`,
      end_session_endpoint: `${base}/oauth/end-session`,
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      claims_supported: CLAIMS_SUPPORTED,
      acr_values_supported: ACR_VALUES,
      prompt_values_supported: ['none', 'login', 'consent'],
      claims_parameter_supported: false,
      request_parameter_supported: false,
      request_uri_parameter_supported: false,
      ui_locales_supported: ['en', 'ru'],
    });
  };
}
