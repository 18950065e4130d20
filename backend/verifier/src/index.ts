// @sessionary/verifier: verify Sessionary access tokens in other Node services.
import { expressHelpers, type ExpressHelpers, type ExpressOptions } from './express.js';
import { createTokenVerifier, type Verifier, type VerifierOptions } from './verifier.js';

export type SessionaryVerifier = Verifier & ExpressHelpers;

/**
 * A verifier with its Express helpers: `verify(token)` for any framework or transport, and
 * `requireAuth()`, `requireScope()`, `requireRole()`, `requirePolicy()`, `requirePermission()`,
 * `requireAnyPermission()` for Express.
 */
export function createVerifier(options: VerifierOptions & ExpressOptions): SessionaryVerifier {
  const core = createTokenVerifier(options);
  return Object.assign(core, expressHelpers(core, options));
}

export { createTokenVerifier, scopesOf, type Verifier, type VerifierOptions, type VerifiedClaims } from './verifier.js';
export { expressHelpers, authOf, bearerToken, sendVerifierError, type AuthenticatedRequest, type ExpressHelpers, type ExpressOptions } from './express.js';
export {
  protectedResourceMetadata,
  protectedResourceMetadataUrl,
  type ProtectedResource,
  type ProtectedResourceMetadata,
  type ProtectedResourceOptions,
} from './protected-resource.js';
export { VerifierError, isVerifierError, type VerifierErrorCode } from './errors.js';
export { aalAtLeast, allOf, anyOf, during, fromNetworks, ownerOf, type Policy } from './policies.js';
export { decidePermissions, denialLine, grants, permissionsOf, type PermissionDecision, type PermissionLookup } from './permissions.js';
export { createRevocationFeed, type RevocationFeed, type RevocationFeedOptions, type RevocationView, type RevocationWire } from './revocations.js';
