// /device (RFC 8628 §3.3): a CLI or TV shows a short code and this address; the person signs in here (the
// ordinary sign-in first, as on /authorize), enters the code (or arrives with it, verification_uri_complete),
// sees which application asks for what (the consent screen's pieces) and approves or denies. The device,
// polling the token endpoint, then gets its tokens or access_denied.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { t } from '../i18n';
import type { AuthState } from '../session';
import { ErrorAlert, Field, FormCard, Page, Status, useAction, type Go } from '../ui';
import { ConsentDetails, type ConsentClient } from './ConsentDetails';
import { SignIn } from './SignIn';

interface DeviceRequest {
  client: ConsentClient;
  scopes: string[];
  resource: string | null;
}

const initialCode = () => new URLSearchParams(location.search).get('user_code') ?? '';

export function Device({ auth, go }: { auth: AuthState; go: Go }) {
  const [code, setCode] = useState(initialCode);
  const [request, setRequest] = useState<DeviceRequest | null>(null);
  const [done, setDone] = useState<'approved' | 'denied' | null>(null);
  const [notFound, setNotFound] = useState(false);

  const lookup = useAction(async () => {
    setNotFound(false);
    try {
      setRequest(await api<DeviceRequest>('/api/oauth/device/lookup', { method: 'POST', body: { userCode: code } }));
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return setNotFound(true);
      throw err;
    }
  });
  const decide = useAction(async (approve: boolean) => {
    await api('/api/oauth/device/decision', { method: 'POST', body: { userCode: code, approve } });
    setDone(approve ? 'approved' : 'denied');
  });
  // Arrived with the code in the address: show what it asks for straight away.
  useEffect(() => {
    if (auth.status === 'signedIn' && initialCode() && !request) void lookup.run();
  }, [auth.status]);

  if (auth.status === 'loading') return <p aria-busy="true">{t('common.loading')}</p>;
  if (auth.status === 'signedOut') {
    return (
      <>
        <Status tone="info">{t('device.signIn')}</Status>
        <SignIn notice={null} go={go} />
      </>
    );
  }
  if (done) {
    return (
      <Page title={t('device.title')}>
        <Status tone={done === 'approved' ? 'success' : 'info'}>{done === 'approved' ? t('device.approved') : t('device.denied')}</Status>
      </Page>
    );
  }
  if (request) {
    return (
      <Page title={t('authorize.consentTitle', { client: request.client.name })}>
        <p>{t('device.confirmCode', { code: code.toUpperCase() })}</p>
        <ConsentDetails client={request.client} scopes={request.scopes} resource={request.resource} email={auth.user?.email ?? ''} />
        <ErrorAlert error={decide.error} />
        <div class="actions">
          <button type="button" class="primary" disabled={decide.busy} onClick={() => void decide.run(true)}>
            {t('authorize.allow')}
          </button>
          <button type="button" disabled={decide.busy} onClick={() => void decide.run(false)}>
            {t('authorize.deny')}
          </button>
        </div>
      </Page>
    );
  }
  return (
    <Page title={t('device.title')}>
      {notFound && <Status tone="warning">{t('device.notFound')}</Status>}
      <FormCard help={t('device.help')} submit={t('device.continue')} action={lookup}>
        <Field label={t('device.code')} value={code} onValue={setCode} name="user_code" autoComplete="one-time-code" maxLength={20} required />
      </FormCard>
    </Page>
  );
}
