// Admin: the OAuth client registry over /api/admin/oauth-clients — list, register (the secret is shown once,
// with copy), rotate a secret (the new one shown once; the old one may keep working for the overlap or end
// now), deactivate (ends the client's sessions; confirmation first).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { dateTime, t } from '../i18n';
import { ADMIN_WORDING, Check, Confirm, ErrorAlert, Field, FormCard, Page, Status, useAction, useCopy } from '../ui';

const GRANTS = ['authorization_code', 'client_credentials', 'password', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'] as const;
type Grant = (typeof GRANTS)[number];

interface OAuthClient {
  clientId: string;
  name: string;
  type: 'confidential' | 'public';
  grantTypes: Grant[];
  allowedScopes: string[];
  defaultScopes: string[];
  active: boolean;
  /** static (this page, the CLI), dynamic (RFC 7591) or metadata_document (a client_id URL). */
  registration?: 'static' | 'dynamic' | 'metadata_document';
  previousSecretExpiresAt: string | null;
  createdAt: string;
}

/** Scopes are typed space- or comma-separated. */
const scopeList = (s: string) => s.split(/[\s,]+/).filter(Boolean);

/** A secret the server returned: shown here once, never again (the server keeps only its hash). */
function SecretOnce({ clientId, secret, done }: { clientId: string; secret: string; done: () => void }) {
  const { copied, copy } = useCopy(secret);
  return (
    <section class="card" aria-labelledby="secret-title">
      <h2 id="secret-title">{t('clients.secretTitle', { clientId })}</h2>
      <Status tone="warning">{t('clients.secretOnce')}</Status>
      <p>
        <code class="secret" data-secret>
          {secret}
        </code>
      </p>
      <div class="actions">
        <button type="button" onClick={() => void copy()}>
          {t('clients.copy')}
        </button>
        <button type="button" class="primary" onClick={done}>
          {t('clients.stored')}
        </button>
      </div>
      {copied && <Status tone="success">{t('clients.copied')}</Status>}
    </section>
  );
}

function CreateForm({ created }: { created: (c: OAuthClient, secret: string | null) => Promise<void> }) {
  const [name, setName] = useState('');
  const [type, setType] = useState<OAuthClient['type']>('confidential');
  const [grants, setGrants] = useState<Grant[]>(['client_credentials']);
  const [scopes, setScopes] = useState('');
  const [defaults, setDefaults] = useState('');
  const [redirects, setRedirects] = useState('');
  const [postLogout, setPostLogout] = useState('');
  const [backchannel, setBackchannel] = useState('');
  const [firstParty, setFirstParty] = useState(false);
  const toggle = (g: Grant, on: boolean) => setGrants((all) => (on ? [...all, g] : all.filter((x) => x !== g)));
  const create = useAction(async () => {
    const body = {
      name,
      type,
      grantTypes: grants,
      allowedScopes: scopeList(scopes),
      defaultScopes: scopeList(defaults),
      redirectUris: scopeList(redirects),
      postLogoutRedirectUris: scopeList(postLogout),
      ...(backchannel.trim() ? { backchannelLogoutUri: backchannel.trim() } : {}),
      // Unticked: the server's default (third party, unless the password grant marks a first-party app).
      ...(firstParty ? { requireConsent: false } : {}),
    };
    const res = await api<{ client: OAuthClient; clientSecret: string | null }>('/api/admin/oauth-clients', { method: 'POST', body });
    setName('');
    setScopes('');
    setDefaults('');
    setRedirects('');
    setPostLogout('');
    setBackchannel('');
    await created(res.client, res.clientSecret);
  });
  return (
    <FormCard title={t('clients.create')} submit={t('clients.createSubmit')} action={create}>
      <Field label={t('clients.name')} value={name} onValue={setName} required maxLength={100} />
      <div class="field">
        <label for="client-type">{t('clients.type')}</label>
        <select id="client-type" value={type} onChange={(e) => setType((e.currentTarget).value as OAuthClient['type'])}>
          <option value="confidential">{t('clients.type.confidential')}</option>
          <option value="public">{t('clients.type.public')}</option>
        </select>
      </div>
      <fieldset class="field">
        <legend>{t('clients.grants')}</legend>
        {GRANTS.map((g) => (
          <Check key={g} checked={grants.includes(g)} onChecked={(on) => toggle(g, on)}>
            <code>{g}</code>
          </Check>
        ))}
      </fieldset>
      <Field label={t('clients.scopes')} value={scopes} onValue={setScopes} hint={t('clients.scopesHint')} />
      <Field label={t('clients.defaultScopes')} value={defaults} onValue={setDefaults} hint={t('clients.defaultScopesHint')} />
      <Field label={t('clients.redirectUris')} value={redirects} onValue={setRedirects} hint={t('clients.urisHint')} />
      <Field label={t('clients.postLogoutUris')} value={postLogout} onValue={setPostLogout} hint={t('clients.urisHint')} />
      <Field label={t('clients.backchannelUri')} value={backchannel} onValue={setBackchannel} />
      <Check checked={firstParty} onChecked={setFirstParty}>
        {t('clients.firstParty')}
      </Check>
    </FormCard>
  );
}

export function OAuthClients() {
  const [clients, setClients] = useState<OAuthClient[] | null>(null);
  const [secret, setSecret] = useState<{ clientId: string; secret: string } | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [endOldNow, setEndOldNow] = useState(false);

  const load = useAction(async () => {
    setClients((await api<{ clients: OAuthClient[] }>('/api/admin/oauth-clients')).clients);
  });
  useEffect(() => void load.run(), []);

  const created = async (c: OAuthClient, s: string | null) => {
    setMessage(t('clients.created', { clientId: c.clientId }));
    setSecret(s ? { clientId: c.clientId, secret: s } : null);
    await load.run();
  };
  const rotate = useAction(async (c: OAuthClient) => {
    const res = await api<{ client: OAuthClient; clientSecret: string }>(`/api/admin/oauth-clients/${encodeURIComponent(c.clientId)}/rotate-secret`, {
      method: 'POST',
      body: endOldNow ? { overlapSeconds: 0 } : {},
    });
    setConfirming(null);
    setEndOldNow(false);
    setMessage(res.client.previousSecretExpiresAt ? t('clients.rotated', { clientId: c.clientId, until: dateTime(res.client.previousSecretExpiresAt) }) : t('clients.rotatedNow', { clientId: c.clientId }));
    setSecret({ clientId: c.clientId, secret: res.clientSecret });
    await load.run();
  });
  const deactivate = useAction(async (c: OAuthClient) => {
    const res = await api<{ sessionsRevoked: number }>(`/api/admin/oauth-clients/${encodeURIComponent(c.clientId)}/deactivate`, { method: 'POST', body: {} });
    setConfirming(null);
    setMessage(t('clients.deactivated', { clientId: c.clientId, count: res.sessionsRevoked }));
    await load.run();
  });

  return (
    <Page title={t('clients.title')} wording={ADMIN_WORDING}>
      {message && <Status tone="success">{message}</Status>}
      {secret && <SecretOnce {...secret} done={() => setSecret(null)} />}
      <ErrorAlert error={load.error || rotate.error || deactivate.error} />
      <section aria-labelledby="clients-title">
        <h2 id="clients-title">{t('clients.registered')}</h2>
        {clients === null ? (
          <p aria-busy="true">{t('common.loading')}</p>
        ) : clients.length === 0 ? (
          <p>{t('clients.none')}</p>
        ) : (
          <ul class="list">
            {clients.map((c) => (
              <li key={c.clientId} class="card" data-client-id={c.clientId}>
                <div class="row">
                  <strong>{c.name}</strong>
                  <code>{c.clientId}</code>
                  <span class="badge">{t(`clients.type.${c.type}`)}</span>
                  {c.registration && c.registration !== 'static' && <span class="badge">{t(`clients.registration.${c.registration}`)}</span>}
                  <span class={c.active ? 'badge on' : 'badge'}>{t(c.active ? 'clients.active' : 'clients.inactive')}</span>
                </div>
                <p class="meta">
                  {t('clients.grantsList', { grants: c.grantTypes.join(', ') })}
                  {c.allowedScopes.length > 0 && ` · ${t('clients.scopesList', { scopes: c.allowedScopes.join(' ') })}`}
                  {` · ${t('clients.createdAt', { date: dateTime(c.createdAt) })}`}
                </p>
                {c.previousSecretExpiresAt && <p class="meta">{t('clients.overlap', { until: dateTime(c.previousSecretExpiresAt) })}</p>}
                {!c.active ? null : confirming === `rotate:${c.clientId}` ? (
                  <Confirm question={t('clients.confirmRotate', { clientId: c.clientId })} yes={t('clients.rotate')} tone="primary" busy={rotate.busy} onYes={() => void rotate.run(c)} onCancel={() => setConfirming(null)}>
                    <Check checked={endOldNow} onChecked={setEndOldNow}>
                      {t('clients.endOldNow')}
                    </Check>
                  </Confirm>
                ) : confirming === `deactivate:${c.clientId}` ? (
                  <Confirm question={t('clients.confirmDeactivate', { clientId: c.clientId })} yes={t('clients.deactivate')} busy={deactivate.busy} onYes={() => void deactivate.run(c)} onCancel={() => setConfirming(null)} />
                ) : (
                  <div class="actions">
                    {c.type === 'confidential' && (
                      <button type="button" onClick={() => (setEndOldNow(false), setConfirming(`rotate:${c.clientId}`))} aria-label={t('clients.rotateNamed', { clientId: c.clientId })}>
                        {t('clients.rotate')}
                      </button>
                    )}
                    <button type="button" class="danger" onClick={() => setConfirming(`deactivate:${c.clientId}`)} aria-label={t('clients.deactivateNamed', { clientId: c.clientId })}>
                      {t('clients.deactivate')}
                    </button>
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
      <CreateForm created={created} />
    </Page>
  );
}
