// Trusted devices ("remember this device" at the 2FA step): which devices skip the code, and forgetting
// them one by one or all at once. Shown on the two-factor page while 2FA is on.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { dateTime, t } from '../i18n';
import { ErrorAlert, Status, useAction } from '../ui';

interface TrustedDeviceView {
  id: string;
  current: boolean;
  deviceName: string | null;
  browser: string | null;
  os: string | null;
  ipAddress: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string;
}

export function TrustedDevices() {
  const [devices, setDevices] = useState<TrustedDeviceView[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const load = useAction(async () => {
    setDevices((await api<{ devices: TrustedDeviceView[] }>('/api/user/trusted-devices')).devices);
  });
  useEffect(() => void load.run(), []);
  const forget = useAction(async (id: string) => {
    await api(`/api/user/trusted-devices/${id}`, { method: 'DELETE' });
    setMessage(t('trusted.forgotten'));
    await load.run();
  });
  const forgetAll = useAction(async () => {
    const { forgotten } = await api<{ forgotten: number }>('/api/user/trusted-devices', { method: 'DELETE' });
    setMessage(t('trusted.allForgotten', { count: forgotten }));
    await load.run();
  });
  const name = (d: TrustedDeviceView) => d.deviceName || [d.browser, d.os].filter(Boolean).join(' · ') || t('sessions.unknownDevice');

  return (
    <section class="card" aria-labelledby="trusted-title">
      <h2 id="trusted-title">{t('trusted.title')}</h2>
      <p>{t('trusted.intro')}</p>
      {message && <Status tone="success">{message}</Status>}
      <ErrorAlert error={load.error || forget.error || forgetAll.error} />
      {devices === null ? (
        <p aria-busy="true">{t('common.loading')}</p>
      ) : devices.length === 0 ? (
        <p data-testid="trusted-none">{t('trusted.none')}</p>
      ) : (
        <>
          <ul class="trusted-devices">
            {devices.map((d) => (
              <li key={d.id} class="trusted-device" data-device-id={d.id}>
                <strong>{name(d)}</strong>
                {d.current && <span class="badge on"> {t('trusted.thisDevice')}</span>}
                <br />
                <small>{t('trusted.until', { time: dateTime(d.expiresAt) })}{d.ipAddress ? ` · ${d.ipAddress}` : ''}</small>{' '}
                <button type="button" onClick={() => void forget.run(d.id)} disabled={forget.busy} aria-label={t('trusted.forgetNamed', { name: name(d) })}>
                  {t('trusted.forget')}
                </button>
              </li>
            ))}
          </ul>
          <div class="actions">
            <button type="button" class="danger" onClick={() => void forgetAll.run()} disabled={forgetAll.busy}>
              {t('trusted.forgetAll')}
            </button>
          </div>
        </>
      )}
    </section>
  );
}
