// Passkeys in the account settings: the list (name, added, last used, synced or bound to one device), adding
// one (the password when this sign-in is not recent), renaming and removing (the password again when asked).
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { dateTime, t } from '../i18n';
import { addPasskey, passkeysSupported } from '../passkeys';
import { Confirm, ErrorAlert, Field, FormCard, Status, useAction } from '../ui';

interface PasskeyView {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  deviceType: 'singleDevice' | 'multiDevice';
  synced: boolean;
}

const needsPassword = (err: unknown) => err instanceof ApiError && err.code === 'REAUTH_REQUIRED';

export function Passkeys() {
  const [passkeys, setPasskeys] = useState<PasskeyView[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [askPassword, setAskPassword] = useState(false);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [newName, setNewName] = useState('');
  const [removing, setRemoving] = useState<string | null>(null);

  const load = useAction(async () => {
    setPasskeys((await api<{ passkeys: PasskeyView[] }>('/api/user/passkeys')).passkeys);
  });
  useEffect(() => void load.run(), []);

  const reset = () => (setAdding(false), setName(''), setPassword(''), setAskPassword(false), setRenaming(null), setRemoving(null));

  const add = useAction(async () => {
    try {
      await addPasskey(askPassword ? password : null, name.trim() || null);
    } catch (err) {
      if (needsPassword(err)) setAskPassword(true);
      throw err;
    }
    reset();
    setMessage(t('passkeys.added'));
    await load.run();
  });
  const rename = useAction(async () => {
    await api(`/api/user/passkeys/${renaming}`, { method: 'PATCH', body: { name: newName } });
    reset();
    setMessage(t('passkeys.renamed'));
    await load.run();
  });
  const remove = useAction(async () => {
    try {
      await api(`/api/user/passkeys/${removing}`, { method: 'DELETE', body: askPassword ? { password } : {} });
    } catch (err) {
      if (needsPassword(err)) setAskPassword(true);
      throw err;
    }
    reset();
    setMessage(t('passkeys.removed'));
    await load.run();
  });

  return (
    <section aria-labelledby="passkeys-title">
      <h2 id="passkeys-title">{t('passkeys.title')}</h2>
      <p>{t('passkeys.intro')}</p>
      {message && <Status tone="success">{message}</Status>}
      <ErrorAlert error={load.error} />
      {passkeys === null ? (
        <p aria-busy="true">{t('common.loading')}</p>
      ) : passkeys.length === 0 ? (
        <p data-testid="passkeys-none">{t('passkeys.none')}</p>
      ) : (
        <ul class="trusted-devices passkeys">
          {passkeys.map((p) => (
            <li key={p.id} class="trusted-device passkey" data-passkey-id={p.id}>
              <strong>{p.name}</strong> <span class="badge">{p.synced ? t('passkeys.synced') : t('passkeys.deviceBound')}</span>
              <br />
              <small>
                {t('passkeys.addedAt', { time: dateTime(p.createdAt) })} · {p.lastUsedAt ? t('passkeys.lastUsed', { time: dateTime(p.lastUsedAt) }) : t('passkeys.neverUsed')}
              </small>
              {renaming === p.id ? (
                <FormCard submit={t('passkeys.save')} action={rename} onCancel={reset}>
                  <Field label={t('passkeys.name')} value={newName} onValue={setNewName} required maxLength={64} name="passkeyName" />
                </FormCard>
              ) : removing === p.id ? (
                <Confirm question={t('passkeys.removeQuestion', { name: p.name })} yes={t('passkeys.remove')} busy={remove.busy} onYes={() => void remove.run()} onCancel={() => (reset(), remove.setError(null))}>
                  {askPassword && <Field label={t('field.password')} type="password" value={password} onValue={setPassword} autoComplete="current-password" required />}
                  <ErrorAlert error={remove.error} />
                </Confirm>
              ) : (
                <div class="actions">
                  <button type="button" onClick={() => (reset(), setRenaming(p.id), setNewName(p.name))} aria-label={t('passkeys.renameNamed', { name: p.name })}>
                    {t('passkeys.rename')}
                  </button>
                  <button type="button" class="danger" onClick={() => (reset(), setRemoving(p.id), remove.setError(null))} aria-label={t('passkeys.removeNamed', { name: p.name })}>
                    {t('passkeys.remove')}
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {!passkeysSupported() ? (
        <p>{t('passkeys.unsupported')}</p>
      ) : adding ? (
        <FormCard title={t('passkeys.addTitle')} help={askPassword ? t('passkeys.passwordHelp') : t('passkeys.addHelp')} submit={t('passkeys.addConfirm')} action={add} onCancel={() => (reset(), add.setError(null))}>
          <Field label={t('passkeys.name')} value={name} onValue={setName} hint={t('passkeys.nameHint')} maxLength={64} name="newPasskeyName" />
          {askPassword && <Field label={t('field.password')} type="password" value={password} onValue={setPassword} autoComplete="current-password" required />}
        </FormCard>
      ) : (
        <button type="button" class="primary" onClick={() => (reset(), setAdding(true), setMessage(null))}>
          {t('passkeys.add')}
        </button>
      )}
    </section>
  );
}
