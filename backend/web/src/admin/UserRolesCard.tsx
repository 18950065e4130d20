// One user's roles in the admin screens (issue 28): what they hold in effect, the roles granted to them (each
// taken away after a confirmation; losing anything signs them out) and a grant from the defined roles. Used by
// the Roles page's user panel and by a user's page in the admin console.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { t } from '../i18n';
import { Confirm, ErrorAlert, onSubmit, Status, useAction } from '../ui';

interface UserRoles {
  userId: string;
  builtIn: 'user' | 'admin';
  assigned: string[];
  roles: string[];
  permissions: string[];
}

const shown = (items: string[]) => (items.length ? items.join(' ') : '—');

export function UserRolesCard({ user, roleNames, onChanged }: { user: { id: string; email: string }; roleNames: string[]; onChanged?: () => void }) {
  const [access, setAccess] = useState<UserRoles | null>(null);
  const [grantName, setGrantName] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const load = useAction(async () => setAccess(await api<UserRoles>(`/api/admin/users/${user.id}/roles`)));
  useEffect(() => void load.run(), [user.id]);

  const grant = useAction(async () => {
    if (!grantName) return;
    setAccess(await api<UserRoles>(`/api/admin/users/${user.id}/roles`, { method: 'POST', body: { role: grantName } }));
    setMessage(t('roles.granted', { name: grantName, email: user.email }));
    setGrantName('');
    onChanged?.();
  });
  const revoke = useAction(async (name: string) => {
    setAccess(await api<UserRoles>(`/api/admin/users/${user.id}/roles/${encodeURIComponent(name)}`, { method: 'DELETE' }));
    setConfirming(null);
    setMessage(t('roles.revoked', { name, email: user.email }));
    onChanged?.();
  });
  const held = access ? [...(access.builtIn === 'admin' ? ['admin'] : []), ...access.assigned] : [];
  const grantable = roleNames.filter((name) => name !== 'user' && !held.includes(name));

  return (
    <>
      {message && <Status tone="success">{message}</Status>}
      <ErrorAlert error={load.error || grant.error || revoke.error} />
      {access && (
        <div class="card" data-user-roles={user.email}>
          <div class="row">
            <strong>{user.email}</strong>
            <span class="badge">{access.builtIn}</span>
          </div>
          <p class="meta">{t('roles.effectiveRoles', { roles: shown(access.roles) })}</p>
          <p class="meta">{t('roles.effectivePermissions', { permissions: shown(access.permissions) })}</p>
          {held.length > 0 && (
            <ul class="list" aria-label={t('roles.heldNamed', { email: user.email })}>
              {held.map((name) => (
                <li key={name} class="row">
                  <code>{name}</code>
                  {confirming === name ? (
                    <Confirm question={t('roles.confirmRevoke', { name, email: user.email })} yes={t('roles.revoke')} busy={revoke.busy} onYes={() => void revoke.run(name)} onCancel={() => setConfirming(null)} />
                  ) : (
                    <button type="button" onClick={() => setConfirming(name)} aria-label={t('roles.revokeNamed', { name })}>
                      {t('roles.revoke')}
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
          {grantable.length > 0 && (
            <form class="row" onSubmit={onSubmit(() => void grant.run())}>
              <div class="field">
                <label for={`grant-role-${user.id}`}>{t('roles.grantRole')}</label>
                <select id={`grant-role-${user.id}`} value={grantName} onChange={(e) => setGrantName(e.currentTarget.value)} required>
                  <option value="">{t('roles.choose')}</option>
                  {grantable.map((name) => (
                    <option key={name} value={name}>
                      {name}
                    </option>
                  ))}
                </select>
              </div>
              <button type="submit" class="primary" disabled={grant.busy || !grantName}>
                {t('roles.grant')}
              </button>
            </form>
          )}
        </div>
      )}
    </>
  );
}
