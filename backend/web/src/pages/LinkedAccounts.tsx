// Linked accounts in the account settings (docs/federation.md): the upstream providers linked to this account,
// linking another (the browser goes to the provider and comes back; the password when this sign-in is not
// recent) and unlinking (refused by the server when it is the last way to sign in).
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { federationErrorText, takeFederationOutcome, type FederationProvider } from '../federation';
import { dateTime, t } from '../i18n';
import { Confirm, ErrorAlert, Field, FormCard, Status, useAction } from '../ui';

interface Linked {
  provider: string;
  name: string;
  email: string | null;
  createdAt: string;
}

export function LinkedAccounts() {
  const [outcome] = useState(() => takeFederationOutcome('/account'));
  const [state, setState] = useState<{ providers: FederationProvider[]; linked: Linked[] } | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [linking, setLinking] = useState<FederationProvider | null>(null);
  const [password, setPassword] = useState('');
  const [unlinking, setUnlinking] = useState<string | null>(null);

  const load = useAction(async () => {
    setState(await api<{ providers: FederationProvider[]; linked: Linked[] }>('/api/user/federation'));
  });
  useEffect(() => void load.run(), []);
  const nameOf = (id: string) => state?.providers.find((p) => p.id === id)?.name ?? id;

  const link = useAction(async (provider: FederationProvider) => {
    try {
      const { url } = await api<{ url: string }>(`/api/user/federation/${encodeURIComponent(provider.id)}/link`, { method: 'POST', body: linking ? { password } : {} });
      location.assign(url);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'REAUTH_REQUIRED') setLinking(provider);
      throw err;
    }
  });
  const unlink = useAction(async () => {
    await api(`/api/user/federation/${encodeURIComponent(unlinking!)}`, { method: 'DELETE' });
    setUnlinking(null);
    setMessage(t('linked.unlinked'));
    await load.run();
  });

  if (state && state.providers.length === 0 && state.linked.length === 0) return null;
  const linkedIds = new Set(state?.linked.map((l) => l.provider));
  return (
    <section aria-labelledby="linked-title">
      <h2 id="linked-title">{t('linked.title')}</h2>
      <p>{t('linked.intro')}</p>
      {outcome?.linked && <Status tone="success">{t('linked.linked', { name: nameOf(outcome.linked) })}</Status>}
      {outcome?.error && (
        <p class="alert error" role="alert" data-testid="federation-error">
          {federationErrorText(outcome.error)}
        </p>
      )}
      {message && <Status tone="success">{message}</Status>}
      <ErrorAlert error={load.error} />
      {state === null ? (
        <p aria-busy="true">{t('common.loading')}</p>
      ) : state.linked.length === 0 ? (
        <p data-testid="linked-none">{t('linked.none')}</p>
      ) : (
        <ul class="trusted-devices linked-accounts">
          {state.linked.map((l) => (
            <li key={l.provider} class="trusted-device" data-provider={l.provider}>
              <strong>{l.name}</strong> {l.email && <span>{l.email}</span>}
              <br />
              <small>{t('linked.since', { time: dateTime(l.createdAt) })}</small>
              {unlinking === l.provider ? (
                <Confirm question={t('linked.unlinkQuestion', { name: l.name })} yes={t('linked.unlink')} busy={unlink.busy} onYes={() => void unlink.run()} onCancel={() => (setUnlinking(null), unlink.setError(null))}>
                  <ErrorAlert error={unlink.error} />
                </Confirm>
              ) : (
                <div class="actions">
                  <button type="button" class="danger" onClick={() => (setUnlinking(l.provider), setMessage(null), unlink.setError(null))} aria-label={t('linked.unlinkNamed', { name: l.name })}>
                    {t('linked.unlink')}
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {linking ? (
        <FormCard help={t('linked.passwordHelp', { name: linking.name })} submit={t('linked.continue', { name: linking.name })} action={{ ...link, run: () => void link.run(linking) }} onCancel={() => (setLinking(null), setPassword(''), link.setError(null))}>
          <Field label={t('field.password')} type="password" value={password} onValue={setPassword} autoComplete="current-password" required />
        </FormCard>
      ) : (
        <div class="actions">
          {state?.providers
            .filter((p) => !linkedIds.has(p.id))
            .map((p) => (
              <button key={p.id} type="button" onClick={() => void link.run(p)} disabled={link.busy} data-provider={p.id}>
                {t('linked.link', { name: p.name })}
              </button>
            ))}
          <ErrorAlert error={link.error && !(link.error instanceof ApiError && link.error.code === 'REAUTH_REQUIRED') ? link.error : null} />
        </div>
      )}
    </section>
  );
}
