// Admin: roles and permissions over /api/admin/roles (issue 28, docs/roles.md) — list with what each grants in
// all, define, change permissions and included roles, delete a custom role (confirmation first); and one
// user's roles: find by email, grant, take away (which signs them out when they lose anything).
import { useEffect, useState } from 'preact/hooks';
import { api, type User } from '../api';
import { t } from '../i18n';
import { UserRolesCard } from '../admin/UserRolesCard';
import { ADMIN_WORDING, Confirm, ErrorAlert, Field, FormCard, onSubmit, Page, Status, useAction } from '../ui';

interface RoleDefinition {
  name: string;
  description: string | null;
  builtIn: boolean;
  permissions: string[];
  includes: string[];
  effectivePermissions: string[];
}

/** Lists are typed space- or comma-separated. */
const list = (s: string) => s.split(/[\s,]+/).filter(Boolean);
const shown = (items: string[]) => (items.length ? items.join(' ') : '—');

function CreateForm({ created }: { created: (name: string) => Promise<void> }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [permissions, setPermissions] = useState('');
  const [includes, setIncludes] = useState('');
  const create = useAction(async () => {
    await api('/api/admin/roles', { method: 'POST', body: { name, description: description.trim() || null, permissions: list(permissions), includes: list(includes) } });
    setName('');
    setDescription('');
    setPermissions('');
    setIncludes('');
    await created(name);
  });
  return (
    <FormCard title={t('roles.create')} submit={t('roles.createSubmit')} action={create}>
      <Field label={t('roles.name')} value={name} onValue={setName} required maxLength={64} hint={t('roles.nameHint')} />
      <Field label={t('roles.description')} value={description} onValue={setDescription} maxLength={200} />
      <Field label={t('roles.permissions')} value={permissions} onValue={setPermissions} hint={t('roles.permissionsHint')} />
      <Field label={t('roles.includes')} value={includes} onValue={setIncludes} hint={t('roles.includesHint')} />
    </FormCard>
  );
}

function EditForm({ role, saved, cancel }: { role: RoleDefinition; saved: () => Promise<void>; cancel: () => void }) {
  const [permissions, setPermissions] = useState(role.permissions.join(' '));
  const [includes, setIncludes] = useState(role.includes.join(' '));
  const save = useAction(async () => {
    await api(`/api/admin/roles/${encodeURIComponent(role.name)}`, { method: 'PATCH', body: { permissions: list(permissions), includes: list(includes) } });
    await saved();
  });
  return (
    <FormCard title={t('roles.editNamed', { name: role.name })} help={t('roles.editHelp')} submit={t('roles.save')} action={save} onCancel={cancel}>
      <Field label={t('roles.permissions')} value={permissions} onValue={setPermissions} hint={t('roles.permissionsHint')} />
      <Field label={t('roles.includes')} value={includes} onValue={setIncludes} hint={t('roles.includesHint')} />
    </FormCard>
  );
}

/** One user's roles: find by email, then the shared card (grant from the defined roles, take away). */
function UserRolesPanel({ roles }: { roles: RoleDefinition[] }) {
  const [query, setQuery] = useState('');
  const [user, setUser] = useState<User | null>(null);
  const [notFound, setNotFound] = useState(false);

  const find = useAction(async () => {
    const wanted = query.trim().toLowerCase();
    const users = (await api<{ users: User[] }>(`/api/admin/users?${new URLSearchParams({ query: wanted })}`)).users;
    const match = users.find((u) => u.email === wanted) ?? (users.length === 1 ? users[0] : null);
    setNotFound(!match);
    setUser(match);
  });

  return (
    <section aria-labelledby="user-roles-title">
      <h2 id="user-roles-title">{t('roles.userTitle')}</h2>
      <form class="card" role="search" onSubmit={onSubmit(() => void find.run())}>
        <Field label={t('roles.userQuery')} type="search" inputMode="email" value={query} onValue={setQuery} required />
        <ErrorAlert error={find.error} />
        <div class="actions">
          <button type="submit" class="primary" disabled={find.busy}>
            {t('admin.search')}
          </button>
        </div>
      </form>
      {notFound && <p>{t('admin.noneFound')}</p>}
      {user && <UserRolesCard key={user.id} user={user} roleNames={roles.map((r) => r.name)} />}
    </section>
  );
}

export function Roles() {
  const [roles, setRoles] = useState<RoleDefinition[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);

  const load = useAction(async () => {
    setRoles((await api<{ roles: RoleDefinition[] }>('/api/admin/roles')).roles);
  });
  useEffect(() => void load.run(), []);
  const remove = useAction(async (name: string) => {
    await api(`/api/admin/roles/${encodeURIComponent(name)}`, { method: 'DELETE' });
    setConfirming(null);
    setMessage(t('roles.deleted', { name }));
    await load.run();
  });

  return (
    <Page title={t('roles.title')} wording={ADMIN_WORDING}>
      {message && <Status tone="success">{message}</Status>}
      <ErrorAlert error={load.error || remove.error} />
      <section aria-labelledby="roles-title">
        <h2 id="roles-title">{t('roles.defined')}</h2>
        {roles === null ? (
          <p aria-busy="true">{t('common.loading')}</p>
        ) : (
          <ul class="list">
            {roles.map((r) =>
              editing === r.name ? (
                <li key={r.name}>
                  <EditForm
                    role={r}
                    cancel={() => setEditing(null)}
                    saved={async () => {
                      setEditing(null);
                      setMessage(t('roles.saved', { name: r.name }));
                      await load.run();
                    }}
                  />
                </li>
              ) : (
                <li key={r.name} class="card" data-role={r.name}>
                  <div class="row">
                    <strong>{r.name}</strong>
                    {r.builtIn && <span class="badge">{t('roles.builtIn')}</span>}
                  </div>
                  {r.description && <p>{r.description}</p>}
                  <p class="meta">{t('roles.ownPermissions', { permissions: shown(r.permissions) })}</p>
                  <p class="meta">{t('roles.includesList', { roles: shown(r.includes) })}</p>
                  <p class="meta">{t('roles.grantsAll', { permissions: shown(r.effectivePermissions) })}</p>
                  {confirming === r.name ? (
                    <Confirm question={t('roles.confirmDelete', { name: r.name })} yes={t('roles.delete')} busy={remove.busy} onYes={() => void remove.run(r.name)} onCancel={() => setConfirming(null)} />
                  ) : (
                    <div class="actions">
                      <button type="button" onClick={() => (setMessage(null), setEditing(r.name))} aria-label={t('roles.editNamed', { name: r.name })}>
                        {t('roles.edit')}
                      </button>
                      {!r.builtIn && (
                        <button type="button" class="danger" onClick={() => setConfirming(r.name)} aria-label={t('roles.deleteNamed', { name: r.name })}>
                          {t('roles.delete')}
                        </button>
                      )}
                    </div>
                  )}
                </li>
              ),
            )}
          </ul>
        )}
      </section>
      <CreateForm
        created={async (name) => {
          setMessage(t('roles.created', { name }));
          await load.run();
        }}
      />
      {roles && <UserRolesPanel roles={roles} />}
    </Page>
  );
}
