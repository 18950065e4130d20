// What the admin console shows of one user (issue 28). Whitelisted field by field: no hash, secret, token,
// passkey public key or upstream subject ever leaves through this view.
import type { AdminUserDetails } from '../../domain/admin-console';
import { profile, securityEvent } from '../../http/mappers';
import { userAccessView } from '../roles/roles.mappers';

export const adminUserView = (d: AdminUserDetails) => ({
  user: profile(d.user),
  roles: userAccessView(d.access),
  twoFactor: { enabled: d.twoFactor.enabled, backupCodesRemaining: d.twoFactor.backupCodesRemaining },
  passkeys: d.passkeys,
  providers: d.providers.map((p) => ({ provider: p.provider, email: p.email, linkedAt: p.createdAt.toISOString() })),
  events: d.events.map(securityEvent),
});
